/** Transformer ops with ONNX opset 23 semantics: Attention (causal, GQA) and RotaryEmbedding (rotate-half). */
import type { NDArray, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import { type AttrReader, defineGraphOp, type InferArgs, inType, opFail } from './op-def.ts';

/** Attention geometry: batch, heads, sequence lengths, head sizes, and whether tensors are 3-D [B, S, H·D]. */
export interface AttentionInfo {
  readonly B: number;
  readonly Hq: number;
  readonly Hkv: number;
  readonly Sq: number;
  readonly Skv: number;
  readonly D: number;
  readonly Dv: number;
  readonly threeD: boolean;
  readonly causal: boolean;
  readonly scale: number;
}

export function attentionInfo(attrs: AttrReader, q: StaticType, k: StaticType, v: StaticType): AttentionInfo {
  const rank = q.shape.length;
  if (rank !== 3 && rank !== 4) opFail('TK0805', `Attention Q must be 3-D or 4-D, got [${q.shape}]`);
  if (k.shape.length !== rank || v.shape.length !== rank)
    opFail('TK0805', `Attention Q, K, V must have one rank: [${q.shape}], [${k.shape}], [${v.shape}]`);
  let B: number;
  let Hq: number;
  let Hkv: number;
  let Sq: number;
  let Skv: number;
  let D: number;
  let Dv: number;
  if (rank === 3) {
    Hq = attrs.int('q_num_heads', 0);
    Hkv = attrs.int('kv_num_heads', 0);
    if (Hq <= 0 || Hkv <= 0) opFail('TK0806', 'Attention on 3-D inputs needs q_num_heads and kv_num_heads');
    [B, Sq] = q.shape;
    Skv = k.shape[1];
    if (q.shape[2] % Hq !== 0 || k.shape[2] % Hkv !== 0 || v.shape[2] % Hkv !== 0)
      opFail('TK0805', `Attention hidden sizes do not split into ${Hq} / ${Hkv} heads`);
    D = q.shape[2] / Hq;
    Dv = v.shape[2] / Hkv;
    if (k.shape[2] / Hkv !== D) opFail('TK0805', 'Attention Q and K head sizes differ');
  } else {
    [B, Hq, Sq, D] = q.shape;
    Hkv = k.shape[1];
    Skv = k.shape[2];
    Dv = v.shape[3];
    if (k.shape[3] !== D) opFail('TK0805', 'Attention Q and K head sizes differ');
  }
  if (k.shape[0] !== B || v.shape[0] !== B) opFail('TK0805', 'Attention batch sizes differ');
  if (Hq % Hkv !== 0) opFail('TK0805', `Attention q heads ${Hq} are not a multiple of kv heads ${Hkv}`);
  if (attrs.float('softcap', 0) !== 0) opFail('TK0806', 'Attention softcap is not supported');
  if (attrs.int('qk_matmul_output_mode', 0) !== 0)
    opFail('TK0806', 'Attention qk_matmul_output_mode is not supported');
  const scale = attrs.has('scale') ? attrs.float('scale') : 1 / Math.sqrt(D);
  return { B, Hq, Hkv, Sq, Skv, D, Dv, threeD: rank === 3, causal: attrs.int('is_causal', 0) === 1, scale };
}

export const Attention = defineGraphOp({
  summary: 'softmax(scale · Q Kᵀ (+ mask, causal)) V per head; 3-D [B, S, H·D] or 4-D [B, H, S, D]; GQA',
  arity: [3, 4],
  fusion: 'kernel',
  infer: (a: InferArgs) => {
    const q = inType(a, 0);
    const info = attentionInfo(a.attrs, q, inType(a, 1), inType(a, 2));
    if (a.outputs > 1) opFail('TK0806', 'Attention present_key/value outputs are not supported');
    const mask = a.inputs[3];
    if (mask && numelOf(mask.shape) !== info.Sq * info.Skv)
      opFail('TK0805', `Attention mask [${mask.shape}] must be [${info.Sq}, ${info.Skv}]`);
    const shape = info.threeD ? [info.B, info.Sq, info.Hq * info.Dv] : [info.B, info.Hq, info.Sq, info.Dv];
    return [{ shape, dtype: q.dtype }];
  },
  evaluate: ({ inputs: [q, k, v, mask], attrs, outputTypes }) => {
    const t = (x: NDArray): StaticType => ({ shape: x.shape, dtype: x.dtype });
    const info = attentionInfo(attrs, t(q!), t(k!), t(v!));
    const { B, Hq, Hkv, Sq, Skv, D, Dv } = info;
    // Element offsets of [b, h, s, d] in either layout.
    const at = (h: number, H: number, S: number, Dd: number) => (b: number, s: number, d: number) =>
      info.threeD ? (b * S + s) * H * Dd + h * Dd + d : ((b * H + h) * S + s) * Dd + d;
    const out = new Float64Array(numelOf(outputTypes[0].shape));
    const scores = new Float64Array(Skv);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < Hq; h++) {
        const kvh = Math.floor(h / (Hq / Hkv));
        const qi = at(h, Hq, Sq, D);
        const ki = at(kvh, Hkv, Skv, D);
        const vi = at(kvh, Hkv, Skv, Dv);
        const oi = at(h, Hq, Sq, Dv);
        for (let i = 0; i < Sq; i++) {
          let max = Number.NEGATIVE_INFINITY;
          for (let j = 0; j < Skv; j++) {
            let s = 0;
            for (let d = 0; d < D; d++) s += q!.data[qi(b, i, d)] * k!.data[ki(b, j, d)];
            s *= info.scale;
            if (mask) s += mask.data[i * Skv + j];
            if (info.causal && j > i) s = Number.NEGATIVE_INFINITY;
            scores[j] = s;
            max = Math.max(max, s);
          }
          let sum = 0;
          for (let j = 0; j < Skv; j++) sum += scores[j] = Math.exp(scores[j] - max);
          for (let d = 0; d < Dv; d++) {
            let acc = 0;
            for (let j = 0; j < Skv; j++) acc += scores[j] * v!.data[vi(b, j, d)];
            out[oi(b, i, d)] = acc / sum;
          }
        }
      }
    }
    return [{ shape: outputTypes[0].shape, dtype: outputTypes[0].dtype, data: out }];
  },
});

export interface RopeInfo {
  readonly B: number;
  readonly H: number;
  readonly S: number;
  readonly D: number;
  /** Rotated dims (the first `rot` of each head). */
  readonly rot: number;
  readonly threeD: boolean;
}

export function ropeInfo(attrs: AttrReader, x: StaticType, cos: StaticType): RopeInfo {
  if (attrs.int('interleaved', 0) !== 0) opFail('TK0806', 'RotaryEmbedding interleaved=1 is not supported');
  let B: number;
  let H: number;
  let S: number;
  let D: number;
  if (x.shape.length === 3) {
    H = attrs.int('num_heads', 0);
    if (H <= 0) opFail('TK0806', 'RotaryEmbedding on 3-D input needs num_heads');
    [B, S] = x.shape;
    if (x.shape[2] % H !== 0) opFail('TK0805', `hidden size ${x.shape[2]} does not split into ${H} heads`);
    D = x.shape[2] / H;
  } else if (x.shape.length === 4) {
    [B, H, S, D] = x.shape;
  } else opFail('TK0805', `RotaryEmbedding input must be 3-D or 4-D, got [${x.shape}]`);
  const rot = attrs.int('rotary_embedding_dim', 0) || D;
  if (rot % 2 !== 0 || rot > D) opFail('TK0806', `rotary_embedding_dim ${rot} must be even and <= ${D}`);
  const want = [B, S, rot / 2];
  if (cos.shape.join() !== want.join())
    opFail(
      'TK0805',
      `RotaryEmbedding cos/sin caches must be [${want}] (no position_ids), got [${cos.shape}]`,
    );
  return { B, H, S, D, rot, threeD: x.shape.length === 3 };
}

export const RotaryEmbedding = defineGraphOp({
  summary: 'rotate-half RoPE: x1·cos − x2·sin, x2·cos + x1·sin on the first rot dims of each head',
  arity: [3, 3],
  fusion: 'kernel',
  infer: (a) => {
    const x = inType(a, 0);
    ropeInfo(a.attrs, x, inType(a, 1));
    if (inType(a, 2).shape.join() !== inType(a, 1).shape.join())
      opFail('TK0805', 'RotaryEmbedding cos and sin caches differ in shape');
    return [x];
  },
  evaluate: ({ inputs: [x, cos, sin], attrs }) => {
    const info = ropeInfo(
      attrs,
      { shape: x!.shape, dtype: x!.dtype },
      { shape: cos!.shape, dtype: cos!.dtype },
    );
    const { B, H, S, D, rot } = info;
    const half = rot / 2;
    const data = Float64Array.from(x!.data);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < H; h++) {
        for (let s = 0; s < S; s++) {
          const base = info.threeD ? (b * S + s) * H * D + h * D : ((b * H + h) * S + s) * D;
          for (let i = 0; i < half; i++) {
            const c = cos!.data[(b * S + s) * half + i];
            const sn = sin!.data[(b * S + s) * half + i];
            const x1 = x!.data[base + i];
            const x2 = x!.data[base + half + i];
            data[base + i] = x1 * c - x2 * sn;
            data[base + half + i] = x2 * c + x1 * sn;
          }
        }
      }
    }
    return [{ shape: x!.shape, dtype: x!.dtype, data }];
  },
});
