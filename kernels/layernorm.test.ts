import { describe, expect, it } from 'vitest';
import { compareArrays, hostArray, run } from '../index.ts';
import { layernorm, layernormReference, layernormV1 } from './layernorm.ts';

const ops = (ir: { instrs: readonly { op: string; engine?: string }[] }, op: string, engine?: string) =>
  ir.instrs.filter((i) => i.op === op && (engine === undefined || (i.engine ?? 'vector') === engine)).length;

describe('layernorm (v2)', () => {
  // 2 row tiles (the second ragged: 44 rows) of 1536 columns: 3 bn_stats chunks, 3 PSUM chunks.
  const shape = { rows: 172, cols: 1536 };

  it('per tile: one load, bn_stats per 512 columns, one bn_aggr, then per 512 columns x̂ (ScalarE), ·γ, +β; one store', () => {
    const { kernel, inputs } = layernorm.build(shape, 'float32', { chip: 'trn1' });
    const ir = kernel.trace(inputs);
    expect(ops(ir, 'bnStats')).toBe(2 * 3);
    expect(ops(ir, 'bnAggr')).toBe(2);
    // 3 x̂ per tile, one rsqrt per tile; γ and β: a broadcast copy per 512 columns (alternating VectorE / ScalarE).
    expect(
      ir.instrs.filter((i) => i.op === 'activation' && (i.attrs as { func: string }).func === 'copy'),
    ).toHaveLength(2 * 3);
    expect(ops(ir, 'tensorTensor')).toBe(2 * 3 * 2);
    expect(
      ir.instrs.filter((i) => i.op === 'tensorTensor').every((i) => (i.engine ?? 'vector') === 'vector'),
    ).toBe(true);
    const loads = ir.instrs.filter((i) => i.op === 'dmaCopy' && i.ins[0].space === 'hbm');
    // γ and β rows, then one [rows, 1536] load per tile.
    expect(loads.map((l) => l.outs[0].shape)).toEqual([
      [1, 1536],
      [1, 1536],
      [128, 1536],
      [44, 1536],
    ]);
    expect(ir.instrs.filter((i) => i.op === 'dmaCopy' && i.outs[0].space === 'hbm')).toHaveLength(2);
    // γ and β are broadcast once each: one matmul per 512 columns.
    expect(ops(ir, 'ncMatmul')).toBe(2 * 3);
  });

  it('trn2: β is added on GpSimd (meta poolAdd)', () => {
    expect(layernorm.defaultMeta!('trn2')).toEqual({ poolAdd: 1 });
    const { kernel, inputs } = layernorm.build(shape, 'float32', { chip: 'trn2' });
    const ir = kernel.trace(inputs);
    const adds = ir.instrs.filter((i) => i.op === 'tensorTensor' && (i.attrs as { op: string }).op === 'add');
    expect(adds.map((a) => a.engine)).toEqual(Array(6).fill('gpsimd'));
    expect(() => layernorm.build(shape, 'float32', { meta: { poolAdd: 2 } })).toThrow(/0 or 1/);
  });

  it('matches a hand-checked row', () => {
    // x = [1, 2, 3, 4]: mean 2.5, variance 1.25; γ = [1, 2, 1, 2], β = [0, 0, 1, 1].
    const x = hostArray([1, 4], 'float32', [1, 2, 3, 4]);
    const g = hostArray([4], 'float32', [1, 2, 1, 2]);
    const b = hostArray([4], 'float32', [0, 0, 1, 1]);
    const r = 1 / Math.sqrt(1.25 + 1e-5);
    const expected = [-1.5 * r, -0.5 * r * 2, 0.5 * r + 1, 1.5 * r * 2 + 1];
    expect(
      [...layernormReference(x, g, b)].map((v, i) => v - expected[i]).every((d) => Math.abs(d) < 1e-12),
    ).toBe(true);
    for (const lk of [layernorm, layernormV1]) {
      const { kernel } = lk.build({ rows: 1, cols: 4 }, 'float32');
      const out = run(kernel, [x, g, b]).outputs[0];
      expect(compareArrays(out.data, expected, out.shape, lk.tolerance('float32')).ok).toBe(true);
    }
  });
});

describe('layernorm-v1', () => {
  it('uses nl reductions (mean, mean of squares) over whole tiles, no bn_stats', () => {
    const { kernel, inputs } = layernormV1.build({ rows: 172, cols: 1536 }, 'float32');
    const ir = kernel.trace(inputs);
    expect(ops(ir, 'bnStats')).toBe(0);
    // Two add-reduces per tile (Σx and Σx²).
    expect(ir.instrs.filter((i) => i.op === 'tensorReduce')).toHaveLength(4);
    expect(ir.instrs.filter((i) => i.op === 'tensorReduce').every((i) => i.ins[0].shape[1] === 1536)).toBe(
      true,
    );
  });
});
