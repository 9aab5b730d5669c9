import { describe, expect, it } from 'vitest';
import { compareArrays, randomInputs, run } from '../index.ts';
import { rmsnorm, rmsnormReference } from './rmsnorm.ts';

describe('rmsnorm', () => {
  it('per tile: one load, Σx² in one ScalarE square, rsqrt, one VectorE scalar_tensor_tensor in place, one store', () => {
    const { kernel, inputs } = rmsnorm.build({ rows: 300, cols: 1024 }, 'float32');
    const ir = kernel.trace(inputs);
    const stt = ir.instrs.filter((i) => i.op === 'scalarTensorTensor');
    expect(stt.map((i) => i.outs[0].shape)).toEqual([
      [128, 1024],
      [128, 1024],
      [44, 1024],
    ]);
    const squares = ir.instrs.filter(
      (i) => i.op === 'activation' && (i.attrs as { func: string }).func === 'square',
    );
    expect(squares).toHaveLength(3);
    expect(squares.every((i) => i.outs.length === 2 && i.outs[0].dtype === 'bfloat16')).toBe(true);
    // Software-pipelined: tile 1's square is issued before tile 0's scaling.
    const order = ir.instrs
      .filter((i) => i.op === 'scalarTensorTensor' || squares.includes(i))
      .map((i) => i.op);
    expect(order).toEqual([
      'activation',
      'activation',
      'scalarTensorTensor',
      'activation',
      'scalarTensorTensor',
      'scalarTensorTensor',
    ]);
  });

  it('supports no ε (NKI tutorial) and an explicit ε', () => {
    for (const eps of [0, 1e-5]) {
      const { kernel, inputs: specs } = rmsnorm.build({ rows: 128, cols: 512 }, 'float32', { meta: { eps } });
      const inputs = randomInputs(specs, 11);
      const out = run(kernel, inputs).outputs[0];
      const expected = rmsnormReference(inputs[0], inputs[1], eps);
      const cmp = compareArrays(out.data, expected, out.shape, rmsnorm.tolerance('float32'));
      expect(cmp.mismatches, JSON.stringify(cmp)).toBe(0);
    }
    expect(() => rmsnorm.build({ rows: 128, cols: 512 }, 'float32', { meta: { eps: -1 } })).toThrow(/≥ 0/);
  });
});
