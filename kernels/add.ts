import { kernel, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';

/** One program's tile (kernels.md: tensor add, one [128, 512] tile per program). */
export const ADD_TILE = { rows: 128, cols: 512 } as const;

/** c = a + b. SPMD: program (i, j) of the grid [rows/128, cols/512] adds tile (i, j). */
export const addKernel = kernel(function add(a: Tensor, b: Tensor) {
  const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm });
  const rows = nl.ds(nl.programId(0) * ADD_TILE.rows, ADD_TILE.rows);
  const cols = nl.ds(nl.programId(1) * ADD_TILE.cols, ADD_TILE.cols);
  const x = nl.load(a.get(rows, cols));
  const y = nl.load(b.get(rows, cols));
  nl.store(out.get(rows, cols), nl.add(x, y));
  return out;
});

/** The plain-TS reference: a + b in fp64 from the (already rounded) inputs. */
export function addReference(a: HostArray, b: HostArray): Float64Array {
  const c = new Float64Array(a.data.length);
  for (let i = 0; i < c.length; i++) c[i] = a.data[i] + b.data[i];
  return c;
}

function dims(shape: ShapeParams): { rows: number; cols: number } {
  const { rows, cols } = requireShape('add', shape, ['rows', 'cols']);
  if (rows % ADD_TILE.rows !== 0 || cols % ADD_TILE.cols !== 0) {
    throw new RangeError(
      `add: rows ${rows} and cols ${cols} must be multiples of the ${ADD_TILE.rows}x${ADD_TILE.cols} program tile`,
    );
  }
  return { rows, cols };
}

export const add: LibraryKernel = {
  name: 'add',
  description: 'tensor add, SPMD: c = a + b, one [128, 512] tile per program on a [rows/128, cols/512] grid',
  shapeParams: ['rows', 'cols'],
  defaultShape: { rows: 256, cols: 1024 },
  // kernels.md: 256×1024, grid (2, 2); its 512×2048 (on two trn2 cores there) runs here as one core's grid (4, 4).
  testShapes: [
    { rows: 256, cols: 1024 },
    { rows: 512, cols: 2048 },
  ],
  dtypes: ['float16', 'bfloat16', 'float32'],
  build(shape: ShapeParams, dtype: DType) {
    const { rows, cols } = dims(shape);
    const spec = { shape: [rows, cols], dtype };
    return { kernel: addKernel.grid(rows / ADD_TILE.rows, cols / ADD_TILE.cols), inputs: [spec, spec] };
  },
  reference: (_shape, [a, b]) => [addReference(a, b)],
  // kernels.md. The kernel rounds the exact sum once to the output dtype: at most 2^-8 relative for bf16 (2^-11 for
  // fp16), well inside rtol 1e-2.
  tolerance: () => ({ atol: 1e-4, rtol: 1e-2 }),
};
