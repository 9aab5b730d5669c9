import { describe, expect, it } from 'vitest';
import { randomArray } from '../index.ts';
import { rope, ropeAngle, ropeReference } from './rope.ts';

describe('rope', () => {
  it('launches one program per (batch, head); per seq tile and tensor: 4 ops, q on VectorE, k on GpSimd', () => {
    const { kernel, inputs } = rope.build({ batch: 2, heads: 3, seq: 200, hd: 64 }, 'float32');
    expect(kernel.gridDims).toEqual([2, 3]);
    const ir = kernel.trace(inputs);
    const tt = ir.instrs.filter((i) => i.op === 'tensorTensor');
    // seq 200 is not a multiple of 128: 128-row tiles, the last one ragged (72 rows).
    expect(tt).toHaveLength(6 * 2 * 2 * 4);
    expect(tt.filter((i) => i.outs[0].shape[0] === 72)).toHaveLength(6 * 2 * 4);
    expect(tt.slice(0, 8).map((i) => i.engine)).toEqual([
      ...Array(4).fill('vector'),
      ...Array(4).fill('gpsimd'),
    ]);
    // cos and sin are shared constants loaded per tile: one HBM buffer each for the whole grid.
    const constants = ir.buffers.filter((b) => b.role === 'constant');
    expect(constants.map((b) => [b.name, b.shape])).toEqual([
      ['cos', [200, 64]],
      ['sinSigned', [200, 64]],
    ]);
  });

  it('puts R consecutive rows on each partition when seq is a multiple of 128 (contiguous 16 KiB DMAs)', () => {
    const { kernel, inputs } = rope.build({ batch: 1, heads: 1, seq: 8192, hd: 128 }, 'float32');
    const ir = kernel.trace(inputs);
    const loads = ir.instrs.filter((i) => i.op === 'dmaCopy' && i.ins[0].space === 'hbm');
    // 2 blocks of 128 partitions × 32 rows: cos, sin, q, k each.
    expect(loads).toHaveLength(2 * 4);
    expect(loads.every((l) => l.outs[0].shape.join() === '128,32,128')).toBe(true);
    expect(loads[2].ins[0]).toMatchObject({ shape: [128, 32, 128], strides: [32 * 128, 128, 1] });
  });

  it('rotates each (i, i + hd/2) pair by position · inv_freq_i', () => {
    const hd = 8;
    const x = randomArray([1, 1, 5, hd], 'float32', 1);
    const y = ropeReference(x);
    for (let s = 0; s < 5; s++) {
      for (let i = 0; i < hd / 2; i++) {
        const [a, b] = [x.data[s * hd + i], x.data[s * hd + i + hd / 2]];
        const t = ropeAngle(s, i, hd);
        expect(t).toBeCloseTo(s / 10000 ** ((2 * i) / hd), 12);
        expect(y[s * hd + i]).toBeCloseTo(a * Math.cos(t) - b * Math.sin(t), 12);
        expect(y[s * hd + i + hd / 2]).toBeCloseTo(b * Math.cos(t) + a * Math.sin(t), 12);
      }
    }
  });

  it('rejects odd or too large head dims', () => {
    expect(() => rope.build({ batch: 1, heads: 1, seq: 128, hd: 63 }, 'float32')).toThrow(/even/);
    expect(() => rope.build({ batch: 1, heads: 1, seq: 128, hd: 256 }, 'float32')).toThrow(/at most 128/);
  });
});
