import { fail } from '../ir/op-def.ts';
import type { View } from '../ir/types.ts';

/** A dynamic slice `nl.ds(start, size)`: `size` elements from `start`, optionally strided. */
export interface DynSlice {
  readonly kind: 'ds';
  readonly start: number;
  readonly size: number;
  readonly step: number;
}

/**
 * One index per dim: an integer (selects, dropping the dim), `[start, stop]` or `[start, stop, step]` (Python-style,
 * negative counts from the end), `nl.ds(start, size)`, or `':'` for the whole dim. Missing trailing indices are `':'`.
 */
export type Index = number | readonly [number, number] | readonly [number, number, number] | DynSlice | ':';

interface Range {
  start: number;
  count: number;
  step: number;
  drop: boolean;
}

function toRange(ix: Index, n: number, dim: number): Range {
  const norm = (i: number) => (i < 0 ? n + i : i);
  if (ix === ':') return { start: 0, count: n, step: 1, drop: false };
  if (typeof ix === 'number') {
    if (!Number.isInteger(ix)) fail('TK0302', `index ${ix} on dim ${dim} is not an integer`);
    const i = norm(ix);
    if (i < 0 || i >= n) fail('TK0301', `index ${ix} is out of bounds for dim ${dim} of size ${n}`);
    return { start: i, count: 1, step: 1, drop: true };
  }
  if (Array.isArray(ix)) {
    const [a, b, step = 1] = ix as readonly number[];
    if (![a, b, step].every(Number.isInteger))
      fail('TK0302', `slice [${ix}] on dim ${dim} needs integer bounds`);
    if (step <= 0) fail('TK0302', `slice step ${step} on dim ${dim} must be positive`);
    const start = norm(a);
    const stop = norm(b);
    if (start < 0 || stop > n || start > stop) {
      fail('TK0301', `slice [${a}, ${b}) is out of bounds for dim ${dim} of size ${n}`);
    }
    const count = Math.ceil((stop - start) / step);
    if (count === 0) fail('TK0302', `slice [${a}, ${b}) on dim ${dim} is empty`);
    return { start, count, step, drop: false };
  }
  const ds = ix as DynSlice;
  if (ds.kind !== 'ds') fail('TK0302', `unsupported index ${JSON.stringify(ix)} on dim ${dim}`);
  if (![ds.start, ds.size, ds.step].every(Number.isInteger))
    fail('TK0302', `nl.ds(${ds.start}, ${ds.size}) needs integers`);
  if (ds.size <= 0 || ds.step <= 0)
    fail('TK0302', `nl.ds(${ds.start}, ${ds.size}) needs a positive size and step`);
  const last = ds.start + (ds.size - 1) * ds.step;
  if (ds.start < 0 || last >= n) {
    fail(
      'TK0301',
      `nl.ds(${ds.start}, ${ds.size}) reaches index ${last}, out of bounds for dim ${dim} of size ${n}`,
    );
  }
  return { start: ds.start, count: ds.size, step: ds.step, drop: false };
}

/** Slice a view. On-chip views keep their partition dim (an integer index leaves size 1) and stay at least 2-D. */
export function sliceView(v: View, idx: readonly Index[]): View {
  const rank = v.shape.length;
  if (idx.length > rank)
    fail('TK0303', `${idx.length} indices for a tensor of rank ${rank} (shape [${v.shape}])`);
  const onChip = v.space !== 'hbm';
  let offset = v.offset;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let d = 0; d < rank; d++) {
    const r = toRange(idx[d] ?? ':', v.shape[d], d);
    if (onChip && d === 0 && r.step !== 1) fail('TK0302', 'the partition range must be contiguous (step 1)');
    offset += r.start * v.strides[d];
    if (r.drop && !(onChip && d === 0)) continue;
    shape.push(r.count);
    strides.push(v.strides[d] * r.step);
  }
  if (onChip && shape.length < 2) {
    shape.push(1);
    strides.push(1);
  }
  if (shape.length === 0) {
    shape.push(1);
    strides.push(1);
  }
  return Object.freeze({ ...v, offset, shape: Object.freeze(shape), strides: Object.freeze(strides) });
}

/**
 * Reshape without copying, when the strides allow it (numpy's no-copy reshape). On-chip views keep the partition
 * dim: only the free dims are regrouped.
 */
export function reshapeView(v: View, newShape: readonly number[]): View {
  const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  if (!newShape.every((d) => Number.isInteger(d) && d > 0))
    fail('TK0304', `reshape to [${newShape}]: dims must be positive integers`);
  if (count(newShape) !== count(v.shape)) {
    fail(
      'TK0304',
      `cannot reshape [${v.shape}] (${count(v.shape)} elements) to [${newShape}] (${count(newShape)} elements)`,
    );
  }
  if (v.space !== 'hbm' && newShape[0] !== v.shape[0]) {
    fail('TK0304', `reshape of an on-chip tile must keep the partition dim ${v.shape[0]}, got [${newShape}]`);
  }
  // Drop size-1 dims, then walk old and new dims in groups of equal element count.
  const old = v.shape.map((n, i) => [n, v.strides[i]] as const).filter(([n]) => n !== 1);
  const strides = new Array<number>(newShape.length).fill(1);
  let oi = 0;
  let ni = 0;
  while (ni < newShape.length) {
    if (newShape[ni] === 1) {
      strides[ni] = 1;
      ni++;
      continue;
    }
    let oldCount = old[oi][0];
    let newCount = newShape[ni];
    const o0 = oi;
    const n0 = ni;
    while (oldCount !== newCount) {
      if (oldCount < newCount) oldCount *= old[++oi][0];
      else newCount *= newShape[++ni];
    }
    for (let k = o0; k < oi; k++) {
      if (old[k][1] !== old[k + 1][0] * old[k + 1][1]) {
        fail('TK0304', `cannot reshape the strided view [${v.shape}] to [${newShape}] without a copy`);
      }
    }
    let s = old[oi][1];
    for (let k = ni; k >= n0; k--) {
      strides[k] = s;
      s *= newShape[k];
    }
    oi++;
    ni++;
  }
  return Object.freeze({ ...v, shape: Object.freeze([...newShape]), strides: Object.freeze(strides) });
}
