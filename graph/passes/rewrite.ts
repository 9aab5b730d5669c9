/** Helpers for passes that replace a node by others: typed node emission with pass origins. */
import type { GraphDraft } from '../draft.ts';
import { inferNode } from '../infer.ts';
import type { Attrs, NDArray, Node } from '../types.ts';

/** Add a node made by `pass` from `from`; its outputs get fresh values typed by the op's rule. */
export function emitNode(
  draft: GraphDraft,
  pass: string,
  from: Node,
  op: string,
  inputs: readonly (number | null)[],
  attrs: Attrs = {},
  opts: { name?: string; outputs?: readonly number[] } = {},
): readonly number[] {
  const outputs: readonly number[] = opts.outputs ?? [
    draft.addValue(draft.freshName(`${from.name}/${op}`), { shape: [], dtype: 'float32' }),
  ];
  const node = draft.addNode({
    op,
    name: opts.name ?? `${from.name}/${op}`,
    inputs,
    outputs,
    attrs,
    origin: { kind: 'pass', pass, from: from.origin },
  });
  const inferred = inferNode(node, (id) => draft.values[id], draft.opset);
  outputs.forEach((id, i) => {
    const data = inferred.values?.[i];
    draft.setValue(id, { type: inferred.types[i], ...(data ? { data } : {}) });
  });
  return outputs;
}

/** A new constant value. */
export function constValue(draft: GraphDraft, name: string, value: NDArray): number {
  return draft.addValue(draft.freshName(name), { shape: value.shape, dtype: value.dtype }, value);
}
