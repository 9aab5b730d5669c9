/**
 * The graph IR: a flat, topologically ordered list of tensor ops over typed values, as jaxpr or an ONNX GraphProto.
 * Readonly data; passes build new graphs (graph/edit.ts). Every node says where it came from: the user's TypeScript
 * line (builder), the ONNX node (import), or the pass that made it from another node.
 */
import type { DType } from '../ir/dtypes.ts';
import type { SourceLoc } from '../ir/loc.ts';

/** Element types of graph values: the device dtypes plus the host-only types ONNX shape subgraphs use. */
export type GraphDType = DType | 'int64' | 'float64' | 'bool';

/** A dimension: a size, or a symbolic name (an ONNX `dim_param`) until the user fixes it. */
export type Dim = number | string;

export interface TensorType {
  readonly shape: readonly Dim[];
  readonly dtype: GraphDType;
}

/** A type whose dims are all known. */
export interface StaticType {
  readonly shape: readonly number[];
  readonly dtype: GraphDType;
}

/** Host values of a tensor in fp64, row-major (int64 values are exact up to 2^53). */
export interface NDArray {
  readonly shape: readonly number[];
  readonly dtype: GraphDType;
  readonly data: Float64Array;
}

export type NodeOrigin =
  | { readonly kind: 'ts'; readonly loc: SourceLoc }
  | { readonly kind: 'onnx'; readonly file: string; readonly index: number }
  | { readonly kind: 'pass'; readonly pass: string; readonly from: NodeOrigin };

export interface Value {
  readonly id: number;
  readonly name: string;
  readonly type: TensorType;
  /** Constants (initializers, folded values): the data. */
  readonly data?: NDArray;
}

/** Attribute values: numbers, strings, lists of them, or a tensor (ONNX Constant's `value`). */
export type AttrValue = number | string | readonly number[] | readonly string[] | NDArray;
export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Node {
  readonly id: number;
  /** The op's name in the graph-op registry (ONNX op_type spelling). */
  readonly op: string;
  /** The node's name (ONNX node name, or made up from the op and id). */
  readonly name: string;
  /** Value ids; `null` for an omitted optional input. */
  readonly inputs: readonly (number | null)[];
  readonly outputs: readonly number[];
  readonly attrs: Attrs;
  readonly origin: NodeOrigin;
}

export interface Graph {
  readonly name: string;
  /** Indexed by value id. */
  readonly values: readonly Value[];
  /** Topologically ordered. */
  readonly nodes: readonly Node[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  /** The ONNX default-domain opset the graph was exported with (the builder uses the newest). */
  readonly opset: number;
  /** The model file, for graphs imported from ONNX. */
  readonly file?: string;
}

/** The newest ONNX opset whose semantics the registry follows; builder graphs use it. */
export const LATEST_OPSET = 23;

export function isStatic(t: TensorType): t is StaticType {
  return t.shape.every((d) => typeof d === 'number');
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function fmtShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}
