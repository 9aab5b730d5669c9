/**
 * tilekit graphs: build a model in TypeScript or import it from ONNX, compile it to kernels (fusing elementwise
 * chains into matmul/conv epilogues, choosing layouts, planning HBM), drop in your own kernels, and run the whole
 * graph on the simulated chip with a per-kernel timing table and one Perfetto trace.
 */
export { GraphBuilder, GraphTensor, type WeightOptions } from './builder.ts';
export { type CompiledGraph, compileGraph, type GraphCompileOptions, type PassRecord } from './compile.ts';
export { type DecoderConfig, decoderBlock, decoderReference, SMALL_DECODER } from './examples/index.ts';
export {
  type GraphInputs,
  type GraphInputValue,
  type GraphRun,
  randomGraphInputs,
  runGraph,
  type StepRun,
  timeGraph,
} from './execute.ts';
export { encodeOnnx, type OnnxModelSpec } from './onnx/encode.ts';
export { importOnnx, loadOnnx } from './onnx/import.ts';
export { GRAPH_OPS, type GraphOpName } from './ops/index.ts';
export type { HbmPlan } from './passes/plan.ts';
export type { Step } from './passes/select.ts';
export type { InputShapes } from './passes/shapes.ts';
export { evaluateGraph } from './reference.ts';
export { KernelRegistry, type RegisterOptions, type ShapeRule, type ShapeRuleArgs } from './registry.ts';
export { formatGraphReport, type GraphReport, graphReport, graphTrace } from './report.ts';
export type { Graph, GraphDType, NDArray, Node, TensorType, Value } from './types.ts';
export type { DropInCheck } from './verify.ts';
