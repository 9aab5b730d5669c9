/** Host tensors in fp64 for the op references and constant folding: shapes, broadcasting, rounding to a dtype. */
import { isDType, roundTo } from '../ir/dtypes.ts';
import type { GraphDType, NDArray } from './types.ts';
import { numelOf } from './types.ts';

export function ndarray(shape: readonly number[], dtype: GraphDType, data?: ArrayLike<number>): NDArray {
  const n = numelOf(shape);
  const out = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new RangeError(`${data.length} values for shape [${shape}]`);
    for (let i = 0; i < n; i++) out[i] = roundValue(dtype, data[i]);
  }
  return Object.freeze({ shape: Object.freeze([...shape]), dtype, data: out });
}

/** The value a dtype stores for x: device dtypes round as the chip does; int64 truncates; bool is 0/1. */
export function roundValue(dtype: GraphDType, x: number): number {
  if (dtype === 'float64') return x;
  if (dtype === 'int64') return Number.isNaN(x) ? 0 : Math.trunc(x);
  if (dtype === 'bool') return x !== 0 && !Number.isNaN(x) ? 1 : 0;
  if (isDType(dtype)) return roundTo(dtype, x);
  return x;
}

export function roundArray(a: NDArray, dtype: GraphDType = a.dtype): NDArray {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = roundValue(dtype, a.data[i]);
  return Object.freeze({ shape: a.shape, dtype, data });
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** numpy broadcasting of shapes; undefined when they do not broadcast. */
export function broadcastShapes(...shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const d = rank - s.length + i;
      const v = s[i];
      if (v === out[d] || v === 1) continue;
      if (out[d] === 1) out[d] = v;
      else return undefined;
    }
  }
  return out;
}

/** For each element of `outShape`, the flat index into an array of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = numelOf(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = stridesOf(shape);
  const eff = outShape.map((_, d) => {
    const k = d - (rank - shape.length);
    return k >= 0 && shape[k] !== 1 ? inStrides[k] : 0;
  });
  const counter = new Array<number>(rank).fill(0);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    idx[i] = pos;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      pos += eff[d];
      if (counter[d] < outShape[d]) break;
      pos -= eff[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** Elementwise map over broadcast inputs, in fp64; the result is rounded to `dtype`. */
export function mapBroadcast(
  inputs: readonly NDArray[],
  dtype: GraphDType,
  fn: (...xs: number[]) => number,
): NDArray {
  const shape = broadcastShapes(...inputs.map((a) => a.shape));
  if (!shape) throw new RangeError(`shapes ${inputs.map((a) => `[${a.shape}]`).join(', ')} do not broadcast`);
  const idx = inputs.map((a) => broadcastIndex(a.shape, shape));
  const n = numelOf(shape);
  const data = new Float64Array(n);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inputs.length; k++) args[k] = inputs[k].data[idx[k][i]];
    data[i] = roundValue(dtype, fn(...args));
  }
  return Object.freeze({ shape: Object.freeze(shape), dtype, data });
}

/** Normalise a possibly negative axis; undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/** Transpose by a permutation: out.shape[i] = in.shape[perm[i]]. */
export function transposeArray(a: NDArray, perm: readonly number[]): NDArray {
  const shape = perm.map((p) => a.shape[p]);
  const inStrides = stridesOf(a.shape);
  const n = a.data.length;
  const data = new Float64Array(n);
  const rank = shape.length;
  const counter = new Array<number>(rank).fill(0);
  const eff = perm.map((p) => inStrides[p]);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    data[i] = a.data[pos];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      pos += eff[d];
      if (counter[d] < shape[d]) break;
      pos -= eff[d] * shape[d];
      counter[d] = 0;
    }
  }
  return Object.freeze({ shape: Object.freeze(shape), dtype: a.dtype, data });
}

export function reshapeArray(a: NDArray, shape: readonly number[]): NDArray {
  if (numelOf(shape) !== a.data.length) throw new RangeError(`cannot reshape [${a.shape}] to [${shape}]`);
  return Object.freeze({ shape: Object.freeze([...shape]), dtype: a.dtype, data: a.data });
}

/** The values of a small integer tensor (shapes, axes) as a number list. */
export function toInts(a: NDArray): number[] {
  return Array.from(a.data, (v) => Math.trunc(v));
}
