import { DTYPES, type DType, roundTo } from './dtypes.ts';
import { numel } from './types.ts';

/** Host-side arrays: what a kernel is called with and what it returns. Floats hold values exact in their dtype. */
export type HostData =
  | Float32Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

export interface HostArray {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: HostData;
}

export function typedArrayFor(dtype: DType, n: number): HostData {
  const info = DTYPES[dtype];
  if (info.kind === 'float') return new Float32Array(n);
  if (info.kind === 'int')
    return info.bytes === 1 ? new Int8Array(n) : info.bytes === 2 ? new Int16Array(n) : new Int32Array(n);
  return info.bytes === 1 ? new Uint8Array(n) : info.bytes === 2 ? new Uint16Array(n) : new Uint32Array(n);
}

/** A host array of `dtype`; values are rounded to the dtype as the chip would store them. */
export function hostArray(shape: readonly number[], dtype: DType, values?: ArrayLike<number>): HostArray {
  const n = numel(shape);
  const data = typedArrayFor(dtype, n);
  if (values) {
    if (values.length !== n)
      throw new RangeError(`expected ${n} values for shape [${shape}], got ${values.length}`);
    for (let i = 0; i < n; i++) data[i] = roundTo(dtype, values[i]);
  }
  return Object.freeze({ shape: Object.freeze([...shape]), dtype, data });
}

/** Deterministic PRNG (mulberry32): the same seed gives the same stream on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeded inputs as the NKI test suites make them: uniform in [lo, hi), rounded to the dtype (kernels.md). */
export function randomArray(
  shape: readonly number[],
  dtype: DType,
  seed: number,
  lo = -1,
  hi = 1,
): HostArray {
  const next = rng(seed);
  const n = numel(shape);
  const values = new Float64Array(n);
  const isInt = DTYPES[dtype].kind !== 'float';
  for (let i = 0; i < n; i++) {
    const u = lo + (hi - lo) * next();
    values[i] = isInt ? Math.floor(u) : u;
  }
  return hostArray(shape, dtype, values);
}

export interface Comparison {
  readonly ok: boolean;
  readonly maxAbsError: number;
  readonly maxRelError: number;
  /** Elements outside |a - b| <= atol + rtol * |b|. */
  readonly mismatches: number;
  readonly firstMismatch?: {
    readonly index: readonly number[];
    readonly actual: number;
    readonly expected: number;
  };
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** numpy.allclose semantics: |actual - expected| <= atol + rtol * |expected|; NaN only matches NaN. */
export function compareArrays(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  shape: readonly number[],
  tol: Tolerance,
): Comparison {
  if (actual.length !== expected.length)
    throw new RangeError(`length ${actual.length} vs ${expected.length}`);
  let maxAbs = 0;
  let maxRel = 0;
  let mismatches = 0;
  let first: Comparison['firstMismatch'];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const bothNaN = Number.isNaN(a) && Number.isNaN(e);
    const diff = bothNaN ? 0 : a === e ? 0 : Math.abs(a - e);
    const bad = Number.isNaN(diff) || diff > tol.atol + tol.rtol * Math.abs(e);
    if (!Number.isNaN(diff)) {
      maxAbs = Math.max(maxAbs, diff);
      if (e !== 0) maxRel = Math.max(maxRel, diff / Math.abs(e));
    } else {
      maxAbs = Number.NaN;
    }
    if (bad) {
      mismatches++;
      if (!first) first = { index: unravel(i, shape), actual: a, expected: e };
    }
  }
  return { ok: mismatches === 0, maxAbsError: maxAbs, maxRelError: maxRel, mismatches, firstMismatch: first };
}

export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return idx;
}
