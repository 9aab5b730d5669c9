import { describe, expect, it } from 'vitest';
import { hostArray, run } from '../index.ts';
import type { MatmulAttrs } from '../ir/ops/matmul.ts';
import type { Instr } from '../ir/types.ts';
import { MATMUL_TILE, matmul, matmulReference, matmulTiled } from './matmul.ts';

describe('matmul (basic)', () => {
  it('is two loads, one matmul, one PSUM → SBUF copy and a store', () => {
    const { kernel, inputs } = matmul.build({ M: 64, K: 128, N: 512 }, 'bfloat16');
    const ir = kernel.trace(inputs);
    expect(ir.instrs.map((i) => i.op)).toEqual(['dmaCopy', 'dmaCopy', 'ncMatmul', 'tensorCopy', 'dmaCopy']);
    expect((ir.instrs[2].attrs as MatmulAttrs).accumulate).toBe(false);
    expect(ir.buffers[ir.outputs[0]]).toMatchObject({ shape: [64, 512], dtype: 'bfloat16' });
  });

  it('rejects shapes that do not fit one tile', () => {
    expect(() => matmul.build({ M: 256, K: 128, N: 512 }, 'bfloat16')).toThrow(/must fit one tile/);
    expect(() => matmul.build({ M: 64, K: 128, N: 1024 }, 'bfloat16')).toThrow(/use matmul-tiled/);
  });

  it('computes lhsTᵀ · rhs on a hand-checked example', () => {
    // lhsT [K=2, M=2] = [[1, 2], [3, 4]], rhs [K=2, N=3]: C[m, n] = Σ_k lhsT[k, m] · rhs[k, n].
    const lhsT = hostArray([2, 2], 'float32', [1, 2, 3, 4]);
    const rhs = hostArray([2, 3], 'float32', [1, 0, -1, 2, 1, 0.5]);
    const expected = [1 * 1 + 3 * 2, 1 * 0 + 3 * 1, -1 + 3 * 0.5, 2 * 1 + 4 * 2, 4 * 1, -2 + 4 * 0.5];
    expect([...matmulReference(lhsT, rhs)]).toEqual(expected);
    const { kernel } = matmul.build({ M: 2, K: 2, N: 3 }, 'float32');
    expect([...run(kernel, [lhsT, rhs]).outputs[0].data]).toEqual(expected);
  });
});

describe('matmul-tiled', () => {
  const shape = { M: 512, K: 1024, N: 1024 };
  const MT = shape.M / MATMUL_TILE.M;
  const KT = shape.K / MATMUL_TILE.K;
  const NT = shape.N / MATMUL_TILE.N;
  const ir = (() => {
    const { kernel, inputs } = matmulTiled.build(shape, 'bfloat16');
    return kernel.trace(inputs);
  })();
  /** Instructions of output tile (m, n): the m and n loops are the two outermost. */
  const tile = (m: number, n: number): Instr[] =>
    ir.instrs.filter((i) => i.loop.loops[0]?.index === m && i.loop.loops[1]?.index === n);

  it('per output tile: K/128 × (2 loads + 1 matmul), then one copy and one store', () => {
    expect(ir.instrs.length).toBe(MT * NT * (3 * KT + 2));
    for (let m = 0; m < MT; m++) {
      for (let n = 0; n < NT; n++) {
        const ops = tile(m, n).map((i) => i.op);
        const steps = Array.from({ length: KT }, () => ['dmaCopy', 'dmaCopy', 'ncMatmul']).flat();
        expect(ops).toEqual([...steps, 'tensorCopy', 'dmaCopy']);
      }
    }
    const count = (op: string) => ir.instrs.filter((i) => i.op === op).length;
    expect(count('ncMatmul')).toBe(MT * NT * KT);
    expect(count('tensorCopy')).toBe(MT * NT);
    expect(count('dmaCopy')).toBe(MT * NT * (2 * KT + 1));
  });

  it('loops m → n → k are affine; every matmul after the first of a k loop accumulates', () => {
    const matmuls = ir.instrs.filter((i) => i.op === 'ncMatmul');
    for (const mm of matmuls) {
      const loops = mm.loop.loops;
      expect(loops.map((l) => l.kind)).toEqual(['affine', 'affine', 'affine']);
      expect(loops.map((l) => l.extent)).toEqual([MT, NT, KT]);
      expect((mm.attrs as MatmulAttrs).accumulate).toBe(loops[2].index > 0);
    }
    // All k steps of one (m, n) accumulate into the same PSUM bank, and each (m, n) uses a [128, 512] fp32 tile.
    for (let m = 0; m < MT; m++) {
      for (let n = 0; n < NT; n++) {
        const dsts = tile(m, n)
          .filter((i) => i.op === 'ncMatmul')
          .map((i) => i.outs[0]);
        expect(new Set(dsts.map((d) => d.buffer)).size).toBe(1);
        expect(dsts[0]).toMatchObject({ space: 'psum', dtype: 'float32', shape: [128, 512] });
      }
    }
  });

  it('rejects shapes that are not whole tiles', () => {
    expect(() => matmulTiled.build({ M: 500, K: 1024, N: 1024 }, 'bfloat16')).toThrow(/must be multiples/);
  });
});
