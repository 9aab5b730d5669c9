import { kernel, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray } from '../ir/host.ts';
import { requireShape, resolveMeta } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';

/** kernels.md's program tile: tensor add, one [128, 512] tile per program. */
export const ADD_TILE = { rows: 128, cols: 512 } as const;

/**
 * Meta-parameters: each program adds `rowTiles` tiles of [128, cols] stacked in rows. kernels.md's layout is
 * { cols: 512, rowTiles: 1 }. The default moves 4096 columns per partition per DMA (16 KiB in fp32, 8 KiB in bf16),
 * where the per-descriptor cost is 5-10 % of the transfer instead of ~30 % at 512 fp32 columns (neuroncore.md §3.8:
 * ≥ 4 KiB per partition saturates), and loops over 2 row tiles so the allocator double-buffers: the next tile loads
 * while this one is added and stored.
 */
export interface AddMeta {
  readonly cols: number;
  readonly rowTiles: number;
}

const DEFAULT_META: AddMeta = { cols: 4096, rowTiles: 2 };

/** c = a + b. SPMD: program (i, j) of the grid [rows / (128·rowTiles), cols / tileCols] adds its block. */
function addKernelFor(tileCols: number, rowTiles: number) {
  return kernel(function add(a: Tensor, b: Tensor) {
    const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm });
    const cols = nl.ds(nl.programId(1) * tileCols, tileCols);
    for (const t of nl.affineRange(rowTiles)) {
      const rows = nl.ds((nl.programId(0) * rowTiles + t) * ADD_TILE.rows, ADD_TILE.rows);
      const x = nl.load(a.get(rows, cols));
      const y = nl.load(b.get(rows, cols));
      nl.store(out.get(rows, cols), nl.add(x, y));
    }
    return out;
  });
}

const kernels = new Map<string, ReturnType<typeof addKernelFor>>();

/** The add kernel for a program block of rowTiles × [128, tileCols], memoised. */
export function addKernel(tileCols: number = ADD_TILE.cols, rowTiles = 1) {
  const key = `${tileCols}x${rowTiles}`;
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = addKernelFor(tileCols, rowTiles)));
  return k;
}

/** The plain-TS reference: a + b in fp64 from the (already rounded) inputs. */
export function addReference(a: HostArray, b: HostArray): Float64Array {
  const c = new Float64Array(a.data.length);
  for (let i = 0; i < c.length; i++) c[i] = a.data[i] + b.data[i];
  return c;
}

/** The program tile's columns: meta `cols` capped at the tensor's columns. */
function layout(shape: ShapeParams, meta: AddMeta) {
  const { rows, cols } = requireShape('add', shape, ['rows', 'cols']);
  if (rows % ADD_TILE.rows !== 0 || cols % ADD_TILE.cols !== 0) {
    throw new RangeError(
      `add: rows ${rows} and cols ${cols} must be multiples of the ${ADD_TILE.rows}x${ADD_TILE.cols} tile`,
    );
  }
  const tileCols = Math.min(meta.cols, cols);
  const rowTiles = Math.min(meta.rowTiles, rows / ADD_TILE.rows);
  if (cols % tileCols !== 0 || (rows / ADD_TILE.rows) % rowTiles !== 0) {
    throw new RangeError(
      `add: rows ${rows} and cols ${cols} must be whole program blocks of ${rowTiles}x[${ADD_TILE.rows}, ${tileCols}]`,
    );
  }
  return { rows, cols, tileCols, rowTiles };
}

export const add: LibraryKernel = {
  name: 'add',
  description:
    'tensor add, SPMD: c = a + b, each program adds rowTiles tiles of [128, cols] (kernels.md: one [128, 512] tile)',
  shapeParams: ['rows', 'cols'],
  defaultShape: { rows: 256, cols: 1024 },
  // kernels.md: 256×1024, grid (2, 2) (meta cols=512, rowTiles=1; add.test.ts); its 512×2048 (on two trn2 cores
  // there) runs here on one core.
  testShapes: [
    { rows: 256, cols: 1024 },
    { rows: 512, cols: 2048 },
  ],
  dtypes: ['float16', 'bfloat16', 'float32'],
  metaParams: ['cols', 'rowTiles'],
  defaultMeta: () => ({ ...DEFAULT_META }),
  build(shape: ShapeParams, dtype: DType, opts) {
    const meta = resolveMeta('add', { ...DEFAULT_META }, opts?.meta);
    const { rows, cols, tileCols, rowTiles } = layout(shape, meta);
    const spec = { shape: [rows, cols], dtype };
    const grid = [rows / (ADD_TILE.rows * rowTiles), cols / tileCols];
    return { kernel: addKernel(tileCols, rowTiles).grid(...grid), inputs: [spec, spec] };
  },
  reference: (_shape, [a, b]) => [addReference(a, b)],
  // kernels.md. The kernel rounds the exact sum once to the output dtype: at most 2^-8 relative for bf16 (2^-11 for
  // fp16), well inside rtol 1e-2.
  tolerance: () => ({ atol: 1e-4, rtol: 1e-2 }),
};
