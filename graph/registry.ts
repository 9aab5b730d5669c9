/**
 * Drop-in kernels: `registry.register('Softmax', mySoftmax, { shapeRule })` serves every Softmax node whose shapes
 * the rule accepts with the user's kernel; a chain pattern (`['MatMul', 'Add', 'Relu']`) serves a run of nodes each
 * feeding only the next. The compiler checks the kernel against the ops' reference on the graph's own shapes
 * before using it (graph/verify.ts).
 */
import type { Kernel, TensorSpec } from '../dsl/kernel.ts';
import type { Tolerance } from '../ir/host.ts';
import type { SourceLoc } from '../ir/loc.ts';
import { userLocation } from '../tracer/location.ts';
import { consumers } from './draft.ts';
import { graphError } from './errors.ts';
import { isGraphOp } from './ops/index.ts';
import type { Attrs, Graph, Node } from './types.ts';

export interface ShapeRuleArgs {
  /** The matched nodes' external inputs, in order (constants included). */
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /** The attributes of the first matched node. */
  readonly attrs: Attrs;
  readonly nodes: readonly Node[];
}

/**
 * Whether the kernel serves these shapes: `true` (call it with the graph's shapes), `false` or a reason string
 * (leave the node to the compiler), or the shapes to call it with: free reshapes of the same elements, e.g.
 * `{ inputs: [[rows, cols]] }` to hand a 2-D kernel a [1, 4, 16, 16] Softmax input.
 */
export type ShapeRule = (
  a: ShapeRuleArgs,
) =>
  | boolean
  | string
  | { readonly inputs?: readonly (readonly number[])[]; readonly outputs?: readonly (readonly number[])[] };

export interface RegisterOptions {
  readonly shapeRule?: ShapeRule;
  /** Agreement required with the reference (default fp32: atol 1e-4, rtol 1e-3). */
  readonly tolerance?: Tolerance;
  /** Name in reports (default: the kernel's name). */
  readonly name?: string;
}

export interface Registration {
  /** An op name, or a chain of op names. */
  readonly target: readonly string[];
  readonly kernel: Kernel;
  readonly shapeRule?: ShapeRule;
  readonly tolerance?: Tolerance;
  readonly name: string;
  /** Where it was registered (the user's line). */
  readonly loc: SourceLoc;
}

export class KernelRegistry {
  private readonly list: Registration[] = [];

  register(target: string | readonly string[], k: Kernel, opts: RegisterOptions = {}): this {
    const loc = userLocation();
    const chain = typeof target === 'string' ? [target] : [...target];
    if (chain.length === 0)
      throw graphError('TK0808', 'register() needs an op name or a non-empty chain of op names', loc);
    for (const op of chain) {
      if (!isGraphOp(op)) throw graphError('TK0808', `register(): '${op}' is not a graph op`, loc);
    }
    if (!k || typeof (k as Kernel).trace !== 'function') {
      throw graphError(
        'TK0808',
        `register('${chain.join('+')}'): the second argument must be a kernel made with kernel()`,
        loc,
      );
    }
    this.list.push({
      target: chain,
      kernel: k,
      shapeRule: opts.shapeRule,
      tolerance: opts.tolerance,
      name: opts.name ?? k.name,
      loc,
    });
    return this;
  }

  get entries(): readonly Registration[] {
    return this.list;
  }
}

/** A registration's match: the nodes it covers, in order. */
export interface Match {
  readonly registration: Registration;
  readonly nodes: readonly Node[];
}

/** Chains of nodes matching each registration (later registrations take precedence), disjoint. */
export function findMatches(g: Graph, registry: KernelRegistry | undefined): Match[] {
  if (!registry) return [];
  const readers = consumers(g);
  const outputs = new Set(g.outputs);
  const taken = new Set<number>();
  const matches: Match[] = [];
  for (const reg of [...registry.entries].reverse()) {
    for (const start of g.nodes) {
      if (start.op !== reg.target[0] || taken.has(start.id)) continue;
      const nodes = [start];
      let ok = true;
      for (let k = 1; k < reg.target.length && ok; k++) {
        const prev = nodes[k - 1];
        const out = prev.outputs[0];
        const rs = readers.get(out) ?? [];
        if (
          prev.outputs.length !== 1 ||
          outputs.has(out) ||
          rs.length !== 1 ||
          rs[0].op !== reg.target[k] ||
          taken.has(rs[0].id)
        )
          ok = false;
        else nodes.push(rs[0]);
      }
      if (!ok) continue;
      // Every input from outside the chain must be ready when its first node runs.
      const first = g.nodes.indexOf(start);
      const inside = new Set(nodes.flatMap((n) => n.outputs));
      const late = nodes.some((n) =>
        n.inputs.some(
          (v) => v !== null && !inside.has(v) && g.nodes.findIndex((p) => p.outputs.includes(v)) > first,
        ),
      );
      if (late) continue;
      for (const n of nodes) taken.add(n.id);
      matches.push({ registration: reg, nodes });
    }
  }
  return matches;
}
