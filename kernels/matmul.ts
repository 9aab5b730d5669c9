import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';

/**
 * C[M, N] = lhsTᵀ · rhs with lhsT [K, M] given pre-transposed, so K is on the partitions of both operands
 * (kernels.md: matmul ladder). TensorE limits per instruction: K ≤ 128, M ≤ 128 (stationary), N ≤ 512 (moving).
 */
export const MATMUL_TILE = {
  M: nl.tileSize.gemmStationaryFmax,
  K: nl.tileSize.pmax,
  N: nl.tileSize.gemmMovingFmax,
};

/** One tile: load both operands whole, one matmul into PSUM, copy to SBUF in the output dtype, store. */
export const matmulBasicKernel = kernel(function matmul(lhsT: Tensor, rhs: Tensor) {
  const M = lhsT.shape[1];
  const N = rhs.shape[1];
  const out = nl.ndarray([M, N], lhsT.dtype, { buffer: nl.sharedHbm });
  const a = nl.load(lhsT);
  const b = nl.load(rhs);
  const acc = nisa.ncMatmul(a, b);
  nl.store(out, nisa.tensorCopy(acc, { dtype: out.dtype }));
  return out;
});

/**
 * Tiled: for each [128, 512] output tile (m, n), accumulate K/128 matmuls of a [128, 128] lhsT tile and a
 * [128, 512] rhs tile into one PSUM bank, then copy PSUM → SBUF with a cast and store.
 */
export const matmulTiledKernel = kernel(function matmulTiled(lhsT: Tensor, rhs: Tensor) {
  const [K, M] = lhsT.shape;
  const N = rhs.shape[1];
  const { M: TM, K: TK, N: TN } = MATMUL_TILE;
  const out = nl.ndarray([M, N], lhsT.dtype, { buffer: nl.sharedHbm });
  for (const m of nl.affineRange(M / TM)) {
    for (const n of nl.affineRange(N / TN)) {
      const acc = nl.ndarray([TM, TN], nl.float32, { buffer: nl.psum, name: 'acc' });
      for (const k of nl.affineRange(K / TK)) {
        const a = nl.load(lhsT.get(nl.ds(k * TK, TK), nl.ds(m * TM, TM)));
        const b = nl.load(rhs.get(nl.ds(k * TK, TK), nl.ds(n * TN, TN)));
        nisa.ncMatmul(a, b, { dst: acc, accumulate: k > 0 });
      }
      const c = nisa.tensorCopy(acc, { dtype: out.dtype });
      nl.store(out.get(nl.ds(m * TM, TM), nl.ds(n * TN, TN)), c);
    }
  }
  return out;
});

/** The plain-TS reference: C = lhsTᵀ · rhs in fp64 from the (already rounded) inputs. */
export function matmulReference(lhsT: HostArray, rhs: HostArray): Float64Array {
  const [K, M] = lhsT.shape;
  const N = rhs.shape[1];
  if (rhs.shape[0] !== K)
    throw new RangeError(`matmul reference: lhsT [${lhsT.shape}] vs rhs [${rhs.shape}]`);
  // Float64Array copies keep the inner loop monomorphic (HostData is a union of typed arrays).
  const a = Float64Array.from(lhsT.data);
  const b = Float64Array.from(rhs.data);
  const c = new Float64Array(M * N);
  // m → k → n: one output row stays in cache while the rows of rhs stream past.
  for (let m = 0; m < M; m++) {
    const o = m * N;
    for (let k = 0; k < K; k++) {
      const s = a[k * M + m];
      const r = k * N;
      for (let n = 0; n < N; n++) c[o + n] += s * b[r + n];
    }
  }
  return c;
}

function specs(M: number, K: number, N: number, dtype: DType) {
  return [
    { shape: [K, M], dtype },
    { shape: [K, N], dtype },
  ];
}

// kernels.md: atol 1e-4, rtol 1e-2 (inputs rounded to the dtype, fp32 accumulation). Products of bf16 values are
// exact in fp32 and the fp32 sum is far more precise than the one final rounding to bf16 (≤ 2^-8 relative).
const tolerance = (): Tolerance => ({ atol: 1e-4, rtol: 1e-2 });
const reference = (_shape: ShapeParams, [lhsT, rhs]: readonly HostArray[]) => [matmulReference(lhsT, rhs)];

export const matmul: LibraryKernel = {
  name: 'matmul',
  description: 'basic matmul, one tile: C[M,N] = lhsT[K,M]ᵀ · rhs[K,N] with M ≤ 128, K ≤ 128, N ≤ 512',
  shapeParams: ['M', 'K', 'N'],
  defaultShape: { M: 64, K: 128, N: 512 },
  testShapes: [{ M: 64, K: 128, N: 512 }],
  dtypes: ['bfloat16', 'float32'],
  build(shape, dtype) {
    const { M, K, N } = requireShape('matmul', shape, ['M', 'K', 'N']);
    if (M > MATMUL_TILE.M || K > MATMUL_TILE.K || N > MATMUL_TILE.N) {
      throw new RangeError(
        `matmul: M ${M}, K ${K}, N ${N} must fit one tile (M ≤ ${MATMUL_TILE.M}, K ≤ ${MATMUL_TILE.K}, N ≤ ${MATMUL_TILE.N}); use matmul-tiled`,
      );
    }
    return { kernel: matmulBasicKernel, inputs: specs(M, K, N, dtype) };
  },
  reference,
  tolerance,
};

export const matmulTiled: LibraryKernel = {
  name: 'matmul-tiled',
  description:
    'tiled matmul: loops m → n → k over [128, 128] lhsT and [128, 512] rhs tiles, accumulating in one PSUM bank',
  shapeParams: ['M', 'K', 'N'],
  defaultShape: { M: 256, K: 256, N: 1024 },
  // Every loop runs more than once. kernels.md's 4096×1024×2048 takes ~115 s per dtype (each simulated run ~33 s,
  // the fp64 reference ~20 s), so it is in fullTestShapes (TILEKIT_FULL=1).
  testShapes: [{ M: 512, K: 1024, N: 1024 }],
  fullTestShapes: [{ M: 4096, K: 1024, N: 2048 }],
  dtypes: ['bfloat16', 'float32'],
  build(shape, dtype) {
    const { M, K, N } = requireShape('matmul-tiled', shape, ['M', 'K', 'N']);
    if (M % MATMUL_TILE.M !== 0 || K % MATMUL_TILE.K !== 0 || N % MATMUL_TILE.N !== 0) {
      throw new RangeError(
        `matmul-tiled: M ${M}, K ${K}, N ${N} must be multiples of ${MATMUL_TILE.M}, ${MATMUL_TILE.K}, ${MATMUL_TILE.N}`,
      );
    }
    return { kernel: matmulTiledKernel, inputs: specs(M, K, N, dtype) };
  },
  reference,
  tolerance,
};
