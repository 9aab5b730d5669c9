import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { resolveMeta } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';
import { pipelineTiles } from './pipeline.ts';
import { broadcastRow, rowShape, rowSpecs, rowTiles } from './rows.ts';

/** Llama's rms_norm_eps; kernels.md: NKI's tutorial uses no ε (meta eps = 0). */
export const RMSNORM_EPS = 1e-6;

/**
 * RMSNorm (kernels.md): y = x / √(mean(x²) + ε) · g per row. Rows on partitions in 128-row tiles (the last one
 * ragged), g loaded once as [1, H] and broadcast to [128, H]. Per tile: Σx² as the add-reduce of one ScalarE square
 * (its elementwise output, unused, goes to a bf16 scratch row), 1/√(Σx²/H + ε) in one ScalarE activation (scale 1/H,
 * bias ε), then y = (x · rstd) · g in one VectorE scalar_tensor_tensor written over x, and one store. Tiles are
 * software-pipelined so ScalarE squares tile t + 1 while VectorE scales tile t.
 */
function rmsnormFor(eps: number) {
  return kernel(function rmsnorm(x: Tensor, g: Tensor) {
    const [rows, H] = x.shape;
    const out = nl.ndarray([rows, H], x.dtype, { buffer: nl.sharedHbm });
    const gb = broadcastRow(g, 'g');
    const scratch = nl.ndarray([128, H], nl.bfloat16, { name: 'squares' });
    const tiles = rowTiles(rows);
    pipelineTiles(
      tiles.length,
      (t) => {
        const [r0, n] = tiles[t];
        const xt = nl.load(x.get(nl.ds(r0, n), ':'), { name: 'x' });
        const ss = nl.ndarray([n, 1], nl.float32, { name: 'sumSq' });
        nisa.activation('square', xt, { reduceRes: ss, dst: scratch.get([0, n], ':') });
        const rstd = nisa.activation('rsqrt', ss, { scale: 1 / H, bias: eps, name: 'rstd' });
        return { xt, rstd };
      },
      (t, { xt, rstd }) => {
        const [r0, n] = tiles[t];
        nisa.scalarTensorTensor(xt, 'multiply', rstd, 'multiply', gb.get([0, n], ':'), { dst: xt });
        nl.store(out.get(nl.ds(r0, n), ':'), xt);
      },
    );
    return out;
  });
}

const kernels = new Map<number, ReturnType<typeof rmsnormFor>>();
/** The RMSNorm kernel for an ε (0: none, as NKI's tutorial), memoised. */
export function rmsnormKernel(eps = RMSNORM_EPS) {
  let k = kernels.get(eps);
  if (!k) kernels.set(eps, (k = rmsnormFor(eps)));
  return k;
}

/** The plain-TS reference: RMSNorm per row in fp64 from the (already rounded) inputs. */
export function rmsnormReference(x: HostArray, g: HostArray, eps = RMSNORM_EPS): Float64Array {
  const [rows, cols] = x.shape;
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let ss = 0;
    for (let c = 0; c < cols; c++) ss += x.data[r * cols + c] ** 2;
    const rstd = 1 / Math.sqrt(ss / cols + eps);
    for (let c = 0; c < cols; c++) y[r * cols + c] = x.data[r * cols + c] * rstd * g.data[c];
  }
  return y;
}

const epsOf = (meta: ShapeParams | undefined) =>
  resolveMeta('rmsnorm', { eps: RMSNORM_EPS }, meta, ['eps']).eps;

export const rmsnorm: LibraryKernel = {
  name: 'rmsnorm',
  description:
    'RMSNorm: y = x / √(mean(x²) + ε) · g per row, g broadcast once; meta eps (0 = none, NKI tutorial)',
  shapeParams: ['rows', 'cols'],
  defaultShape: { rows: 250, cols: 512 },
  // kernels.md: 128×512 and 250×512 fp32 (both with and without ε: rmsnorm.test.ts).
  testShapes: [
    { rows: 128, cols: 512 },
    { rows: 250, cols: 512 },
  ],
  dtypes: ['float32'],
  metaParams: ['eps'],
  defaultMeta: () => ({ eps: RMSNORM_EPS }),
  build(shape, dtype, opts) {
    const { rows, cols } = rowShape('rmsnorm', shape);
    return { kernel: rmsnormKernel(epsOf(opts?.meta)), inputs: rowSpecs(rows, cols, dtype, 1) };
  },
  reference: (_shape, [x, g]) => [rmsnormReference(x, g)],
  // kernels.md: atol 1e-5, rtol 1e-3. fp32 steps: the sum of squares and the rsqrt err by ~1e-7 relative.
  tolerance: (): Tolerance => ({ atol: 1e-5, rtol: 1e-3 }),
};
