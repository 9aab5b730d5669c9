/** Reductions: ReduceMean/Sum/Max/Min over axes (attribute before opset 18, constant input after), global pools. */
import { normAxis, stridesOf } from '../ndarray.ts';
import type { NDArray, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import { type AttrReader, defineGraphOp, type InferArgs, inType, type OpOfKind, opFail } from './op-def.ts';

export type ReduceKind = 'mean' | 'sum' | 'max' | 'min';

/** The normalised, sorted axes a reduce node reduces (empty list: all axes, unless noop_with_empty_axes). */
export function reduceAxes(
  attrs: AttrReader,
  axesInput: NDArray | undefined,
  rank: number,
  hasAxesInput: boolean,
): number[] {
  let axes: readonly number[] | undefined = attrs.optionalInts('axes');
  if (axes === undefined && axesInput) axes = Array.from(axesInput.data);
  if (axes === undefined && hasAxesInput) opFail('TK0806', 'reduction axes (input 1) must be a constant');
  if (axes === undefined || axes.length === 0) {
    if (attrs.int('noop_with_empty_axes', 0) === 1) return [];
    return Array.from({ length: rank }, (_, i) => i);
  }
  const norm = axes.map((a) => {
    const n = normAxis(a, rank);
    if (n === undefined) opFail('TK0806', `reduction axis ${a} is out of range for rank ${rank}`);
    return n;
  });
  return [...new Set(norm)].sort((x, y) => x - y);
}

export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (axes.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(d);
  });
  return out;
}

/** Reduce `x` over `axes` in fp64. */
export function reduceArray(
  x: NDArray,
  axes: readonly number[],
  kind: ReduceKind,
  keepdims: boolean,
  dtype = x.dtype,
): NDArray {
  const shape = reducedShape(x.shape, axes, keepdims);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outStrides = stridesOf(keptShape);
  const n = numelOf(keptShape);
  const init = kind === 'max' ? Number.NEGATIVE_INFINITY : kind === 'min' ? Number.POSITIVE_INFINITY : 0;
  const acc = new Float64Array(n).fill(init);
  const rank = x.shape.length;
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    if (kind === 'max') acc[pos] = v > acc[pos] || Number.isNaN(v) ? v : acc[pos];
    else if (kind === 'min') acc[pos] = v < acc[pos] || Number.isNaN(v) ? v : acc[pos];
    else acc[pos] += v;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      if (!axes.includes(d)) pos += outStrides[d];
      if (counter[d] < x.shape[d]) break;
      if (!axes.includes(d)) pos -= outStrides[d] * x.shape[d];
      counter[d] = 0;
    }
  }
  if (kind === 'mean') {
    const count = x.data.length / Math.max(1, n);
    for (let i = 0; i < n; i++) acc[i] /= count;
  }
  return Object.freeze({ shape: Object.freeze(shape), dtype, data: acc });
}

function reduction(kind: ReduceKind): OpOfKind<'reduce'> {
  const axesOf = (a: InferArgs) => reduceAxes(a.attrs, a.consts[1], inType(a, 0).shape.length, !!a.inputs[1]);
  return defineGraphOp({
    summary: `${kind} over axes (attribute, or constant input 1 from opset 18), keepdims default 1`,
    arity: [1, 2],
    fusion: 'reduce',
    infer: (a): StaticType[] => {
      const t = inType(a, 0);
      const axes = axesOf(a);
      return [{ shape: reducedShape(t.shape, axes, a.attrs.int('keepdims', 1) === 1), dtype: t.dtype }];
    },
    evaluate: ({ inputs, attrs, outputTypes }) => {
      const x = inputs[0]!;
      const axes = reduceAxes(attrs, inputs[1], x.shape.length, !!inputs[1]);
      if (axes.length === 0) return [x];
      return [reduceArray(x, axes, kind, attrs.int('keepdims', 1) === 1, outputTypes[0].dtype)];
    },
  });
}

export const ReduceMean = reduction('mean');
export const ReduceSum = reduction('sum');
export const ReduceMax = reduction('max');
export const ReduceMin = reduction('min');

function globalPool(kind: ReduceKind): OpOfKind<'reduce'> {
  return defineGraphOp({
    summary: `${kind} over the spatial dims of [N, C, ...spatial], keeping them as size 1`,
    arity: [1, 1],
    fusion: 'reduce',
    infer: (a) => {
      const t = inType(a, 0);
      if (t.shape.length < 3) opFail('TK0805', `global pooling needs [N, C, ...spatial], got [${t.shape}]`);
      return [{ shape: t.shape.map((d, i) => (i < 2 ? d : 1)), dtype: t.dtype }];
    },
    evaluate: ({ inputs: [x] }) => {
      const axes = x!.shape.map((_, i) => i).filter((i) => i >= 2);
      return [reduceArray(x!, axes, kind, true)];
    },
  });
}

export const GlobalAveragePool = globalPool('mean');
export const GlobalMaxPool = globalPool('max');
