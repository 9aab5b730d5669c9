/**
 * The decoder block in plain TypeScript, fp64, written from the math (not from the graph ops' reference code): the
 * oracle the compiled block is checked against.
 */
import type { DecoderConfig } from './decoder.ts';

type W = Readonly<Record<string, ArrayLike<number>>>;

/** x [S, H] · w [H, N] → [S, N]. */
function linear(x: Float64Array, S: number, Hin: number, w: ArrayLike<number>, N: number): Float64Array {
  const y = new Float64Array(S * N);
  for (let s = 0; s < S; s++)
    for (let i = 0; i < Hin; i++) {
      const a = x[s * Hin + i];
      for (let n = 0; n < N; n++) y[s * N + n] += a * w[i * N + n];
    }
  return y;
}

function rmsnorm(x: Float64Array, S: number, H: number, g: ArrayLike<number>, eps: number): Float64Array {
  const y = new Float64Array(S * H);
  for (let s = 0; s < S; s++) {
    let ss = 0;
    for (let i = 0; i < H; i++) ss += x[s * H + i] ** 2;
    const r = 1 / Math.sqrt(ss / H + eps);
    for (let i = 0; i < H; i++) y[s * H + i] = x[s * H + i] * r * g[i];
  }
  return y;
}

/** Rotate-half RoPE on [S, heads · hd], position s. */
function rope(x: Float64Array, S: number, heads: number, hd: number, base: number): Float64Array {
  const y = Float64Array.from(x);
  const half = hd / 2;
  for (let s = 0; s < S; s++)
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < half; i++) {
        const theta = s * base ** (-(2 * i) / hd);
        const o = s * heads * hd + h * hd;
        const a = x[o + i];
        const b = x[o + half + i];
        y[o + i] = a * Math.cos(theta) - b * Math.sin(theta);
        y[o + half + i] = b * Math.cos(theta) + a * Math.sin(theta);
      }
  return y;
}

function causalAttention(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  S: number,
  c: DecoderConfig,
): Float64Array {
  const hd = c.hidden / c.heads;
  const out = new Float64Array(S * c.heads * hd);
  const group = c.heads / c.kvHeads;
  for (let h = 0; h < c.heads; h++) {
    const kv = Math.floor(h / group);
    for (let i = 0; i < S; i++) {
      const w = new Float64Array(i + 1);
      let max = -Infinity;
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let d = 0; d < hd; d++)
          dot += q[i * c.heads * hd + h * hd + d] * k[j * c.kvHeads * hd + kv * hd + d];
        w[j] = dot / Math.sqrt(hd);
        max = Math.max(max, w[j]);
      }
      let sum = 0;
      for (let j = 0; j <= i; j++) sum += w[j] = Math.exp(w[j] - max);
      for (let d = 0; d < hd; d++) {
        let acc = 0;
        for (let j = 0; j <= i; j++) acc += w[j] * v[j * c.kvHeads * hd + kv * hd + d];
        out[i * c.heads * hd + h * hd + d] = acc / sum;
      }
    }
  }
  return out;
}

/** y for x [1, S, H] and the weights by name (as decoderWeightShapes). */
export function decoderReference(c: DecoderConfig, x: ArrayLike<number>, w: W): Float64Array {
  const S = c.seq;
  const H = c.hidden;
  const hd = H / c.heads;
  const xs = Float64Array.from(x);
  const h1 = rmsnorm(xs, S, H, w.attn_norm, c.eps);
  const q = rope(linear(h1, S, H, w.wq, c.heads * hd), S, c.heads, hd, c.base);
  const k = rope(linear(h1, S, H, w.wk, c.kvHeads * hd), S, c.kvHeads, hd, c.base);
  const v = linear(h1, S, H, w.wv, c.kvHeads * hd);
  const attn = causalAttention(q, k, v, S, c);
  const o = linear(attn, S, c.heads * hd, w.wo, H);
  const x2 = xs.map((a, i) => a + o[i]);
  const h2 = rmsnorm(x2, S, H, w.mlp_norm, c.eps);
  const gate = linear(h2, S, H, w.w_gate, c.intermediate);
  const up = linear(h2, S, H, w.w_up, c.intermediate);
  const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]);
  const down = linear(act, S, c.intermediate, w.w_down, H);
  return x2.map((a, i) => a + down[i]);
}
