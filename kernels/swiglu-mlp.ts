import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import { roundTo } from '../ir/dtypes.ts';
import { type HostArray, randomArray, type Tolerance } from '../ir/host.ts';
import { requireShape, resolveMeta } from './checks.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';
import { emitPipelinedMatmul, PIPELINED_DEFAULT_META, type PipelinedMeta } from './matmul-pipelined.ts';

const P = nl.tileSize.pmax;

/**
 * Meta-parameters: the gate/up phase runs the pipelined matmul with two lhsT operands, so its default M block is
 * half the plain matmul's (two lhsT blocks and two accumulators must fit SBUF); the down phase uses the plain defaults.
 */
const DEFAULT_META = { upBm: 8, downBm: PIPELINED_DEFAULT_META.bm } as const;

/**
 * Llama MLP (SwiGLU, kernels.md): y = (silu(x·Wg) ∘ (x·Wu))·Wd for x [tokens, hidden], Wg and Wu [hidden,
 * intermediate], Wd [intermediate, hidden], bf16 with fp32 accumulation. Three phases, each streaming its weights as
 * TensorE operand tiles:
 * 1. xᵀ [hidden, tokens] into a private HBM scratch: per 128-token row tile, TensorE transposes of its 128×128 blocks;
 * 2. aᵀ [intermediate, tokens] = silu(Wgᵀ xᵀ) ∘ (Wuᵀ xᵀ): one pipelined matmul whose two lhsT (Wg, Wu, in their
 *    natural layout) share the xᵀ loads; per finished row silu on ScalarE, the product on VectorE, rounded to bf16;
 * 3. y = aᵀᵀ · Wd: the pipelined matmul with lhsT = aᵀ and rhs = Wd.
 */
function swigluFor(upBm: number, downBm: number) {
  const up: PipelinedMeta = { ...PIPELINED_DEFAULT_META, bm: upBm };
  const down: PipelinedMeta = { ...PIPELINED_DEFAULT_META, bm: downBm };
  return kernel(function swigluMlp(x: Tensor, wg: Tensor, wu: Tensor, wd: Tensor) {
    const [T, H] = x.shape;
    const I = wg.shape[1];
    const y = nl.ndarray([T, H], x.dtype, { buffer: nl.sharedHbm });
    const xT = nl.ndarray([H, T], x.dtype, { buffer: nl.hbm, name: 'xT' });
    const aT = nl.ndarray([I, T], x.dtype, { buffer: nl.hbm, name: 'aT' });

    // 1. xᵀ: 4 blocks per PSUM tile, one copy out per 4, one store per 128×512 block of xᵀ.
    for (const t of nl.affineRange(T / P)) {
      const xt = nl.load(x.get(nl.ds(t * P, P), ':'), { name: 'x' });
      for (let h0 = 0; h0 < H; h0 += 4 * P) {
        const nh = Math.min(4, (H - h0) / P);
        const ps = nl.ndarray([P, nh, P], x.dtype, { buffer: nl.psum, name: 'xTps' });
        for (let j = 0; j < nh; j++)
          nisa.ncTranspose(xt.get(':', nl.ds(h0 + j * P, P)), { dst: ps.get(':', j, ':') });
        const sb = nisa.tensorCopy(ps, { name: 'xTsb', engine: (h0 / (4 * P)) % 2 ? 'scalar' : 'vector' });
        for (let j = 0; j < nh; j++)
          nl.store(xT.get(nl.ds(h0 + j * P, P), nl.ds(t * P, P)), sb.get(':', j, ':'));
      }
    }

    // 2. aᵀ = silu(gate) ∘ up.
    emitPipelinedMatmul({
      lhsT: [wg, wu],
      rhs: xT,
      meta: up,
      stageDtype: x.dtype,
      finish: ({ acc: [g, u], r0, c0, width, stage }) => {
        const sg = nisa.activation('silu', g, { dtype: nl.float32, name: 'siluGate' });
        nisa.tensorTensor(sg, u, 'multiply', { dst: stage });
        nl.store(aT.get(nl.ds(r0, P), nl.ds(c0, width)), stage);
      },
    });

    // 3. y = a · Wd.
    emitPipelinedMatmul({
      lhsT: [aT],
      rhs: wd,
      meta: down,
      stageDtype: x.dtype,
      finish: ({ acc: [acc], r0, c0, width, stage }) => {
        nisa.activation('copy', acc, { dst: stage });
        nl.store(y.get(nl.ds(r0, P), nl.ds(c0, width)), stage);
      },
    });
    return y;
  });
}

const kernels = new Map<string, ReturnType<typeof swigluFor>>();
function kernelFor(upBm: number, downBm: number) {
  const key = `${upBm}:${downBm}`;
  let k = kernels.get(key);
  if (!k) kernels.set(key, (k = swigluFor(upBm, downBm)));
  return k;
}

const silu = (v: number) => v / (1 + Math.exp(-v));
const toF64 = (a: HostArray) => Float64Array.from(a.data);

/**
 * The plain-TS reference in fp64 from the same bf16 inputs. The kernel rounds the activation a = silu(g)·u to bf16
 * before the down projection (it is a bf16 operand of TensorE), as a bf16 MLP does; the reference rounds it too, so
 * the comparison measures the kernel's arithmetic, not the choice of intermediate precision.
 */
export function swigluReference(x: HostArray, wg: HostArray, wu: HostArray, wd: HostArray): Float64Array {
  const [T, H] = x.shape;
  const I = wg.shape[1];
  const [xs, g, u, d] = [x, wg, wu, wd].map(toF64);
  const a = new Float64Array(I);
  const gate = new Float64Array(I);
  const upv = new Float64Array(I);
  const y = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    gate.fill(0);
    upv.fill(0);
    for (let h = 0; h < H; h++) {
      const xv = xs[t * H + h];
      const o = h * I;
      for (let i = 0; i < I; i++) {
        gate[i] += xv * g[o + i];
        upv[i] += xv * u[o + i];
      }
    }
    for (let i = 0; i < I; i++) a[i] = roundTo('bfloat16', silu(gate[i]) * upv[i]);
    for (let i = 0; i < I; i++) {
      const av = a[i];
      const o = i * H;
      for (let h = 0; h < H; h++) y[t * H + h] += av * d[o + h];
    }
  }
  return y;
}

function dims(shape: ShapeParams) {
  const s = requireShape('swiglu-mlp', shape, ['tokens', 'hidden', 'intermediate']);
  for (const k of ['tokens', 'hidden', 'intermediate'] as const) {
    if (s[k] % P !== 0) throw new RangeError(`swiglu-mlp: ${k} ${s[k]} must be a multiple of ${P}`);
  }
  if (s.tokens > 512 && s.tokens % 1024 !== 0) {
    throw new RangeError(`swiglu-mlp: tokens ${s.tokens} above 512 must be a multiple of 1024`);
  }
  if (s.hidden > 512 && s.hidden % 1024 !== 0) {
    throw new RangeError(`swiglu-mlp: hidden ${s.hidden} above 512 must be a multiple of 1024`);
  }
  return s;
}

export const swigluMlp: LibraryKernel = {
  name: 'swiglu-mlp',
  description:
    'Llama MLP: y = (silu(x·Wg) ∘ (x·Wu))·Wd, x [tokens, hidden], weights streamed through TensorE',
  shapeParams: ['tokens', 'hidden', 'intermediate'],
  defaultShape: { tokens: 128, hidden: 512, intermediate: 1024 },
  // kernels.md: hidden 4096, intermediate 11008 or 14336, tokens 128 and 2048, bf16. The tokens-128 shapes run with
  // TILEKIT_FULL=1 (~1 min each); tokens 2048 (16x the work) is benchmarked, not simulated functionally. npm test
  // runs ragged blocks (intermediate 1152 = 9 tiles) at small sizes.
  testShapes: [
    { tokens: 128, hidden: 512, intermediate: 1152 },
    { tokens: 256, hidden: 256, intermediate: 384 },
  ],
  fullTestShapes: [
    { tokens: 128, hidden: 4096, intermediate: 11008 },
    { tokens: 128, hidden: 4096, intermediate: 14336 },
  ],
  dtypes: ['bfloat16'],
  metaParams: ['upBm', 'downBm'],
  defaultMeta: () => ({ ...DEFAULT_META }),
  build(shape, dtype, opts) {
    const { tokens, hidden, intermediate } = dims(shape);
    const m = resolveMeta('swiglu-mlp', { ...DEFAULT_META }, opts?.meta);
    return {
      kernel: kernelFor(m.upBm, m.downBm),
      inputs: [
        { shape: [tokens, hidden], dtype },
        { shape: [hidden, intermediate], dtype },
        { shape: [hidden, intermediate], dtype },
        { shape: [intermediate, hidden], dtype },
      ],
    };
  },
  // x uniform in [−1, 1); each weight uniform in ±1/√fan_in (a Linear layer's initialisation), so activations stay
  // O(1) and atol 1e-2 is meaningful at hidden 4096 (kernels.md: uniform inputs unless a kernel needs otherwise).
  inputs(shape, dtype, seed) {
    const { tokens, hidden, intermediate } = dims(shape);
    const scaled = (shape2: number[], fanIn: number, s: number) =>
      randomArray(shape2, dtype, s, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn));
    return [
      randomArray([tokens, hidden], dtype, seed * 1000),
      scaled([hidden, intermediate], hidden, seed * 1000 + 1),
      scaled([hidden, intermediate], hidden, seed * 1000 + 2),
      scaled([intermediate, hidden], intermediate, seed * 1000 + 3),
    ];
  },
  reference: (_shape, [x, wg, wu, wd]) => [swigluReference(x, wg, wu, wd)],
  // kernels.md: atol 1e-2, rtol 1e-2 (bf16 output: 2^-8 relative).
  tolerance: (): Tolerance => ({ atol: 1e-2, rtol: 1e-2 }),
};
