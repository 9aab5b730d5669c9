import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel } from './library.ts';
import { pipelineTiles } from './pipeline.ts';
import { rowTiles } from './rows.ts';

/** One instruction reads at most 64K elements per partition, so a whole row must fit that (neuroncore.md §1.4). */
export const SOFTMAX_MAX_COLS = 65536;

/**
 * Row softmax, y = exp(x − max(x)) / Σ exp(x − max(x)) per row. Rows on partitions in tiles of 128, the last tile
 * sliced to the remaining rows. Per tile: the negated row max (VectorE), exp with that bias and its row sum in one
 * ScalarE activation, 1/sum, and one multiply (VectorE). fp32 inputs keep fp32 intermediates. 16-bit inputs keep
 * the max in the input dtype (exact: it is one of the inputs) and the exponentials in it too, so the max reduce runs
 * at two elements per cycle and the final multiply is all-16-bit (trn2's 4x VectorE mode) (neuroncore.md §2.1
 * tensor_reduce, §3.4); the row sum is still accumulated in fp32.
 */
export const softmaxKernel = kernel(function softmax(x: Tensor) {
  const [rows, cols] = x.shape;
  const out = nl.ndarray([rows, cols], x.dtype, { buffer: nl.sharedHbm });
  const inner = x.dtype === 'float32' ? nl.float32 : x.dtype;
  const tiles = rowTiles(rows);
  pipelineTiles(
    tiles.length,
    (t) => {
      const r = nl.ds(...tiles[t]);
      const tile = nl.load(x.get(r, ':'));
      const negMax = nisa.tensorReduce('maximum', tile, 1, {
        dtype: inner,
        negate: true,
        keepdims: true,
        name: 'negMax',
      });
      return { r, tile, negMax };
    },
    (_t, { r, tile, negMax }) => {
      const sum = nl.ndarray([r.size, 1], nl.float32, { name: 'sum' });
      // In place: the exponentials and then y overwrite the loaded tile, so a tile is the only SBUF a row block needs.
      nisa.activation('exp', tile, { bias: negMax, reduceRes: sum, dst: tile });
      const inv = nisa.activation('reciprocal', sum, { name: 'inv' });
      nl.store(out.get(r, ':'), nisa.tensorScalar(tile, 'multiply', inv, { dst: tile }));
    },
  );
  return out;
});

/** The plain-TS reference: row softmax in fp64 from the (already rounded) input, max subtracted first. */
export function softmaxReference(x: HostArray): Float64Array {
  const [rows, cols] = x.shape;
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < cols; c++) max = Math.max(max, x.data[o + c]);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      y[o + c] = Math.exp(x.data[o + c] - max);
      sum += y[o + c];
    }
    for (let c = 0; c < cols; c++) y[o + c] /= sum;
  }
  return y;
}

function tolerance(dtype: DType): Tolerance {
  // kernels.md: atol = rtol = 1e-5 for fp32. Each step rounds once to fp32; the row sum (terms in (e^-2, 1] for
  // inputs in [-1, 1)) errs by ~√cols · 2^-24 relative in practice: measured ≤ 3.3e-6 at 4096×4096.
  if (dtype === 'float32') return { atol: 1e-5, rtol: 1e-5 };
  // Low precision: the reference starts from the same rounded input and the kernel computes in fp32, so the error is
  // the final rounding of y to the output dtype, ≤ 2^-8 relative for bf16 (2^-11 fp16) plus the fp32 error above.
  // rtol 1e-2 holds that with 2.5x margin (measured max 3.9e-3); atol 1e-3 only matters for outputs below 0.1.
  return { atol: 1e-3, rtol: 1e-2 };
}

export const softmax: LibraryKernel = {
  name: 'softmax',
  description: 'row softmax (row max subtracted first), rows on partitions in tiles of 128, ragged last tile',
  shapeParams: ['rows', 'cols'],
  defaultShape: { rows: 250, cols: 512 },
  // kernels.md: 2×5, 250×512 and 4096×4096. A 4096×4096 test takes ~20 s per dtype (two simulated runs for the
  // determinism check), ~41 s for both, so it is in fullTestShapes (TILEKIT_FULL=1); 300×4096 keeps 4096-wide rows
  // and a ragged last tile (44 rows) in `npm test`.
  testShapes: [
    { rows: 2, cols: 5 },
    { rows: 250, cols: 512 },
    { rows: 300, cols: 4096 },
  ],
  fullTestShapes: [{ rows: 4096, cols: 4096 }],
  dtypes: ['float32', 'bfloat16'],
  build(shape, dtype) {
    const { rows, cols } = requireShape('softmax', shape, ['rows', 'cols']);
    if (cols > SOFTMAX_MAX_COLS) {
      throw new RangeError(
        `softmax: cols ${cols} exceeds ${SOFTMAX_MAX_COLS}; a row must fit one instruction`,
      );
    }
    return { kernel: softmaxKernel, inputs: [{ shape: [rows, cols], dtype }] };
  },
  reference: (_shape, [x]) => [softmaxReference(x)],
  tolerance,
};
