/**
 * Pass 3: constant folding and dead-node removal. Nodes whose outputs shape inference computed (all inputs known)
 * become constants; nodes nothing reads are dropped. Shape subgraphs disappear here once shapes are static.
 */
import { GraphDraft } from '../draft.ts';
import type { Graph } from '../types.ts';

export function foldConstants(g: Graph): Graph {
  const live = new Set<number>(g.outputs);
  const kept = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    const folded = n.outputs.every((o) => g.values[o].data !== undefined);
    const used = n.outputs.some((o) => live.has(o));
    if (folded || !used) continue;
    for (const x of n.inputs) if (x !== null) live.add(x);
    kept.push(n);
  }
  const draft = GraphDraft.from(g);
  for (const n of kept.reverse()) draft.keepNode(n);
  return draft.freeze();
}
