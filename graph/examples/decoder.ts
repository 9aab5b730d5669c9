/**
 * A Llama-style decoder block built with the graph builder: RMSNorm, Q/K/V projections, RoPE, causal attention with
 * grouped K/V heads, output projection, residual, RMSNorm, SwiGLU MLP, residual. Weights are seeded. This file is
 * also a graph file for the CLI: `npx tilekit graph graph/examples/decoder.ts`.
 */
import { GraphBuilder } from '../builder.ts';
import type { Graph } from '../types.ts';

export interface DecoderConfig {
  readonly seq: number;
  readonly hidden: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly intermediate: number;
  readonly eps: number;
  /** RoPE base. */
  readonly base: number;
}

/** The small configuration the tests and the README use. */
export const SMALL_DECODER: DecoderConfig = {
  seq: 16,
  hidden: 64,
  heads: 4,
  kvHeads: 2,
  intermediate: 128,
  eps: 1e-6,
  base: 10000,
};

/** Weight shapes by name: linear weights are [in, out]. */
export function decoderWeightShapes(c: DecoderConfig): Record<string, number[]> {
  const hd = c.hidden / c.heads;
  return {
    attn_norm: [c.hidden],
    wq: [c.hidden, c.heads * hd],
    wk: [c.hidden, c.kvHeads * hd],
    wv: [c.hidden, c.kvHeads * hd],
    wo: [c.heads * hd, c.hidden],
    mlp_norm: [c.hidden],
    w_gate: [c.hidden, c.intermediate],
    w_up: [c.hidden, c.intermediate],
    w_down: [c.intermediate, c.hidden],
  };
}

export function decoderBlock(c: DecoderConfig = SMALL_DECODER): Graph {
  const g = new GraphBuilder('decoder_block');
  const w = Object.fromEntries(
    Object.entries(decoderWeightShapes(c)).map(([name, shape]) => [
      name,
      name.endsWith('norm') ? g.weight(name, shape, { scale: 1 }) : g.weight(name, shape),
    ]),
  );
  const x = g.input('x', [1, c.seq, c.hidden]);
  const h = g.rmsnorm(x, w.attn_norm, c.eps);
  const q = g.rope(g.matmul(h, w.wq), { heads: c.heads, base: c.base });
  const k = g.rope(g.matmul(h, w.wk), { heads: c.kvHeads, base: c.base });
  const v = g.matmul(h, w.wv);
  const attn = g.attention(q, k, v, { heads: c.heads, kvHeads: c.kvHeads, causal: true });
  const x2 = g.add(x, g.matmul(attn, w.wo));
  const h2 = g.rmsnorm(x2, w.mlp_norm, c.eps);
  const mlp = g.matmul(g.mul(g.silu(g.matmul(h2, w.w_gate)), g.matmul(h2, w.w_up)), w.w_down);
  g.output(g.add(x2, mlp), 'y');
  return g.build();
}

/** For `tilekit graph graph/examples/decoder.ts`. */
export const graph = decoderBlock();
