import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel } from './library.ts';
import { pipelineTiles } from './pipeline.ts';

const P = nl.tileSize.pmax;
/** Score columns per PSUM bank (fp32). */
const KC = nl.tileSize.psumFmax;
/** kernels.md: softmax(0.125 · Q Kᵀ); masked logits are −9984.0. */
export const SD_SCALE = 0.125;
export const SD_MASKED = -9984;

/**
 * The Stable Diffusion fused self-attention (kernels.md): out = softmax(0.125 · Q Kᵀ) · V with an optional causal
 * mask, for Q, K, V [seq, d] in fp32, computed in bf16 with fp32 accumulation. Kᵀ [d, seq] and V [seq, d] are loaded
 * once (cast to bf16 by the DMA; K transposed on TensorE so d is on partitions). Per 128-row Q tile: Qᵀ (TensorE
 * transpose, scaled by 0.125 on the way out of PSUM, exact in bf16), Q Kᵀ into PSUM 512 columns at a time and copied
 * to an SBUF score row (the diagonal chunk masked with −9984 by GpSimd's affine_select; chunks wholly above the
 * diagonal are skipped, as their exponentials are exactly 0), the row max, exp with bias −max and the row sum
 * (ScalarE, P in bf16), P transposed 128 columns at a time on TensorE, P·V accumulated in PSUM, and a divide by the
 * row sum at the end. Q tiles are software-pipelined: the next tile's scores are issued before this tile's P·V.
 */
function sdAttentionFor(causal: boolean) {
  return kernel(function sdAttention(q: Tensor, k: Tensor, v: Tensor) {
    const [seq, d] = q.shape;
    const nT = seq / P;
    const out = nl.ndarray([seq, d], q.dtype, { buffer: nl.sharedHbm });
    const kT = nl.ndarray([d, seq], nl.bfloat16, { name: 'kT' });
    const vs = nl.ndarray([P, nT, d], nl.bfloat16, { name: 'v' });
    for (const t of nl.affineRange(nT)) {
      const rows = nl.ds(t * P, P);
      const kt = nl.load(k.get(rows, ':'), { dtype: nl.bfloat16, name: 'kTile' });
      nisa.tensorCopy(nisa.ncTranspose(kt), { dst: kT.get(':', rows), engine: t % 2 ? 'scalar' : 'vector' });
      nisa.dmaCopy(vs.get(':', t, ':'), v.get(rows, ':'));
    }
    pipelineTiles(
      nT,
      (i) => {
        const qt = nl.load(q.get(nl.ds(i * P, P), ':'), { dtype: nl.bfloat16, name: 'qTile' });
        const qT = nisa.activation('copy', nisa.ncTranspose(qt), { scale: SD_SCALE, name: 'qT' });
        const kLen = causal ? (i + 1) * P : seq;
        const scores = nl.ndarray([P, kLen], nl.float32, { name: 'scores' });
        for (let c = 0; c * KC < kLen; c++) {
          const cols = nl.ds(c * KC, Math.min(KC, kLen - c * KC));
          const s = nisa.ncMatmul(qT, kT.get(':', cols), { name: 'qk' });
          const dst = scores.get(':', cols);
          nisa.tensorCopy(s, { dst, engine: c % 2 ? 'scalar' : 'vector' });
          // Keep k ≤ q: (i·128 + p) − (c·512 + f) ≥ 0; only the chunk holding the diagonal has masked entries.
          if (causal && cols.start + cols.size > i * P) {
            nisa.affineSelect(dst, SD_MASKED, {
              dst,
              pattern: [[-1, cols.size]],
              offset: i * P - cols.start,
              channelMultiplier: 1,
              cmpOp: 'greaterEqual',
            });
          }
        }
        const negMax = nisa.tensorReduce('maximum', scores, 1, {
          negate: true,
          keepdims: true,
          name: 'negMax',
        });
        return { scores, negMax, kLen };
      },
      (i, { scores, negMax, kLen }) => {
        const sum = nl.ndarray([P, 1], nl.float32, { name: 'sum' });
        const p = nisa.activation('exp', scores, {
          bias: negMax,
          reduceRes: sum,
          dtype: nl.bfloat16,
          name: 'p',
        });
        const o = nl.ndarray([P, d], nl.float32, { buffer: nl.psum, name: 'o' });
        for (let j = 0; j < kLen / P; j++) {
          const pT = nisa.tensorCopy(nisa.ncTranspose(p.get(':', nl.ds(j * P, P))), {
            engine: j % 2 ? 'scalar' : 'vector',
            name: 'pT',
          });
          nisa.ncMatmul(pT, vs.get(':', j, ':'), { dst: o, accumulate: j > 0 });
        }
        const y = nisa.tensorScalar(o, 'divide', sum, { dtype: q.dtype, name: 'y' });
        nl.store(out.get(nl.ds(i * P, P), ':'), y);
      },
    );
    return out;
  });
}

const sdAttentionKernel = sdAttentionFor(false);
const sdAttentionCausalKernel = sdAttentionFor(true);

/** The plain-TS reference: softmax(0.125 · Q Kᵀ) · V in fp64 from the fp32 inputs, keys k ≤ q when causal. */
export function sdAttentionReference(
  q: HostArray,
  k: HostArray,
  v: HostArray,
  causal: boolean,
): Float64Array {
  const [seq, d] = q.shape;
  const out = new Float64Array(seq * d);
  const s = new Float64Array(seq);
  for (let i = 0; i < seq; i++) {
    const n = causal ? i + 1 : seq;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < d; c++) dot += q.data[i * d + c] * k.data[j * d + c];
      s[j] = SD_SCALE * dot;
      max = Math.max(max, s[j]);
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      s[j] = Math.exp(s[j] - max);
      sum += s[j];
    }
    for (let j = 0; j < n; j++) {
      const w = s[j] / sum;
      for (let c = 0; c < d; c++) out[i * d + c] += w * v.data[j * d + c];
    }
  }
  return out;
}

function dims(shape: Readonly<Record<string, number>>) {
  const s = requireShape('sd-attention', shape, ['seq', 'd', 'causal'], ['causal']);
  if (s.seq % P !== 0) throw new RangeError(`sd-attention: seq ${s.seq} must be a multiple of ${P}`);
  if (s.d > P) throw new RangeError(`sd-attention: d ${s.d} must be at most ${P}`);
  if (s.causal > 1) throw new RangeError(`sd-attention: causal is 0 or 1, got ${s.causal}`);
  return s;
}

export const sdAttention: LibraryKernel = {
  name: 'sd-attention',
  description:
    'Stable Diffusion fused self-attention: softmax(0.125 · Q Kᵀ) · V, Q, K, V [seq, d], optional causal mask',
  shapeParams: ['seq', 'd', 'causal'],
  defaultShape: { seq: 512, d: 64, causal: 0 },
  // kernels.md: seq 4096, d 64 and 128 (TILEKIT_FULL: ~1 min each on the host); npm test runs seq 512.
  testShapes: [
    { seq: 512, d: 64, causal: 0 },
    { seq: 512, d: 128, causal: 1 },
  ],
  fullTestShapes: [
    { seq: 4096, d: 64, causal: 0 },
    { seq: 4096, d: 128, causal: 0 },
    { seq: 4096, d: 64, causal: 1 },
  ],
  dtypes: ['float32'],
  build(shape, dtype) {
    const { seq, d, causal } = dims(shape);
    const spec = { shape: [seq, d], dtype };
    return { kernel: causal ? sdAttentionCausalKernel : sdAttentionKernel, inputs: [spec, spec, spec] };
  },
  reference: (shape, [q, k, v]) => [sdAttentionReference(q, k, v, shape.causal === 1)],
  // kernels.md: atol 1e-2 (bf16 operands: q·k errs by ~2^-9·√d relative, P by 2^-8).
  tolerance: (): Tolerance => ({ atol: 1e-2, rtol: 0 }),
};
