/** The graph's reference semantics on the host, in fp64: each node evaluated with its registry entry. */
import { atNode } from './infer.ts';
import { graphOp } from './ops/index.ts';
import { AttrReader } from './ops/op-def.ts';
import type { Graph, NDArray, Node, StaticType } from './types.ts';

/** Evaluate `nodes` in order; `env` holds the values they read and receives the ones they compute. */
export function evaluateNodes(g: Graph, nodes: readonly Node[], env: Map<number, NDArray>): void {
  for (const n of nodes) {
    const inputs = n.inputs.map((v) => {
      if (v === null) return undefined;
      const x = env.get(v) ?? g.values[v].data;
      if (!x) throw new RangeError(`value '${g.values[v].name}' has no data for the reference`);
      return x;
    });
    const outputTypes = n.outputs.map((v) => g.values[v].type as StaticType);
    const outs = atNode(n, () =>
      graphOp(n.op).evaluate({ inputs, attrs: new AttrReader(n.attrs), opset: g.opset, outputTypes }),
    );
    for (const [i, v] of n.outputs.entries()) env.set(v, outs[i]);
  }
}

/** Run a whole (shape-inferred) graph on the host: outputs by name. */
export function evaluateGraph(g: Graph, inputs: ReadonlyMap<number, NDArray>): Map<string, NDArray> {
  const env = new Map(inputs);
  evaluateNodes(g, g.nodes, env);
  return new Map(g.outputs.map((v) => [g.values[v].name, env.get(v) ?? g.values[v].data!]));
}
