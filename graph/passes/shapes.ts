/**
 * Passes 1 and 2: fix the graph inputs' dynamic dims (`--input-shape x=1,3,48,320`), then infer every value's static
 * type in order, computing the values of nodes whose inputs are all known (shape subgraphs: Shape, Gather, Cast,
 * Slice, Concat on shapes) so the ops that read them (Reshape) get static shapes.
 */
import { GraphDraft } from '../draft.ts';
import { firstConsumer, graphError, nodeError } from '../errors.ts';
import { inferNode } from '../infer.ts';
import type { Graph, Value } from '../types.ts';
import { fmtShape, isStatic } from '../types.ts';

export type InputShapes = Readonly<Record<string, readonly number[]>>;

/** How the user fixes a graph input's dims: the CLI flag and the API option, with the known dims filled in. */
export function fixHint(v: Value): string {
  const dims = v.type.shape.map((d, i) =>
    typeof d === 'number' ? String(d) : d.length <= 12 ? `<${d}>` : `<d${i}>`,
  );
  return `fix them with --input-shape ${v.name}=${dims.join(',')} (CLI) or { inputShapes: { '${v.name}': [${dims.join(', ')}] } } (API)`;
}

export function fixInputShapes(g: Graph, shapes: InputShapes = {}): Graph {
  const names = g.inputs.map((id) => g.values[id].name);
  for (const name of Object.keys(shapes)) {
    if (!names.includes(name)) {
      throw graphError(
        'TK0809',
        `--input-shape names '${name}', which is not a graph input (inputs: ${names.join(', ')})`,
      );
    }
  }
  const draft = GraphDraft.from(g);
  for (const id of g.inputs) {
    const v = g.values[id];
    const fixed = shapes[v.name];
    if (!fixed) continue;
    const want = v.type.shape;
    const ok =
      fixed.length === want.length &&
      fixed.every((d, i) => Number.isInteger(d) && d > 0 && (typeof want[i] !== 'number' || want[i] === d));
    if (!ok) {
      throw graphError(
        'TK0809',
        `input '${v.name}' is ${fmtShape(want)}; --input-shape gave [${fixed}], which does not match it`,
      );
    }
    draft.setValue(id, { type: { shape: [...fixed], dtype: v.type.dtype } });
  }
  for (const n of g.nodes) draft.keepNode(n);
  return draft.freeze();
}

/** Type every node output; values of compile-time-computable nodes are attached to their outputs. */
export function inferShapes(g: Graph): Graph {
  for (const id of g.inputs) {
    const v = g.values[id];
    if (isStatic(v.type)) continue;
    const user = firstConsumer(g, id);
    const dynamic = v.type.shape.filter((d) => typeof d !== 'number').join(', ');
    const detail = `input '${v.name}' ${fmtShape(v.type.shape)}, whose dims ${dynamic} are dynamic; ${fixHint(v)}`;
    throw user ? nodeError('TK0803', user, `reads graph ${detail}`) : graphError('TK0803', `graph ${detail}`);
  }
  const draft = GraphDraft.from(g);
  for (const n of g.nodes) {
    const inferred = inferNode(n, (id) => draft.values[id], g.opset, fixHint);
    n.outputs.forEach((id, i) => {
      const data = inferred.values?.[i];
      draft.setValue(id, { type: inferred.types[i], ...(data ? { data } : {}) });
    });
    draft.keepNode(n);
  }
  return draft.freeze();
}
