/**
 * The graph-op registry: every op a graph may contain, one entry each, spelled as ONNX spells op_type. Families
 * live in their own files; per-concern tables (kernel lowering, tile emitters) are typed over `GraphOpName`.
 */
import * as conv from './conv.ts';
import * as elementwise from './elementwise.ts';
import * as host from './host.ts';
import * as linear from './linear.ts';
import * as movement from './movement.ts';
import type { GraphOpDef } from './op-def.ts';
import * as reduce from './reduce.ts';
import * as row from './row.ts';
import * as transformer from './transformer.ts';
import * as views from './views.ts';

export const GRAPH_OPS = {
  // elementwise
  Add: elementwise.Add,
  Sub: elementwise.Sub,
  Mul: elementwise.Mul,
  Div: elementwise.Div,
  Pow: elementwise.Pow,
  Max: elementwise.Max,
  Min: elementwise.Min,
  Equal: elementwise.Equal,
  Less: elementwise.Less,
  LessOrEqual: elementwise.LessOrEqual,
  Greater: elementwise.Greater,
  GreaterOrEqual: elementwise.GreaterOrEqual,
  And: elementwise.And,
  Or: elementwise.Or,
  Not: elementwise.Not,
  Relu: elementwise.Relu,
  Sigmoid: elementwise.Sigmoid,
  Tanh: elementwise.Tanh,
  Exp: elementwise.Exp,
  Log: elementwise.Log,
  Sqrt: elementwise.Sqrt,
  Reciprocal: elementwise.Reciprocal,
  Neg: elementwise.Neg,
  Abs: elementwise.Abs,
  Erf: elementwise.Erf,
  Softplus: elementwise.Softplus,
  Sin: elementwise.Sin,
  Cos: elementwise.Cos,
  Silu: elementwise.Silu,
  Gelu: elementwise.Gelu,
  HardSigmoid: elementwise.HardSigmoid,
  HardSwish: elementwise.HardSwish,
  LeakyRelu: elementwise.LeakyRelu,
  Clip: elementwise.Clip,
  Where: elementwise.Where,
  Cast: elementwise.Cast,
  BatchNormalization: conv.BatchNormalization,
  // reductions and row ops
  ReduceMean: reduce.ReduceMean,
  ReduceSum: reduce.ReduceSum,
  ReduceMax: reduce.ReduceMax,
  ReduceMin: reduce.ReduceMin,
  GlobalAveragePool: reduce.GlobalAveragePool,
  GlobalMaxPool: reduce.GlobalMaxPool,
  Softmax: row.Softmax,
  LogSoftmax: row.LogSoftmax,
  LayerNormalization: row.LayerNormalization,
  RMSNormalization: row.RMSNormalization,
  // anchors
  MatMul: linear.MatMul,
  Gemm: linear.Gemm,
  Conv: conv.Conv,
  MaxPool: conv.MaxPool,
  AveragePool: conv.AveragePool,
  // kernels of their own
  Attention: transformer.Attention,
  RotaryEmbedding: transformer.RotaryEmbedding,
  Transpose: movement.Transpose,
  Concat: movement.Concat,
  Split: movement.Split,
  Slice: movement.Slice,
  Gather: movement.Gather,
  Expand: movement.Expand,
  // views
  Reshape: views.Reshape,
  Flatten: views.Flatten,
  Squeeze: views.Squeeze,
  Unsqueeze: views.Unsqueeze,
  Identity: views.Identity,
  Dropout: views.Dropout,
  // compile time only
  Shape: host.Shape,
  Constant: host.Constant,
  ConstantOfShape: host.ConstantOfShape,
  Range: host.Range,
} as const satisfies Record<string, GraphOpDef>;

export type GraphOpName = keyof typeof GRAPH_OPS;

/** The ops of one fusion kind, as a type: per-concern tables are typed over these. */
export type OpNameOfKind<F extends GraphOpDef['fusion']> = {
  [K in GraphOpName]: (typeof GRAPH_OPS)[K]['fusion'] extends F ? K : never;
}[GraphOpName];

export function isGraphOp(name: string): name is GraphOpName {
  return Object.hasOwn(GRAPH_OPS, name);
}

export function graphOp(name: string): GraphOpDef {
  if (!isGraphOp(name)) throw new RangeError(`unknown graph op '${name}'`);
  return GRAPH_OPS[name];
}

/** Graph op names whose fusion kind is `kind`. */
export function opsOfKind(kind: GraphOpDef['fusion']): GraphOpName[] {
  return (Object.keys(GRAPH_OPS) as GraphOpName[]).filter((n) => GRAPH_OPS[n].fusion === kind);
}
