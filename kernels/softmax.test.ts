import { describe, expect, it } from 'vitest';
import { compareArrays, hostArray, run } from '../index.ts';
import { softmax, softmaxReference } from './softmax.ts';

describe('softmax', () => {
  it('slices the last tile to the remaining rows', () => {
    const { kernel, inputs } = softmax.build({ rows: 250, cols: 512 }, 'float32');
    const ir = kernel.trace(inputs);
    const loads = ir.instrs.filter((i) => i.op === 'dmaCopy' && i.ins[0].space === 'hbm');
    expect(loads.map((i) => i.outs[0].shape)).toEqual([
      [128, 512],
      [122, 512],
    ]);
    const exps = ir.instrs.filter((i) => i.op === 'activation' && i.outs.length === 2);
    expect(exps.map((i) => i.outs[1].shape)).toEqual([
      [128, 1],
      [122, 1],
    ]);
  });

  it("per tile: load, −max, exp + row sum, 1/sum, multiply in place, store; the next tile's max is issued first", () => {
    const { kernel, inputs } = softmax.build({ rows: 384, cols: 512 }, 'bfloat16');
    const ir = kernel.trace(inputs);
    const ops = ir.instrs.map((i) =>
      i.op === 'dmaCopy' ? (i.outs[0].space === 'hbm' ? 'store' : 'load') : i.op,
    );
    const start = ['load', 'tensorReduce'];
    const finish = ['activation', 'activation', 'tensorScalar', 'store'];
    expect(ops).toEqual([...start, ...start, ...finish, ...start, ...finish, ...finish]);
    // 16-bit inputs: the max and the exponentials stay bf16 and overwrite the loaded tile.
    const load = ir.instrs[0].outs[0];
    const reduce = ir.instrs[1];
    expect(reduce.outs[0].dtype).toBe('bfloat16');
    const exp = ir.instrs.find((i) => i.op === 'activation')!;
    const mul = ir.instrs.find((i) => i.op === 'tensorScalar')!;
    expect([exp.outs[0].buffer, mul.outs[0].buffer]).toEqual([load.buffer, load.buffer]);
  });

  it('subtracts the row max first, so large logits do not overflow exp', () => {
    const x = hostArray([2, 4], 'float32', [1000, 999, 998, 0, -500, -501, -502, -1000]);
    const expected = softmaxReference(x);
    for (let r = 0; r < 2; r++) {
      let sum = 0;
      for (let c = 0; c < 4; c++) sum += expected[r * 4 + c];
      expect(sum).toBeCloseTo(1, 12);
    }
    const { kernel } = softmax.build({ rows: 2, cols: 4 }, 'float32');
    const out = run(kernel, [x]).outputs[0];
    expect(compareArrays(out.data, expected, out.shape, softmax.tolerance('float32')).ok).toBe(true);
  });

  it('rejects rows longer than one instruction can read', () => {
    expect(() => softmax.build({ rows: 2, cols: 70000 }, 'float32')).toThrow(/exceeds 65536/);
  });
});
