/**
 * A graph under construction: the builder, the ONNX importer and every pass fill a draft and freeze it into a
 * readonly Graph. Value ids are stable: a pass that copies a graph keeps them and appends new values.
 */
import type { Attrs, Graph, NDArray, Node, NodeOrigin, TensorType, Value } from './types.ts';

export interface NodeSpec {
  readonly op: string;
  readonly name?: string;
  readonly inputs: readonly (number | null)[];
  readonly outputs: readonly number[];
  readonly attrs?: Attrs;
  readonly origin: NodeOrigin;
}

export class GraphDraft {
  readonly values: Value[] = [];
  readonly nodes: Node[] = [];
  inputs: number[] = [];
  outputs: number[] = [];
  private nextNodeId = 0;

  constructor(
    readonly name: string,
    readonly opset: number,
    readonly file?: string,
  ) {}

  /** A draft holding a graph's values (same ids), inputs and outputs, and no nodes yet. */
  static from(g: Graph): GraphDraft {
    const d = new GraphDraft(g.name, g.opset, g.file);
    d.values.push(...g.values);
    d.inputs = [...g.inputs];
    d.outputs = [...g.outputs];
    d.nextNodeId = Math.max(-1, ...g.nodes.map((n) => n.id)) + 1;
    return d;
  }

  addValue(name: string, type: TensorType, data?: NDArray): number {
    const id = this.values.length;
    this.values.push(Object.freeze({ id, name, type, ...(data ? { data } : {}) }));
    return id;
  }

  setValue(id: number, patch: Partial<Omit<Value, 'id'>>): void {
    this.values[id] = Object.freeze({ ...this.values[id], ...patch });
  }

  /** A value name not used yet, from a base. */
  freshName(base: string): string {
    const used = new Set(this.values.map((v) => v.name));
    if (!used.has(base)) return base;
    for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
  }

  addNode(spec: NodeSpec): Node {
    const id = this.nextNodeId++;
    const node: Node = Object.freeze({
      id,
      op: spec.op,
      name: spec.name ?? `${spec.op.toLowerCase()}_${id}`,
      inputs: Object.freeze([...spec.inputs]),
      outputs: Object.freeze([...spec.outputs]),
      attrs: Object.freeze({ ...(spec.attrs ?? {}) }),
      origin: spec.origin,
    });
    this.nodes.push(node);
    return node;
  }

  /** Keep a node of another graph as it is (same id). */
  keepNode(n: Node): void {
    this.nodes.push(n);
    this.nextNodeId = Math.max(this.nextNodeId, n.id + 1);
  }

  freeze(): Graph {
    return Object.freeze({
      name: this.name,
      values: Object.freeze([...this.values]),
      nodes: Object.freeze([...this.nodes]),
      inputs: Object.freeze([...this.inputs]),
      outputs: Object.freeze([...this.outputs]),
      opset: this.opset,
      ...(this.file ? { file: this.file } : {}),
    });
  }
}

/** The node that produces each value (undefined for inputs and constants). */
export function producers(g: Graph): Map<number, Node> {
  const m = new Map<number, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** The nodes that read each value. */
export function consumers(g: Graph): Map<number, Node[]> {
  const m = new Map<number, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (i === null) continue;
      const list = m.get(i) ?? [];
      if (!list.includes(n)) list.push(n);
      m.set(i, list);
    }
  }
  return m;
}
