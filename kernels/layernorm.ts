import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { resolveMeta } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';
import { BANK, broadcastRow, rowMoments, rowShape, rowSpecs, rowTiles } from './rows.ts';

/** kernels.md: ε = 1e-5, biased (population) variance. */
export const LAYERNORM_EPS = 1e-5;
/** bn_stats reads at most 512 elements per partition (nl.tile_size.bn_stats_fmax). */
const STATS_CHUNK = nl.tileSize.bnStatsFmax;

/**
 * Meta-parameters of layernorm v2: `poolAdd` = 1 adds β on GpSimd (from an SBUF ·γ result) instead of VectorE. On
 * NeuronCore-v3 GpSimd and VectorE share SBUF (neuroncore.md §3.7), so this takes a pass off VectorE, the busiest
 * engine; on v2 they cannot access SBUF at the same time, so trn1 keeps the add on VectorE.
 */
const DEFAULT_META = { trn1: { poolAdd: 0 }, trn2: { poolAdd: 1 } } as const;

/**
 * LayerNorm v2 (kernels.md): y = (x − E[x]) / √(Var[x] + ε) · γ + β per row. Rows on partitions in 128-row tiles (the
 * last one ragged); γ and β loaded once as [1, H] and broadcast to [128, H]. Per tile: bn_stats over 512-column chunks
 * (VectorE) and one bn_aggr give mean and variance; rsqrt(var + ε) on ScalarE; then per 512-column chunk one
 * tensor_scalar (subtract the mean, multiply by the rsqrt; fused into a ScalarE activation as x·rstd + (−mean·rstd))
 * into PSUM, ·γ (VectorE, PSUM × SBUF: one pass) and +β (VectorE from PSUM, or GpSimd: `poolAdd`) written over x's
 * chunk, and one store of the whole tile. Reading one operand from PSUM halves VectorE's two-input cost
 * (neuroncore.md §2.1 tensor_tensor), and the ScalarE step keeps VectorE to three passes per element at most.
 */
function layernormV2(poolAdd: boolean) {
  return kernel(function layernorm(x: Tensor, gamma: Tensor, beta: Tensor) {
    const [rows, H] = x.shape;
    const out = nl.ndarray([rows, H], x.dtype, { buffer: nl.sharedHbm });
    const g = broadcastRow(gamma, 'gamma');
    const b = broadcastRow(beta, 'beta');
    const nStats = Math.ceil(H / STATS_CHUNK);
    for (const [r0, n] of rowTilesLoop(rows)) {
      const r = nl.ds(r0, n);
      const xt = nl.load(x.get(r, ':'), { name: 'x' });
      const stats = nl.ndarray([n, nStats, 6], nl.float32, { name: 'stats' });
      for (let c = 0; c < nStats; c++) {
        const cols = nl.ds(c * STATS_CHUNK, Math.min(STATS_CHUNK, H - c * STATS_CHUNK));
        nisa.bnStats(xt.get(':', cols), { dst: stats.get(':', c, ':') });
      }
      const mv = nisa.bnAggr(stats, { name: 'meanVar' });
      const rstd = nisa.activation('rsqrt', mv.get(':', [1, 2]), { bias: LAYERNORM_EPS, name: 'rstd' });
      const nmr = nisa.tensorScalar(mv.get(':', [0, 1]), 'multiply', rstd, {
        op1: 'multiply',
        operand1: -1,
        name: 'negMeanRstd',
      });
      for (const c of nl.affineRange(Math.ceil(H / BANK))) {
        const cols = nl.ds(c * BANK, Math.min(BANK, H - c * BANK));
        const xh = nl.ndarray([n, cols.size], nl.float32, { buffer: nl.psum, name: 'xhat' });
        nisa.activation('copy', xt.get(':', cols), { scale: rstd, bias: nmr, dst: xh });
        const gx = nl.ndarray([n, cols.size], nl.float32, {
          buffer: poolAdd ? nl.sbuf : nl.psum,
          name: 'gx',
        });
        nisa.tensorTensor(xh, g.get([0, n], cols), 'multiply', { dst: gx });
        nisa.tensorTensor(gx, b.get([0, n], cols), 'add', {
          dst: xt.get(':', cols),
          engine: poolAdd ? 'gpsimd' : 'vector',
        });
      }
      nl.store(out.get(r, ':'), xt);
    }
    return out;
  });
}

export const layernormKernel = layernormV2(false);
const layernormPoolAddKernel = layernormV2(true);

/**
 * LayerNorm v1 (kernels.md): the same maths with nl ops: mean, mean of squares, var = E[x²] − E[x]²,
 * rsqrt(var + ε), then (x − mean) · rsqrt · γ + β with nl.subtract / nl.multiply / nl.add over whole tiles.
 */
export const layernormV1Kernel = kernel(function layernormV1(x: Tensor, gamma: Tensor, beta: Tensor) {
  const [rows, H] = x.shape;
  const out = nl.ndarray([rows, H], x.dtype, { buffer: nl.sharedHbm });
  const g = nl.broadcastTo(nl.load(gamma.reshape([1, H]), { dtype: nl.float32 }), [128, H]);
  const b = nl.broadcastTo(nl.load(beta.reshape([1, H]), { dtype: nl.float32 }), [128, H]);
  for (const [r0, n] of rowTilesLoop(rows)) {
    const r = nl.ds(r0, n);
    const xt = nl.load(x.get(r, ':'), { dtype: nl.float32 });
    const mean = nl.mean(xt, -1, { keepdims: true });
    const meanSq = nl.mean(nl.square(xt), -1, { keepdims: true });
    const variance = nl.subtract(meanSq, nl.multiply(mean, mean));
    const rstd = nl.rsqrt(nl.add(variance, LAYERNORM_EPS));
    const xhat = nl.multiply(nl.subtract(xt, mean), rstd);
    const y = nl.add(nl.multiply(xhat, g.get([0, n], ':')), b.get([0, n], ':'), { dtype: x.dtype });
    nl.store(out.get(r, ':'), y);
  }
  return out;
});

/** The row tiles as an affine loop: each iteration yields [first row, row count]. */
function* rowTilesLoop(rows: number): Generator<[number, number]> {
  const tiles = rowTiles(rows);
  for (const t of nl.affineRange(tiles.length)) yield tiles[t];
}

/** The plain-TS reference: layernorm per row in fp64 from the (already rounded) inputs. */
export function layernormReference(x: HostArray, gamma: HostArray, beta: HostArray): Float64Array {
  const [rows, cols] = x.shape;
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const { mean, variance } = rowMoments(x, r, cols);
    const rstd = 1 / Math.sqrt(variance + LAYERNORM_EPS);
    for (let c = 0; c < cols; c++) {
      y[r * cols + c] = (x.data[r * cols + c] - mean) * rstd * gamma.data[c] + beta.data[c];
    }
  }
  return y;
}

// kernels.md: atol 1e-3, rtol 1e-2. The kernel rounds to fp32 at each step; measured errors are ~1e-6.
const tolerance = (): Tolerance => ({ atol: 1e-3, rtol: 1e-2 });
const reference = (_shape: ShapeParams, [x, g, b]: readonly HostArray[]) => [layernormReference(x, g, b)];

function entry(
  name: string,
  description: string,
  k: typeof layernormKernel,
  meta?: Pick<LibraryKernel, 'metaParams' | 'defaultMeta'> & {
    kernelFor(chip: string, m: ShapeParams | undefined): typeof layernormKernel;
  },
): LibraryKernel {
  return {
    name,
    description,
    shapeParams: ['rows', 'cols'],
    defaultShape: { rows: 250, cols: 512 },
    // kernels.md: 250×512 and 4096×8192 fp32. 300×2048 keeps several bn_stats chunks and a ragged last tile in
    // `npm test`; 4096×8192 (~2 min of host time) runs with TILEKIT_FULL=1.
    testShapes: [
      { rows: 250, cols: 512 },
      { rows: 300, cols: 2048 },
    ],
    fullTestShapes: [{ rows: 4096, cols: 8192 }],
    dtypes: ['float32'],
    metaParams: meta?.metaParams,
    defaultMeta: meta?.defaultMeta,
    build(shape, dtype, opts) {
      const { rows, cols } = rowShape(name, shape);
      const kernel = meta ? meta.kernelFor(opts?.chip ?? 'trn1', opts?.meta) : k;
      return { kernel, inputs: rowSpecs(rows, cols, dtype, 2) };
    },
    reference,
    tolerance,
  };
}

export const layernorm = entry(
  'layernorm',
  'layernorm v2: bn_stats over 512-wide chunks + bn_aggr, then one tensor_scalar; γ, β broadcast once',
  layernormKernel,
  {
    metaParams: ['poolAdd'],
    defaultMeta: (chip) => ({ ...(chip === 'trn2' ? DEFAULT_META.trn2 : DEFAULT_META.trn1) }),
    kernelFor(chip, m) {
      const defaults = chip === 'trn2' ? DEFAULT_META.trn2 : DEFAULT_META.trn1;
      const { poolAdd } = resolveMeta('layernorm', { ...defaults }, m, ['poolAdd']);
      if (poolAdd !== 0 && poolAdd !== 1) {
        throw new RangeError(`layernorm: meta-parameter 'poolAdd' is 0 or 1, got ${poolAdd}`);
      }
      return poolAdd ? layernormPoolAddKernel : layernormKernel;
    },
  },
);

export const layernormV1 = entry(
  'layernorm-v1',
  'layernorm v1 with nl ops: mean, mean of squares, var = E[x²] − E[x]², rsqrt, then · γ + β',
  layernormV1Kernel,
);
