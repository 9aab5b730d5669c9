/** Graph diagnostics: KernelErrors with TK08xx codes that name the node, located at the user's line when known. */
import type { ErrorCode } from '../ir/error-codes.ts';
import { type DiagnosticNote, KernelError } from '../ir/errors.ts';
import type { SourceLoc } from '../ir/loc.ts';
import { displayPath } from '../tracer/location.ts';
import type { Graph, Node, NodeOrigin } from './types.ts';

/** The TypeScript line a node came from (builder graphs), following pass-made nodes back to their source. */
export function originLoc(origin: NodeOrigin): SourceLoc | undefined {
  if (origin.kind === 'ts') return origin.loc;
  if (origin.kind === 'pass') return originLoc(origin.from);
  return undefined;
}

function onnxOrigin(origin: NodeOrigin): { file: string; index: number } | undefined {
  if (origin.kind === 'onnx') return origin;
  if (origin.kind === 'pass') return onnxOrigin(origin.from);
  return undefined;
}

/** "node 'p2o.Conv.3' (Conv, #12 of cls.onnx)" or "node 'matmul_4' (MatMul)". */
export function describeNode(node: Pick<Node, 'name' | 'op' | 'origin'>): string {
  const onnx = onnxOrigin(node.origin);
  const where = onnx ? `, node #${onnx.index} of ${displayPath(onnx.file)}` : '';
  return `node '${node.name}' (${node.op}${where})`;
}

/** A diagnostic about a node: "<node>: <detail>", at the node's TypeScript line if it has one. */
export function nodeError(
  code: ErrorCode,
  node: Pick<Node, 'name' | 'op' | 'origin'>,
  detail: string,
  notes: readonly DiagnosticNote[] = [],
): KernelError {
  return new KernelError(code, `${describeNode(node)}: ${detail}`, originLoc(node.origin), notes);
}

export function graphError(
  code: ErrorCode,
  detail: string,
  loc?: SourceLoc,
  notes: readonly DiagnosticNote[] = [],
): KernelError {
  return new KernelError(code, detail, loc, notes);
}

/** The first node reading a value, for errors about values (an unfixed input dim names who uses it). */
export function firstConsumer(graph: Graph, valueId: number): Node | undefined {
  return graph.nodes.find((n) => n.inputs.includes(valueId));
}
