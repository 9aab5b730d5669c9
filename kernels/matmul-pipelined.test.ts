import { describe, expect, it } from 'vitest';
import { compareArrays, randomInputs, run } from '../index.ts';
import type { MatmulAttrs } from '../ir/ops/matmul.ts';
import { matmulReference } from './matmul.ts';
import { matmulPipelined } from './matmul-pipelined.ts';

describe('matmul-pipelined', () => {
  // 3 × 2 × 4 blocks of 1 M-tile × 1 N-tile × 2 K-tiles (K = 640 ends in a ragged 1-tile K block).
  const shape = { M: 384, K: 640, N: 1024 };
  const meta = { bm: 1, bn: 1, bk: 2, stage: 2 };
  const build = () => matmulPipelined.build(shape, 'bfloat16', { meta });

  it('per K block: bk rhs + bk lhsT loads, bk matmuls per output tile, then a PSUM copy (first K block) or add', () => {
    const { kernel, inputs } = build();
    const ir = kernel.trace(inputs);
    const count = (op: string) => ir.instrs.filter((i) => i.op === op).length;
    const blocks = 3 * 2;
    const kBlocks = 3; // 2 + 2 + 1 K tiles
    expect(count('ncMatmul')).toBe(blocks * 5);
    expect(count('tensorCopy')).toBe(blocks);
    expect(count('tensorTensor')).toBe(blocks * (kBlocks - 1));
    expect(count('activation')).toBe(blocks); // one ScalarE cast per finished output row
    expect(count('dmaCopy')).toBe(blocks * 5 * 2 + blocks);
    const matmuls = ir.instrs.filter((i) => i.op === 'ncMatmul');
    expect(matmuls.map((m) => (m.attrs as MatmulAttrs).accumulate).slice(0, 5)).toEqual([
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(matmuls[0].loop.loops.map((l) => l.kind)).toEqual([
      'sequential',
      'sequential',
      'sequential',
      'sequential',
      'affine',
    ]);
  });

  it("emits a block's finished rows after the next block's first loads, interleaved with its first PSUM copies", () => {
    const { kernel, inputs } = build();
    const ir = kernel.trace(inputs);
    const ops = ir.instrs.map((i) =>
      i.op === 'dmaCopy' ? (i.outs[0].space === 'hbm' ? 'store' : 'load') : i.op,
    );
    // Block 1 starts at the 11th load (5 K tiles × 2 operands per block): its first K block's 4 loads come before
    // block 0's cast and store.
    const firstStore = ops.indexOf('store');
    const loadsBefore = ops.slice(0, firstStore).filter((o) => o === 'load').length;
    expect(loadsBefore).toBe(10 + 4);
    expect(ops.slice(firstStore - 1, firstStore + 1)).toEqual(['activation', 'store']);
    // The last block's row is emitted at the very end.
    expect(ops.slice(-2)).toEqual(['activation', 'store']);
  });

  it('computes lhsTᵀ · rhs across multi-block, ragged-K pipelines', () => {
    const { kernel, inputs: specs } = build();
    const inputs = randomInputs(specs, 3);
    const out = run(kernel, inputs).outputs[0];
    const cmp = compareArrays(
      out.data,
      matmulReference(inputs[0], inputs[1]),
      out.shape,
      matmulPipelined.tolerance('bfloat16'),
    );
    expect(cmp.mismatches, JSON.stringify(cmp)).toBe(0);
  });

  it('rejects shapes that are not whole tiles or blocks', () => {
    expect(() => matmulPipelined.build({ M: 100, K: 128, N: 512 }, 'bfloat16')).toThrow(
      /multiples of 128, 128, 512/,
    );
    expect(() => matmulPipelined.build({ M: 128, K: 128, N: 1536 }, 'bfloat16')).toThrow(/block width 1024/);
  });
});
