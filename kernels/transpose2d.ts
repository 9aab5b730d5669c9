import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel } from './library.ts';

const P = nl.tileSize.pmax;

/**
 * transpose2d (kernels.md): per partition row, the free dim read as (F1, F2) is written as (F2, F1):
 * out[p, f2·F1 + f1] = in[p, f1·F2 + f2]. A free-dim permutation with no cross-partition move. Per 128-row tile: one
 * load, then min(F1, F2) strided copies on VectorE and GpSimd in turn (each moves one row or one column of every
 * partition's F1 × F2 matrix), and one store.
 */
function transpose2dFor(f1: number, f2: number) {
  return kernel(function transpose2d(x: Tensor) {
    const [rows, F] = x.shape;
    const out = nl.ndarray([rows, F], x.dtype, { buffer: nl.sharedHbm });
    for (const t of nl.affineRange(Math.ceil(rows / P))) {
      const r = nl.ds(t * P, Math.min(P, rows - t * P));
      const src = nl.load(x.get(r, ':'), { name: 'in' });
      const dst = nl.ndarray([r.size, F], x.dtype, { name: 'out' });
      const byRow = f1 <= f2;
      for (let i = 0; i < Math.min(f1, f2); i++) {
        const engine = i % 2 ? 'gpsimd' : 'vector';
        // Row i of the F1 × F2 matrix (contiguous) to column i of the F2 × F1 result (stride F1), or the other way.
        if (byRow)
          nisa.tensorCopy(src.get(':', nl.ds(i * f2, f2)), { dst: dst.get(':', nl.ds(i, f2, f1)), engine });
        else
          nisa.tensorCopy(src.get(':', nl.ds(i, f1, f2)), { dst: dst.get(':', nl.ds(i * f1, f1)), engine });
      }
      nl.store(out.get(r, ':'), dst);
    }
    return out;
  });
}

const kernels = new Map<string, ReturnType<typeof transpose2dFor>>();
export function transpose2dKernel(f1: number, f2: number) {
  const key = `${f1}x${f2}`;
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = transpose2dFor(f1, f2)));
  return k;
}

/** The plain-TS reference: out[p, f2·F1 + f1] = in[p, f1·F2 + f2]. */
export function transpose2dReference(x: HostArray, f1: number, f2: number): Float64Array {
  const rows = x.shape[0];
  const F = f1 * f2;
  const y = new Float64Array(rows * F);
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < f1; i++)
      for (let j = 0; j < f2; j++) y[p * F + j * f1 + i] = x.data[p * F + i * f2 + j];
  }
  return y;
}

export const transpose2d: LibraryKernel = {
  name: 'transpose2d',
  description: 'per-partition free-dim transpose: each row read as [f1, f2] is written as [f2, f1]',
  shapeParams: ['rows', 'f1', 'f2'],
  defaultShape: { rows: 5, f1: 37, f2: 44 },
  // kernels.md: 5×(3·4) int8 and 5×(37·44) fp32 (each shape runs in both dtypes); 300×(8·16) adds full and ragged
  // 128-row tiles.
  testShapes: [
    { rows: 5, f1: 3, f2: 4 },
    { rows: 5, f1: 37, f2: 44 },
    { rows: 300, f1: 16, f2: 8 },
  ],
  dtypes: ['float32', 'int8'],
  build(shape, dtype) {
    const { rows, f1, f2 } = requireShape('transpose2d', shape, ['rows', 'f1', 'f2']);
    return { kernel: transpose2dKernel(f1, f2), inputs: [{ shape: [rows, f1 * f2], dtype }] };
  },
  reference: (shape, [x]) => [transpose2dReference(x, shape.f1, shape.f2)],
  // kernels.md: exact (copies only).
  tolerance: (): Tolerance => ({ atol: 0, rtol: 0 }),
};
