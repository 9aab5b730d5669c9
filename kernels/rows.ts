import { nisa, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { ShapeParams } from './library.ts';

/** Helpers shared by the row-wise kernels (layernorm, rmsnorm): rows on partitions, one row per partition. */

/** Rows per tile: one per partition. */
export const P = nl.tileSize.pmax;
/** Columns per PSUM bank in fp32, and per TensorE matmul. */
export const BANK = nl.tileSize.psumFmax;

/** The [rows, cols] of a row-wise kernel; one row must fit an instruction's 64K elements per partition. */
export function rowShape(name: string, shape: ShapeParams): { rows: number; cols: number } {
  const s = requireShape(name, shape, ['rows', 'cols']);
  if (s.cols > 65536) throw new RangeError(`${name}: cols ${s.cols} exceeds 65536; a row must fit one tile`);
  return s;
}

/**
 * An HBM vector [H] broadcast to a [P, H] fp32 SBUF tile (kernels.md: loaded once as [1, H] and broadcast over
 * partitions): one DMA into a single partition, then per 512-column chunk a TensorE matmul with a ones row
 * (onesᵀ · v: one exact product per element; the ones are flagged 0/1, which halves the fp32 matmul) and a copy out of
 * PSUM, alternating VectorE and ScalarE.
 */
export function broadcastRow(v: Tensor, name: string): Tensor {
  const H = v.shape[0];
  const row = nl.load(v.reshape([1, H]), { dtype: nl.float32, name: `${name}Row` });
  const ones = nisa.memset([1, P], 1, nl.float32, { name: 'ones' });
  const out = nl.ndarray([P, H], nl.float32, { name });
  for (const c of nl.affineRange(Math.ceil(H / BANK))) {
    const cols = nl.ds(c * BANK, Math.min(BANK, H - c * BANK));
    const ps = nisa.ncMatmul(ones, row.get(':', cols), { isStationaryOnezero: true, accumulate: false });
    nisa.tensorCopy(ps, { dst: out.get(':', cols), engine: c % 2 ? 'scalar' : 'vector' });
  }
  return out;
}

/** The 128-row tiles of `rows` rows, the last one ragged: [first row, row count]. */
export function rowTiles(rows: number): [number, number][] {
  return Array.from({ length: Math.ceil(rows / P) }, (_, t) => [t * P, Math.min(P, rows - t * P)]);
}

/** Input specs of a row-wise kernel: x [rows, cols], then per-column vectors [cols]. */
export function rowSpecs(rows: number, cols: number, dtype: DType, vectors: number) {
  return [
    { shape: [rows, cols], dtype },
    ...Array.from({ length: vectors }, () => ({ shape: [cols], dtype })),
  ];
}

/** Per-row statistics of the reference: mean and population variance in fp64. */
export function rowMoments(x: HostArray, r: number, cols: number): { mean: number; variance: number } {
  let s = 0;
  for (let c = 0; c < cols; c++) s += x.data[r * cols + c];
  const mean = s / cols;
  let v = 0;
  for (let c = 0; c < cols; c++) v += (x.data[r * cols + c] - mean) ** 2;
  return { mean, variance: v / cols };
}
