/** Ops computed at compile time only: Shape, Constant, ConstantOfShape, Range. */
import { ndarray, toInts } from '../ndarray.ts';
import type { GraphDType, NDArray, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import { type AttrReader, constInput, defineGraphOp, inType, opFail } from './op-def.ts';

export const Shape = defineGraphOp({
  summary: 'the input shape as int64 (start/end from opset 15)',
  arity: [1, 1],
  fusion: 'host',
  infer: (a) => {
    const rank = inType(a, 0).shape.length;
    const { start, end } = shapeRange(a.attrs, rank);
    return [{ shape: [Math.max(0, end - start)], dtype: 'int64' }];
  },
  evaluate: ({ inputs: [x], attrs }) => [shapeValue(x!.shape, attrs)],
  valueFromTypes: (a) => [shapeValue(inType(a, 0).shape, a.attrs)],
});

function shapeValue(shape: readonly number[], attrs: AttrReader): NDArray {
  const { start, end } = shapeRange(attrs, shape.length);
  return ndarray([Math.max(0, end - start)], 'int64', shape.slice(start, end));
}

function shapeRange(attrs: AttrReader, rank: number): { start: number; end: number } {
  const clamp = (v: number) => Math.max(0, Math.min(rank, v < 0 ? v + rank : v));
  return { start: clamp(attrs.int('start', 0)), end: clamp(attrs.int('end', rank)) };
}

/** Constant's value from `value` (a tensor) or value_float(s) / value_int(s). */
export function constantValue(attrs: AttrReader): NDArray {
  const t = attrs.tensor('value');
  if (t) return t;
  if (attrs.has('value_float')) return ndarray([], 'float32', [attrs.float('value_float')]);
  if (attrs.has('value_int')) return ndarray([], 'int64', [attrs.int('value_int')]);
  if (attrs.has('value_floats')) {
    const v = attrs.attrs.value_floats as readonly number[];
    return ndarray([v.length], 'float32', v);
  }
  if (attrs.has('value_ints')) {
    const v = attrs.ints('value_ints');
    return ndarray([v.length], 'int64', v);
  }
  opFail('TK0806', 'Constant needs a value (value, value_float(s) or value_int(s))');
}

export const Constant = defineGraphOp({
  summary: 'a constant tensor from the attributes',
  arity: [0, 0],
  fusion: 'host',
  infer: (a): StaticType[] => {
    const v = constantValue(a.attrs);
    return [{ shape: v.shape, dtype: v.dtype }];
  },
  evaluate: ({ attrs }) => [constantValue(attrs)],
});

export const ConstantOfShape = defineGraphOp({
  summary: 'a tensor of the given shape filled with `value` (default float32 0)',
  arity: [1, 1],
  fusion: 'host',
  infer: (a) => {
    const shape = toInts(constInput(a, 0, 'ConstantOfShape shape'));
    const v = a.attrs.tensor('value');
    return [{ shape, dtype: (v?.dtype ?? 'float32') as GraphDType }];
  },
  evaluate: ({ attrs, outputTypes }) => {
    const v = attrs.tensor('value');
    const out = outputTypes[0];
    return [
      {
        shape: out.shape,
        dtype: out.dtype,
        data: new Float64Array(numelOf(out.shape)).fill(v?.data[0] ?? 0),
      },
    ];
  },
});

export const Range = defineGraphOp({
  summary: 'start, start + delta, ... below limit',
  arity: [3, 3],
  fusion: 'host',
  infer: (a) => {
    const [s, l, d] = [0, 1, 2].map((i) => constInput(a, i, 'Range bound').data[0]);
    if (d === 0) opFail('TK0806', 'Range delta 0');
    return [{ shape: [Math.max(0, Math.ceil((l - s) / d))], dtype: inType(a, 0).dtype }];
  },
  evaluate: ({ inputs, outputTypes }) => {
    const [s, , d] = inputs.map((x) => x!.data[0]);
    const out = outputTypes[0];
    return [
      ndarray(
        out.shape,
        out.dtype,
        Array.from({ length: out.shape[0] }, (_, i) => s + i * d),
      ),
    ];
  },
});
