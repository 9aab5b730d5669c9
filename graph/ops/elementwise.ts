/** Elementwise ops: numpy-broadcasting maps, defined by a scalar function in fp64 (ONNX semantics). */
import { erf, sigmoid, softplus } from '../../ir/math.ts';
import { broadcastShapes, mapBroadcast } from '../ndarray.ts';
import type { GraphDType, NDArray, StaticType } from '../types.ts';
import {
  type AttrReader,
  defineGraphOp,
  type InferArgs,
  inType,
  isFloatType,
  type OpOfKind,
  opFail,
} from './op-def.ts';

/** The scalar function of an elementwise op, with its attributes and (for Clip) the bounds read from inputs. */
export type ScalarFn = (...xs: number[]) => number;

function broadcastOf(a: InferArgs, n: number): number[] {
  const shapes = Array.from({ length: n }, (_, i) => inType(a, i).shape);
  const out = broadcastShapes(...shapes);
  if (!out) opFail('TK0805', `input shapes ${shapes.map((s) => `[${s}]`).join(', ')} do not broadcast`);
  return out;
}

function sameDType(a: InferArgs, indices: readonly number[]): GraphDType {
  const d = inType(a, indices[0]).dtype;
  for (const i of indices.slice(1)) {
    const e = inType(a, i).dtype;
    if (e !== d) opFail('TK0805', `inputs have different dtypes (${d} and ${e}); insert a Cast`);
  }
  return d;
}

function requireFloat(d: GraphDType, what: string): void {
  if (!isFloatType(d)) opFail('TK0805', `${what} needs a float input, got ${d}`);
}

/** A unary op y = f(x, attrs) keeping the dtype (float inputs only unless `anyType`). */
function unary(
  summary: string,
  fn: (attrs: AttrReader) => (x: number) => number,
  opts: { anyType?: boolean } = {},
): OpOfKind<'elementwise'> {
  return defineGraphOp({
    summary,
    arity: [1, 1],
    fusion: 'elementwise',
    infer: (a) => {
      const t = inType(a, 0);
      if (!opts.anyType) requireFloat(t.dtype, summary);
      return [t];
    },
    evaluate: ({ inputs: [x], attrs, outputTypes }) => [mapBroadcast([x!], outputTypes[0].dtype, fn(attrs))],
  });
}

/** A broadcasting binary op with both inputs of one dtype; comparisons give bool. */
function binary(
  summary: string,
  fn: (x: number, y: number) => number,
  result?: 'bool',
): OpOfKind<'elementwise'> {
  return defineGraphOp({
    summary,
    arity: [2, 2],
    fusion: 'elementwise',
    infer: (a): StaticType[] => [{ shape: broadcastOf(a, 2), dtype: result ?? sameDType(a, [0, 1]) }],
    evaluate: ({ inputs, outputTypes }) => [mapBroadcast([inputs[0]!, inputs[1]!], outputTypes[0].dtype, fn)],
  });
}

const idiv = (x: number, y: number) => Math.trunc(x / y);

export const Add = binary('a + b', (x, y) => x + y);
export const Sub = binary('a - b', (x, y) => x - y);
export const Mul = binary('a * b', (x, y) => x * y);
export const Div = defineGraphOp({
  summary: 'a / b (integer division truncates)',
  arity: [2, 2],
  fusion: 'elementwise',
  infer: (a) => [{ shape: broadcastOf(a, 2), dtype: sameDType(a, [0, 1]) }],
  evaluate: ({ inputs, outputTypes }) => {
    const d = outputTypes[0].dtype;
    return [mapBroadcast([inputs[0]!, inputs[1]!], d, isFloatType(d) ? (x, y) => x / y : idiv)];
  },
});
export const Pow = defineGraphOp({
  summary: 'a ** b',
  arity: [2, 2],
  fusion: 'elementwise',
  infer: (a) => [{ shape: broadcastOf(a, 2), dtype: inType(a, 0).dtype }],
  evaluate: ({ inputs, outputTypes }) => [
    mapBroadcast([inputs[0]!, inputs[1]!], outputTypes[0].dtype, (x, y) => x ** y),
  ],
});
export const Max = binary('max(a, b)', (x, y) =>
  Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.max(x, y),
);
export const Min = binary('min(a, b)', (x, y) =>
  Number.isNaN(x) || Number.isNaN(y) ? Number.NaN : Math.min(x, y),
);
export const Equal = binary('a == b', (x, y) => (x === y ? 1 : 0), 'bool');
export const Less = binary('a < b', (x, y) => (x < y ? 1 : 0), 'bool');
export const LessOrEqual = binary('a <= b', (x, y) => (x <= y ? 1 : 0), 'bool');
export const Greater = binary('a > b', (x, y) => (x > y ? 1 : 0), 'bool');
export const GreaterOrEqual = binary('a >= b', (x, y) => (x >= y ? 1 : 0), 'bool');
export const And = binary('a and b', (x, y) => (x !== 0 && y !== 0 ? 1 : 0), 'bool');
export const Or = binary('a or b', (x, y) => (x !== 0 || y !== 0 ? 1 : 0), 'bool');
export const Not = unary('not a', () => (x) => (x === 0 ? 1 : 0), { anyType: true });

export const Relu = unary('max(x, 0)', () => (x) => (x > 0 ? x : 0));
export const Sigmoid = unary('1 / (1 + exp(-x))', () => sigmoid);
export const Tanh = unary('tanh x', () => Math.tanh);
export const Exp = unary('exp x', () => Math.exp);
export const Log = unary('ln x', () => Math.log);
export const Sqrt = unary('sqrt x', () => Math.sqrt);
export const Reciprocal = unary('1 / x', () => (x) => 1 / x);
export const Neg = unary('-x', () => (x) => -x, { anyType: true });
export const Abs = unary('|x|', () => Math.abs, { anyType: true });
export const Erf = unary('erf x', () => erf);
export const Softplus = unary('ln(1 + exp x)', () => softplus);
export const Sin = unary('sin x', () => Math.sin);
export const Cos = unary('cos x', () => Math.cos);
/** Not an ONNX op: x · sigmoid(x), for builder graphs (SwiGLU). */
export const Silu = unary(
  'x * sigmoid(x) (builder op; ONNX spells it Mul(x, Sigmoid(x)))',
  () => (x) => x * sigmoid(x),
);
export const Gelu = unary('gelu (approximate = none | tanh)', (attrs) => {
  const approx = attrs.string('approximate', 'none');
  if (approx === 'tanh') {
    const c = Math.sqrt(2 / Math.PI);
    return (x) => 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * x * x * x)));
  }
  if (approx !== 'none') opFail('TK0806', `Gelu approximate='${approx}' is not one of none, tanh`);
  return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
});
export const HardSigmoid = unary('max(0, min(1, alpha * x + beta))', (attrs) => {
  const alpha = attrs.float('alpha', 0.2);
  const beta = attrs.float('beta', 0.5);
  return (x) => Math.max(0, Math.min(1, alpha * x + beta));
});
export const HardSwish = unary(
  'x * max(0, min(1, x / 6 + 1/2))',
  () => (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
);
export const LeakyRelu = unary('x >= 0 ? x : alpha * x', (attrs) => {
  const alpha = attrs.float('alpha', 0.01);
  return (x) => (x >= 0 ? x : alpha * x);
});

/** Clip bounds: attributes before opset 11, optional constant inputs 1 and 2 from opset 11. */
export function clipBounds(
  attrs: AttrReader,
  inputs: readonly (NDArray | undefined)[],
): { lo: number; hi: number } {
  const lo = inputs[1]?.data[0] ?? attrs.float('min', Number.NEGATIVE_INFINITY);
  const hi = inputs[2]?.data[0] ?? attrs.float('max', Number.POSITIVE_INFINITY);
  return { lo, hi };
}

export const Clip = defineGraphOp({
  summary: 'min(max(x, lo), hi); bounds are attributes (opset < 11) or constant scalar inputs',
  arity: [1, 3],
  fusion: 'elementwise',
  infer: (a) => {
    const t = inType(a, 0);
    for (const i of [1, 2]) {
      if (a.inputs[i] && !a.consts[i]) opFail('TK0806', `Clip bound (input ${i}) must be a constant`);
      if (a.consts[i] && a.consts[i]!.data.length !== 1)
        opFail('TK0805', `Clip bound (input ${i}) must be a scalar`);
    }
    return [t];
  },
  evaluate: ({ inputs, attrs, outputTypes }) => {
    const { lo, hi } = clipBounds(attrs, inputs);
    return [mapBroadcast([inputs[0]!], outputTypes[0].dtype, (x) => (x < lo ? lo : x > hi ? hi : x))];
  },
});

export const Where = defineGraphOp({
  summary: 'cond ? a : b, broadcasting',
  arity: [3, 3],
  fusion: 'elementwise',
  infer: (a) => [{ shape: broadcastOf(a, 3), dtype: sameDType(a, [1, 2]) }],
  evaluate: ({ inputs, outputTypes }) => [
    mapBroadcast([inputs[0]!, inputs[1]!, inputs[2]!], outputTypes[0].dtype, (c, x, y) => (c !== 0 ? x : y)),
  ],
});

/** ONNX TensorProto.DataType numbers of Cast's `to`, for the types graphs use. */
export const CAST_TARGETS: Readonly<Record<number, GraphDType>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  16: 'bfloat16',
};

export function castTarget(attrs: AttrReader): GraphDType {
  const to = attrs.int('to');
  const d = CAST_TARGETS[to];
  if (!d) opFail('TK0806', `Cast to ONNX type ${to} is not supported`);
  return d;
}

export const Cast = defineGraphOp({
  summary: 'convert to the dtype `to` (ONNX TensorProto.DataType)',
  arity: [1, 1],
  fusion: 'elementwise',
  infer: (a) => [{ shape: inType(a, 0).shape, dtype: castTarget(a.attrs) }],
  evaluate: ({ inputs: [x], outputTypes }) => {
    const to = outputTypes[0].dtype;
    // Float to integer truncates toward zero (as onnxruntime does); other conversions round to the target.
    const toInt = !isFloatType(to) && to !== 'bool';
    return [mapBroadcast([x!], to, toInt ? (v) => Math.trunc(v) : (v) => v)];
  },
});
