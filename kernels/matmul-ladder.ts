import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';
import { MATMUL_TILE, matmulReference } from './matmul.ts';

/**
 * The NKI matmul tutorial's optimisation ladder after "tiled" (calibration.md §1): the same C = lhsTᵀ · rhs, with
 * lhsT [K, M] pre-transposed, written the way each published stage is structured.
 */
const { M: TM, K: TK, N: TN } = MATMUL_TILE;

/** Hoisted: the K/128 lhsT tiles of one m are loaded once, outside the n loop. */
export const matmulHoistedKernel = kernel(function matmulHoisted(lhsT: Tensor, rhs: Tensor) {
  const [K, M] = lhsT.shape;
  const N = rhs.shape[1];
  const out = nl.ndarray([M, N], lhsT.dtype, { buffer: nl.sharedHbm });
  for (const m of nl.affineRange(M / TM)) {
    const a: Tensor[] = [];
    for (const k of nl.affineRange(K / TK))
      a.push(nl.load(lhsT.get(nl.ds(k * TK, TK), nl.ds(m * TM, TM)), { name: 'lhsT' }));
    for (const n of nl.affineRange(N / TN)) {
      const acc = nl.ndarray([TM, TN], nl.float32, { buffer: nl.psum, name: 'acc' });
      for (const k of nl.affineRange(K / TK)) {
        const b = nl.load(rhs.get(nl.ds(k * TK, TK), nl.ds(n * TN, TN)), { name: 'rhs' });
        nisa.ncMatmul(a[k], b, { dst: acc, accumulate: k > 0 });
      }
      nl.store(out.get(nl.ds(m * TM, TM), nl.ds(n * TN, TN)), nisa.tensorCopy(acc, { dtype: out.dtype }));
    }
  }
  return out;
});

/** Blocked: 2 M-tiles × 2 N-tiles per block; each loaded lhsT and rhs tile serves two of the block's four outputs. */
export const matmulBlockedKernel = kernel(function matmulBlocked(lhsT: Tensor, rhs: Tensor) {
  const [K, M] = lhsT.shape;
  const N = rhs.shape[1];
  const BM = 2;
  const BN = 2;
  const out = nl.ndarray([M, N], lhsT.dtype, { buffer: nl.sharedHbm });
  for (const mb of nl.affineRange(M / (TM * BM))) {
    for (const nb of nl.affineRange(N / (TN * BN))) {
      const acc: Tensor[][] = [];
      for (let i = 0; i < BM; i++) {
        acc.push([]);
        for (let j = 0; j < BN; j++)
          acc[i].push(nl.ndarray([TM, TN], nl.float32, { buffer: nl.psum, name: `acc${i}${j}` }));
      }
      for (const k of nl.affineRange(K / TK)) {
        const rows = nl.ds(k * TK, TK);
        const a = [0, 1].map((i) =>
          nl.load(lhsT.get(rows, nl.ds((mb * BM + i) * TM, TM)), { name: `lhsT${i}` }),
        );
        const b = [0, 1].map((j) =>
          nl.load(rhs.get(rows, nl.ds((nb * BN + j) * TN, TN)), { name: `rhs${j}` }),
        );
        for (let i = 0; i < BM; i++)
          for (let j = 0; j < BN; j++) nisa.ncMatmul(a[i], b[j], { dst: acc[i][j], accumulate: k > 0 });
      }
      for (let i = 0; i < BM; i++) {
        for (let j = 0; j < BN; j++) {
          const c = nisa.tensorCopy(acc[i][j], { dtype: out.dtype });
          nl.store(out.get(nl.ds((mb * BM + i) * TM, TM), nl.ds((nb * BN + j) * TN, TN)), c);
        }
      }
    }
  }
  return out;
});

/** Block sizes of the optimised stage, in tiles (calibration.md §1: 16 M-tiles × 2 N-tiles × 8 K-tiles). */
export const OPTIMIZED_BLOCK = { m: 16, n: 2, k: 8 } as const;

/**
 * Optimised: blocks of 16 M-tiles × 2 N-tiles × 8 K-tiles, outer loop over N blocks; per K block the rhs rows are
 * loaded as one [128, 1024] DMA per K tile and the lhsT columns as one [128, 2048] DMA per K tile; per output tile
 * 8 matmuls accumulate in PSUM and VectorE adds the PSUM tile into an SBUF fp32 accumulator (memset to 0); the
 * K-block loop is sequential; each finished [128, 1024] row block is stored with one (casting) DMA.
 */
export const matmulOptimizedKernel = kernel(function matmulOptimized(lhsT: Tensor, rhs: Tensor) {
  const [K, M] = lhsT.shape;
  const N = rhs.shape[1];
  const bm = Math.min(OPTIMIZED_BLOCK.m, M / TM);
  const bn = Math.min(OPTIMIZED_BLOCK.n, N / TN);
  const bk = Math.min(OPTIMIZED_BLOCK.k, K / TK);
  const out = nl.ndarray([M, N], lhsT.dtype, { buffer: nl.sharedHbm });
  const BW = bn * TN;
  for (const nb of nl.affineRange(N / BW)) {
    for (const mb of nl.affineRange(M / (bm * TM))) {
      const res: Tensor[] = [];
      for (let i = 0; i < bm; i++) res.push(nl.zeros([TM, BW], nl.float32, { name: 'res' }));
      for (const kb of nl.sequentialRange(K / (bk * TK))) {
        const b: Tensor[] = [];
        const a: Tensor[] = [];
        for (let kt = 0; kt < bk; kt++) {
          const rows = nl.ds((kb * bk + kt) * TK, TK);
          b.push(nl.load(rhs.get(rows, nl.ds(nb * BW, BW)), { name: 'rhsBlock' }));
          a.push(nl.load(lhsT.get(rows, nl.ds(mb * bm * TM, bm * TM)), { name: 'lhsTBlock' }));
        }
        for (const mt of nl.affineRange(bm)) {
          for (const nt of nl.affineRange(bn)) {
            const acc = nl.ndarray([TM, TN], nl.float32, { buffer: nl.psum, name: 'acc' });
            for (let kt = 0; kt < bk; kt++) {
              nisa.ncMatmul(a[kt].get(':', nl.ds(mt * TM, TM)), b[kt].get(':', nl.ds(nt * TN, TN)), {
                dst: acc,
                accumulate: kt > 0,
              });
            }
            const slot = res[mt].get(':', nl.ds(nt * TN, TN));
            nisa.tensorTensor(slot, acc, 'add', { dst: slot });
          }
        }
      }
      // The DMA casts fp32 to the output dtype on the way out, so VectorE is free for the next block's adds.
      for (let i = 0; i < bm; i++)
        nl.store(out.get(nl.ds((mb * bm + i) * TM, TM), nl.ds(nb * BW, BW)), res[i]);
    }
  }
  return out;
});

function specs(M: number, K: number, N: number, dtype: DType) {
  return [
    { shape: [K, M], dtype },
    { shape: [K, N], dtype },
  ];
}

const tolerance = (): Tolerance => ({ atol: 1e-4, rtol: 1e-2 });
const reference = (_shape: ShapeParams, [lhsT, rhs]: readonly HostArray[]) => [matmulReference(lhsT, rhs)];

function ladderEntry(
  name: string,
  description: string,
  k: typeof matmulHoistedKernel,
  testShape: ShapeParams,
  multiple: (s: { M: number; K: number; N: number }) => string | undefined,
): LibraryKernel {
  return {
    name,
    description,
    shapeParams: ['M', 'K', 'N'],
    defaultShape: { M: 512, K: 512, N: 1024 },
    // Small enough for npm test, large enough that every loop runs more than once.
    testShapes: [testShape],
    fullTestShapes: [{ M: 4096, K: 1024, N: 2048 }],
    dtypes: ['bfloat16', 'float32'],
    build(shape, dtype) {
      const s = requireShape(name, shape, ['M', 'K', 'N']);
      const bad = multiple(s);
      if (bad) throw new RangeError(`${name}: ${bad}`);
      return { kernel: k, inputs: specs(s.M, s.K, s.N, dtype) };
    },
    reference,
    tolerance,
  };
}

const tiles = (s: { M: number; K: number; N: number }, m: number, k: number, n: number) =>
  s.M % m || s.K % k || s.N % n
    ? `M ${s.M}, K ${s.K}, N ${s.N} must be multiples of ${m}, ${k}, ${n}`
    : undefined;

export const matmulHoisted = ladderEntry(
  'matmul-hoisted',
  'tiled matmul with the lhsT tiles of each m loaded once, outside the n loop',
  matmulHoistedKernel,
  { M: 256, K: 512, N: 1024 },
  (s) => tiles(s, TM, TK, TN),
);

export const matmulBlocked = ladderEntry(
  'matmul-blocked',
  'matmul blocked 2 M-tiles × 2 N-tiles: each loaded tile serves two outputs',
  matmulBlockedKernel,
  { M: 512, K: 256, N: 2048 },
  (s) => tiles(s, 2 * TM, TK, 2 * TN),
);

export const matmulOptimized = ladderEntry(
  'matmul-optimized',
  'matmul blocked 16 M × 2 N × 8 K tiles, wide DMAs, SBUF accumulation over a sequential K-block loop',
  matmulOptimizedKernel,
  { M: 256, K: 2048, N: 1024 },
  (s) => {
    const bm = Math.min(OPTIMIZED_BLOCK.m, s.M / TM) * TM;
    const bn = Math.min(OPTIMIZED_BLOCK.n, s.N / TN) * TN;
    const bk = Math.min(OPTIMIZED_BLOCK.k, s.K / TK) * TK;
    return tiles(s, bm, bk, bn);
  },
);
