import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape, resolveMeta } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';
import { MATMUL_TILE, matmulReference } from './matmul.ts';

const { M: TM, K: TK, N: TN } = MATMUL_TILE;

/**
 * Meta-parameters of the pipelined matmul: the block in tiles (bm M-tiles × bn N-tiles × bk K-tiles) and the slots
 * of the output staging ring. SBUF per partition and lhsT: the lhsT block 2 × bk × bm·256 B (double-buffered) and the
 * fp32 block accumulator bm × bn·2 KiB; shared: the rhs block 2 × bk × bn·1 KiB and the ring stage × bn·1 KiB (bf16).
 * The defaults use 168 KiB of trn1's 176 KiB.
 */
export interface PipelinedMeta {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly stage: number;
}

export const PIPELINED_DEFAULT_META: PipelinedMeta = { bm: 16, bn: 2, bk: 8, stage: 4 };

/** A finished output row of a block: rows [r0, r0 + 128) (or fewer), columns [c0, c0 + width). */
export interface BlockRow {
  /** The fp32 accumulator row [128, width] of each lhsT. */
  readonly acc: readonly Tensor[];
  readonly r0: number;
  readonly c0: number;
  readonly width: number;
  /** A [128, width] slot of the staging ring in `stageDtype`, free to write and store. */
  readonly stage: Tensor;
}

export interface PipelinedMatmul {
  /** lhsT operands [K, M] sharing the rhs: each gets its own accumulator (e.g. SwiGLU's gate and up projections). */
  readonly lhsT: readonly Tensor[];
  /** rhs [K, N]. */
  readonly rhs: Tensor;
  readonly meta: PipelinedMeta;
  readonly stageDtype: DType;
  /** Emits one finished row: cast (and combine) the accumulators into `stage`, then store it. */
  readonly finish: (row: BlockRow) => void;
}

/**
 * Σ lhsTᵀ · rhs for each lhsT with the optimised matmul's blocking (bm × bn output tiles accumulated in SBUF over
 * sequential K blocks of bk tiles; per K block the bk matmuls of an output tile accumulate in PSUM) and pipelined
 * block boundaries:
 * - a block's first K step copies PSUM into the fp32 accumulator (VectorE) instead of memsetting it and adding;
 * - the finished block is emitted row by row through `finish` (ScalarE casts, otherwise idle), each row just before
 *   the next block's first K step overwrites it, so its stores are issued after the next block's first loads, and the
 *   epilogue interleaves with the next block's PSUM evacuation instead of stalling it.
 * M and K may end in a ragged block (fewer tiles); N must be a multiple of the N tile (min(512, N)).
 */
export function emitPipelinedMatmul(spec: PipelinedMatmul): void {
  const { lhsT, rhs, meta } = spec;
  const [K, M] = lhsT[0].shape;
  const N = rhs.shape[1];
  const tn = Math.min(TN, N);
  const KT = K / TK;
  const MT = M / TM;
  const bm = Math.min(meta.bm, MT);
  const bn = Math.min(meta.bn, N / tn);
  const bk = Math.min(meta.bk, KT);
  const BW = bn * tn;
  // One fp32 accumulator per lhsT for the block and a ring of staging rows, reused by every block.
  const res = lhsT.map(() => nl.ndarray([TM, bm, BW], nl.float32, { name: 'res' }));
  const stage = nl.ndarray([TM, meta.stage, BW], spec.stageDtype, { name: 'stage' });
  let staged = 0;
  // The previous block's finished rows: `emitRow(mt)` emits row mt; rows [nextRow, pendingRows) are still to go.
  let emitRow: (mt: number) => void = () => {};
  let nextRow = 0;
  let pendingRows = 0;
  const flush = (through: number) => {
    for (; nextRow < pendingRows && nextRow <= through; nextRow++) emitRow(nextRow);
  };
  // Blocks share the accumulators and the staging ring, so the block loops are sequential.
  for (const nb of nl.sequentialRange(N / BW)) {
    for (const mb of nl.sequentialRange(Math.ceil(MT / bm))) {
      const mTiles = Math.min(bm, MT - mb * bm);
      for (const kb of nl.sequentialRange(Math.ceil(KT / bk))) {
        const kTiles = Math.min(bk, KT - kb * bk);
        const a: Tensor[][] = lhsT.map(() => []);
        const b: Tensor[] = [];
        for (let kt = 0; kt < kTiles; kt++) {
          const rows = nl.ds((kb * bk + kt) * TK, TK);
          b.push(nl.load(rhs.get(rows, nl.ds(nb * BW, BW)), { name: 'rhsBlock' }));
          lhsT.forEach((l, i) => {
            a[i].push(nl.load(l.get(rows, nl.ds(mb * bm * TM, mTiles * TM)), { name: 'lhsTBlock' }));
          });
        }
        // Sequential: the first K step also emits the previous block's rows through the shared staging ring.
        for (const mt of nl.sequentialRange(mTiles)) {
          // The previous block's row mt is emitted just before this block's first K step overwrites it.
          if (kb === 0) flush(mt);
          for (const nt of nl.affineRange(bn)) {
            lhsT.forEach((_, i) => {
              const acc = nl.ndarray([TM, tn], nl.float32, { buffer: nl.psum, name: 'acc' });
              for (let kt = 0; kt < kTiles; kt++) {
                nisa.ncMatmul(a[i][kt].get(':', nl.ds(mt * TM, TM)), b[kt].get(':', nl.ds(nt * tn, tn)), {
                  dst: acc,
                  accumulate: kt > 0,
                });
              }
              const slot = res[i].get(':', mt, nl.ds(nt * tn, tn));
              if (kb === 0) nisa.tensorCopy(acc, { dst: slot });
              else nisa.tensorTensor(slot, acc, 'add', { dst: slot });
            });
          }
        }
        // A previous block taller than this one (a ragged last M block) finishes its remaining rows here.
        if (kb === 0) flush(pendingRows);
      }
      const [rowBlock, colBlock] = [mb, nb];
      emitRow = (mt: number) =>
        spec.finish({
          acc: res.map((r) => r.get(':', mt, ':')),
          r0: (rowBlock * bm + mt) * TM,
          c0: colBlock * BW,
          width: BW,
          stage: stage.get(':', staged++ % meta.stage, ':'),
        });
      nextRow = 0;
      pendingRows = mTiles;
    }
  }
  flush(pendingRows);
}

/** C = lhsTᵀ · rhs, each finished row cast on ScalarE and stored. */
function pipelinedKernel(meta: PipelinedMeta) {
  return kernel(function matmulPipelined(lhsT: Tensor, rhs: Tensor) {
    const [, M] = lhsT.shape;
    const N = rhs.shape[1];
    const out = nl.ndarray([M, N], lhsT.dtype, { buffer: nl.sharedHbm });
    emitPipelinedMatmul({
      lhsT: [lhsT],
      rhs,
      meta,
      stageDtype: out.dtype,
      finish: ({ acc, r0, c0, width, stage }) => {
        nisa.activation('copy', acc[0], { dst: stage, engine: 'scalar' });
        nl.store(out.get(nl.ds(r0, TM), nl.ds(c0, width)), stage);
      },
    });
    return out;
  });
}

const kernels = new Map<string, ReturnType<typeof pipelinedKernel>>();
function kernelFor(meta: PipelinedMeta) {
  const key = JSON.stringify(meta);
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = pipelinedKernel(meta)));
  return k;
}

function specs(M: number, K: number, N: number, dtype: DType) {
  return [
    { shape: [K, M], dtype },
    { shape: [K, N], dtype },
  ];
}

const tolerance = (): Tolerance => ({ atol: 1e-4, rtol: 1e-2 });

export const matmulPipelined: LibraryKernel = {
  name: 'matmul-pipelined',
  description:
    'the best matmul: optimised blocking (bm × bn × bk tiles, SBUF accumulation) with pipelined block boundaries',
  shapeParams: ['M', 'K', 'N'],
  defaultShape: { M: 512, K: 512, N: 1024 },
  // Small enough for npm test; matmul-pipelined.test.ts runs a multi-block case with small block meta-parameters.
  testShapes: [{ M: 256, K: 512, N: 1024 }],
  fullTestShapes: [{ M: 4096, K: 1024, N: 2048 }],
  dtypes: ['bfloat16', 'float32'],
  metaParams: ['bm', 'bn', 'bk', 'stage'],
  defaultMeta: () => ({ ...PIPELINED_DEFAULT_META }),
  build(shape, dtype, opts) {
    const s = requireShape('matmul-pipelined', shape, ['M', 'K', 'N']);
    const meta = resolveMeta('matmul-pipelined', { ...PIPELINED_DEFAULT_META }, opts?.meta);
    if (s.M % TM || s.K % TK || s.N % TN) {
      throw new RangeError(
        `matmul-pipelined: M ${s.M}, K ${s.K}, N ${s.N} must be multiples of ${TM}, ${TK}, ${TN}`,
      );
    }
    const bn = Math.min(meta.bn, s.N / TN) * TN;
    if (s.N % bn)
      throw new RangeError(`matmul-pipelined: N ${s.N} must be a multiple of the block width ${bn}`);
    return { kernel: kernelFor(meta), inputs: specs(s.M, s.K, s.N, dtype) };
  },
  reference: (_shape: ShapeParams, [lhsT, rhs]: readonly HostArray[]) => [matmulReference(lhsT, rhs)],
  tolerance,
};
