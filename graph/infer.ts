/**
 * Typing one node: arity, static input types, the op's shape/dtype rule and, when every input is a constant (or
 * the op reads types only, like Shape), the output values. Shared by the builder, the importer and the passes, so
 * a rule is checked once, where the node is made, with the node named in the error.
 */
import { KernelError } from '../ir/errors.ts';
import { nodeError } from './errors.ts';
import { roundArray } from './ndarray.ts';
import { graphOp, isGraphOp } from './ops/index.ts';
import { AttrReader, type InferArgs, OpError } from './ops/op-def.ts';
import type { NDArray, Node, StaticType, Value } from './types.ts';
import { fmtShape, isStatic } from './types.ts';

export interface Inferred {
  readonly types: readonly StaticType[];
  /** Output values when the node can be computed at compile time. */
  readonly values?: readonly NDArray[];
}

/** Which graph input a symbolic dim comes from, for the "fix it with --input-shape" hint. */
export type DynamicHint = (value: Value) => string;

/** Run `fn`; rethrow an OpError (or a stray RangeError) as a diagnostic naming the node. */
export function atNode<T>(node: Pick<Node, 'name' | 'op' | 'origin'>, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof OpError) throw nodeError(e.code, node, e.message);
    if (e instanceof KernelError) throw e;
    if (e instanceof RangeError) throw nodeError('TK0805', node, e.message);
    throw e;
  }
}

export function inferNode(
  node: Node,
  lookup: (id: number) => Value,
  opset: number,
  hint?: DynamicHint,
): Inferred {
  if (!isGraphOp(node.op)) {
    throw nodeError('TK0802', node, `op '${node.op}' is not supported by tilekit's graph compiler`);
  }
  const def = graphOp(node.op);
  const [min, max] = def.arity;
  const given = node.inputs.length;
  if (given < min || given > max) {
    const want =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw nodeError('TK0805', node, `takes ${want} inputs, got ${given}`);
  }
  const inputs: (StaticType | undefined)[] = [];
  const consts: (NDArray | undefined)[] = [];
  for (const id of node.inputs) {
    if (id === null) {
      inputs.push(undefined);
      consts.push(undefined);
      continue;
    }
    const v = lookup(id);
    if (!isStatic(v.type)) {
      const fix = hint ? ` ${hint(v)}` : '';
      throw nodeError(
        'TK0803',
        node,
        `input '${v.name}' has dynamic shape ${fmtShape(v.type.shape)}; shapes must be static;${fix}`,
      );
    }
    inputs.push(v.type);
    consts.push(v.data);
  }
  const attrs = new AttrReader(node.attrs);
  const args: InferArgs = { inputs, consts, attrs, opset, outputs: node.outputs.length };
  return atNode(node, () => {
    const types = def.infer(args);
    if (types.length < node.outputs.length) {
      throw new OpError('TK0805', `produces ${types.length} outputs, the node lists ${node.outputs.length}`);
    }
    const used = types.slice(0, node.outputs.length);
    if (def.valueFromTypes) return { types: used, values: def.valueFromTypes(args) };
    const allConst = node.inputs.every((id, i) => id === null || consts[i] !== undefined);
    if (allConst) {
      const values = def
        .evaluate({ inputs: consts, attrs, opset, outputTypes: used })
        .slice(0, used.length)
        .map((v, i) => roundArray(v, used[i].dtype));
      return { types: used, values };
    }
    return { types: used };
  });
}
