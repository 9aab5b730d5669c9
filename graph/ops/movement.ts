/** Data-movement ops, each a kernel of its own: Transpose, Concat, Split, Slice, Gather, Expand. */
import { broadcastIndex, broadcastShapes, stridesOf, toInts, transposeArray } from '../ndarray.ts';
import type { NDArray } from '../types.ts';
import { numelOf } from '../types.ts';
import { axisIn } from './axes.ts';
import { type AttrReader, constInput, defineGraphOp, type InferArgs, inType, opFail } from './op-def.ts';

export function transposePerm(attrs: AttrReader, rank: number): number[] {
  const perm = attrs.optionalInts('perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const sorted = [...perm].sort((x, y) => x - y);
  if (perm.length !== rank || sorted.some((p, i) => p !== i))
    opFail('TK0806', `Transpose perm [${perm}] is not a permutation of ${rank} axes`);
  return [...perm];
}

export const Transpose = defineGraphOp({
  summary: 'permute axes (default: reverse them)',
  arity: [1, 1],
  fusion: 'kernel',
  infer: (a) => {
    const t = inType(a, 0);
    const perm = transposePerm(a.attrs, t.shape.length);
    return [{ shape: perm.map((p) => t.shape[p]), dtype: t.dtype }];
  },
  evaluate: ({ inputs: [x], attrs }) => [transposeArray(x!, transposePerm(attrs, x!.shape.length))],
});

export const Concat = defineGraphOp({
  summary: 'join inputs along axis',
  arity: [1, Number.POSITIVE_INFINITY],
  fusion: 'kernel',
  infer: (a) => {
    const ts = a.inputs.map((_, i) => inType(a, i));
    const rank = ts[0].shape.length;
    const axis = axisIn(a.attrs.int('axis'), rank, 'Concat axis');
    for (const t of ts) {
      const ok = t.shape.length === rank && t.shape.every((d, i) => i === axis || d === ts[0].shape[i]);
      if (!ok)
        opFail(
          'TK0805',
          `Concat inputs [${ts.map((x) => `[${x.shape}]`).join(', ')}] differ off axis ${axis}`,
        );
      if (t.dtype !== ts[0].dtype)
        opFail('TK0805', `Concat inputs have dtypes ${t.dtype} and ${ts[0].dtype}`);
    }
    const shape = [...ts[0].shape];
    shape[axis] = ts.reduce((s, t) => s + t.shape[axis], 0);
    return [{ shape, dtype: ts[0].dtype }];
  },
  evaluate: ({ inputs, attrs, outputTypes }) => {
    const out = outputTypes[0];
    const axis = axisIn(attrs.int('axis'), out.shape.length, 'Concat axis');
    const outer = numelOf(out.shape.slice(0, axis));
    const inner = numelOf(out.shape.slice(axis + 1));
    const data = new Float64Array(numelOf(out.shape));
    let off = 0;
    for (const x of inputs) {
      const n = x!.shape[axis];
      for (let o = 0; o < outer; o++) {
        const src = x!.data.subarray(o * n * inner, (o + 1) * n * inner);
        data.set(src, (o * out.shape[axis] + off) * inner);
      }
      off += n;
    }
    return [{ shape: out.shape, dtype: out.dtype, data }];
  },
});

/** Split sizes: input 1 (opset >= 13), attribute `split` (before), `num_outputs` (opset 18), else equal parts. */
export function splitSizes(
  a: Pick<InferArgs, 'attrs' | 'consts' | 'inputs' | 'outputs'>,
  dim: number,
): number[] {
  let sizes: number[] | undefined = a.attrs.optionalInts('split')?.slice();
  if (!sizes && a.inputs[1]) {
    const c = a.consts[1];
    if (!c) opFail('TK0806', 'Split sizes (input 1) must be a constant');
    sizes = toInts(c);
  }
  if (!sizes) {
    const parts = a.attrs.has('num_outputs') ? a.attrs.int('num_outputs') : a.outputs;
    const size = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.min(size, dim - i * size));
  }
  if (sizes.reduce((s, x) => s + x, 0) !== dim || sizes.some((s) => s < 0))
    opFail('TK0805', `Split sizes [${sizes}] do not add up to the axis length ${dim}`);
  return sizes;
}

export const Split = defineGraphOp({
  summary: 'split along axis into parts (sizes from input 1, `split` or `num_outputs`, else equal)',
  arity: [1, 2],
  fusion: 'kernel',
  infer: (a) => {
    const t = inType(a, 0);
    const axis = axisIn(a.attrs.int('axis', 0), t.shape.length, 'Split axis');
    return splitSizes(a, t.shape[axis]).map((n) => ({
      shape: t.shape.map((d, i) => (i === axis ? n : d)),
      dtype: t.dtype,
    }));
  },
  evaluate: ({ inputs: [x], attrs, outputTypes }) => {
    const axis = axisIn(attrs.int('axis', 0), x!.shape.length, 'Split axis');
    let off = 0;
    return outputTypes.map((t) => {
      const out = sliceArray(x!, [{ axis, start: off, step: 1, count: t.shape[axis] }]);
      off += t.shape[axis];
      return out;
    });
  },
});

export interface SliceDim {
  readonly axis: number;
  readonly start: number;
  readonly step: number;
  readonly count: number;
}

/** ONNX Slice clamping: the normalised start, step and element count of each sliced axis. */
export function sliceDims(
  a: {
    attrs: AttrReader;
    opset: number;
    consts: readonly (NDArray | undefined)[];
    present: readonly boolean[];
  },
  shape: readonly number[],
): SliceDim[] {
  const legacy = a.opset < 10;
  const read = (name: string, i: number): number[] | undefined => {
    if (legacy) return a.attrs.optionalInts(name)?.slice();
    if (!a.present[i]) return undefined;
    const c = a.consts[i];
    if (!c) opFail('TK0806', `Slice ${name} (input ${i}) must be a constant`);
    return toInts(c);
  };
  const starts = read('starts', 1);
  const ends = read('ends', 2);
  if (!starts || !ends || starts.length !== ends.length)
    opFail('TK0806', 'Slice needs starts and ends of one length');
  const axes = read('axes', 3) ?? starts.map((_, i) => i);
  const steps = legacy ? starts.map(() => 1) : (read('steps', 4) ?? starts.map(() => 1));
  return axes.map((ax, k) => {
    const axis = axisIn(ax, shape.length, 'Slice axis');
    const dim = shape[axis];
    const step = steps[k];
    if (step === 0) opFail('TK0806', 'Slice step 0');
    const clampIdx = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + dim : v));
    let start: number;
    let end: number;
    if (step > 0) {
      start = clampIdx(starts[k], 0, dim);
      end = clampIdx(ends[k], 0, dim);
    } else {
      start = clampIdx(starts[k], 0, dim - 1);
      end = ends[k] < -dim ? -1 : clampIdx(ends[k], -1, dim - 1);
    }
    const count = Math.max(0, Math.ceil((end - start) / step));
    return { axis, start, step, count };
  });
}

/** Elements of x at the sliced indices (other axes whole). */
export function sliceArray(x: NDArray, dims: readonly SliceDim[]): NDArray {
  const rank = x.shape.length;
  const start = new Array<number>(rank).fill(0);
  const step = new Array<number>(rank).fill(1);
  const shape = [...x.shape];
  for (const d of dims) {
    start[d.axis] = d.start;
    step[d.axis] = d.step;
    shape[d.axis] = d.count;
  }
  const strides = stridesOf(x.shape);
  const n = numelOf(shape);
  const data = new Float64Array(n);
  const counter = new Array<number>(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let pos = 0;
    for (let d = 0; d < rank; d++) pos += (start[d] + counter[d] * step[d]) * strides[d];
    data[i] = x.data[pos];
    for (let d = rank - 1; d >= 0; d--) {
      if (++counter[d] < shape[d]) break;
      counter[d] = 0;
    }
  }
  return Object.freeze({ shape: Object.freeze(shape), dtype: x.dtype, data });
}

export const Slice = defineGraphOp({
  summary: 'x[starts:ends:steps] on axes (inputs from opset 10, attributes before)',
  arity: [1, 5],
  fusion: 'kernel',
  infer: (a) => {
    const t = inType(a, 0);
    const shape = [...t.shape];
    const present = a.inputs.map((x) => x !== undefined);
    for (const d of sliceDims({ ...a, present }, t.shape)) shape[d.axis] = d.count;
    if (shape.some((d) => d === 0)) opFail('TK0805', `Slice of [${t.shape}] is empty ([${shape}])`);
    return [{ shape, dtype: t.dtype }];
  },
  evaluate: ({ inputs, attrs, opset }) => {
    const x = inputs[0]!;
    const present = inputs.map((v) => v !== undefined);
    return [sliceArray(x, sliceDims({ attrs, opset, consts: inputs, present }, x.shape))];
  },
});

export const Gather = defineGraphOp({
  summary: 'take indices along axis: out = data[..., indices, ...]',
  arity: [2, 2],
  fusion: 'kernel',
  infer: (a) => {
    const d = inType(a, 0);
    const idx = inType(a, 1);
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32')
      opFail('TK0805', `Gather indices must be int32/int64, got ${idx.dtype}`);
    const axis = axisIn(a.attrs.int('axis', 0), d.shape.length, 'Gather axis');
    return [{ shape: [...d.shape.slice(0, axis), ...idx.shape, ...d.shape.slice(axis + 1)], dtype: d.dtype }];
  },
  evaluate: ({ inputs: [x, indices], attrs, outputTypes }) => {
    const axis = axisIn(attrs.int('axis', 0), x!.shape.length, 'Gather axis');
    const dim = x!.shape[axis];
    const outer = numelOf(x!.shape.slice(0, axis));
    const inner = numelOf(x!.shape.slice(axis + 1));
    const idx = toInts(indices!).map((i) => {
      const j = i < 0 ? i + dim : i;
      if (j < 0 || j >= dim) opFail('TK0805', `Gather index ${i} is out of range for axis length ${dim}`);
      return j;
    });
    const out = outputTypes[0];
    const data = new Float64Array(numelOf(out.shape));
    let w = 0;
    for (let o = 0; o < outer; o++) {
      for (const j of idx) {
        data.set(x!.data.subarray((o * dim + j) * inner, (o * dim + j + 1) * inner), w);
        w += inner;
      }
    }
    return [{ shape: out.shape, dtype: out.dtype, data }];
  },
});

export const Expand = defineGraphOp({
  summary: 'broadcast to a shape (bidirectional, as numpy)',
  arity: [2, 2],
  fusion: 'kernel',
  infer: (a) => {
    const t = inType(a, 0);
    const target = toInts(constInput(a, 1, 'Expand shape'));
    const shape = broadcastShapes(t.shape, target);
    if (!shape) opFail('TK0805', `cannot expand [${t.shape}] to [${target}]`);
    return [{ shape, dtype: t.dtype }];
  },
  evaluate: ({ inputs: [x], outputTypes }) => {
    const out = outputTypes[0];
    const idx = broadcastIndex(x!.shape, out.shape);
    return [{ shape: out.shape, dtype: out.dtype, data: Float64Array.from(idx, (i) => x!.data[i]) }];
  },
});
