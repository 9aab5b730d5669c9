/** Whole-row ops over the trailing axes: Softmax, LogSoftmax, LayerNormalization, RMSNormalization. */
import { normAxis } from '../ndarray.ts';
import type { NDArray } from '../types.ts';
import { numelOf } from '../types.ts';
import { defineGraphOp, type InferArgs, inType, opFail } from './op-def.ts';

/**
 * Where the row starts: Softmax from opset 13 works on one axis (tilekit: the last); before opset 13 it flattens
 * the input to 2-D at `axis` (default 1) and works on the whole trailing block. Returns the first row axis.
 */
export function softmaxRowStart(rank: number, axisAttr: number | undefined, opset: number): number {
  const legacy = opset < 13;
  const axis = normAxis(axisAttr ?? (legacy ? 1 : -1), rank);
  if (axis === undefined) opFail('TK0806', `Softmax axis ${axisAttr} is out of range for rank ${rank}`);
  if (!legacy && axis !== rank - 1) {
    opFail('TK0806', `Softmax over axis ${axis} of a rank-${rank} tensor: only the last axis is supported`);
  }
  return axis;
}

/** Apply `fn` to each row of length numel(shape[start:]). */
function mapRows(
  x: NDArray,
  start: number,
  fn: (row: Float64Array, out: Float64Array, r: number) => void,
  dtype = x.dtype,
): NDArray {
  const cols = numelOf(x.shape.slice(start));
  const rows = x.data.length / cols;
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < rows; r++) fn(x.data.subarray(r * cols, (r + 1) * cols), data.subarray(r * cols), r);
  return Object.freeze({ shape: x.shape, dtype, data });
}

function softmaxLike(log: boolean) {
  return defineGraphOp({
    summary: `${log ? 'log of ' : ''}exp(x - max) / sum exp(x - max) along the last axis (opset < 13: the trailing block from axis)`,
    arity: [1, 1],
    fusion: 'row',
    infer: (a: InferArgs) => {
      const t = inType(a, 0);
      softmaxRowStart(t.shape.length, a.attrs.has('axis') ? a.attrs.int('axis') : undefined, a.opset);
      return [t];
    },
    evaluate: ({ inputs: [x], attrs, opset }) => {
      const start = softmaxRowStart(
        x!.shape.length,
        attrs.has('axis') ? attrs.int('axis') : undefined,
        opset,
      );
      return [
        mapRows(x!, start, (row, out) => {
          let max = Number.NEGATIVE_INFINITY;
          for (const v of row) max = Math.max(max, v);
          let sum = 0;
          for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
          for (let i = 0; i < row.length; i++)
            out[i] = log ? row[i] - max - Math.log(sum) : Math.exp(row[i] - max) / sum;
        }),
      ];
    },
  });
}

export const Softmax = softmaxLike(false);
export const LogSoftmax = softmaxLike(true);

/** Normalisation ops take the trailing axes from `axis` (default -1) and a scale (and bias) of that row shape. */
function normRowStart(a: InferArgs): number {
  const t = inType(a, 0);
  const axis = normAxis(a.attrs.int('axis', -1), t.shape.length);
  if (axis === undefined)
    opFail('TK0806', `axis ${a.attrs.int('axis', -1)} is out of range for [${t.shape}]`);
  const rowShape = t.shape.slice(axis);
  for (const i of [1, 2]) {
    const p = a.inputs[i];
    if (!p) continue;
    const ok = numelOf(p.shape) === numelOf(rowShape) || numelOf(p.shape) === 1;
    if (!ok) opFail('TK0805', `input ${i} [${p.shape}] must have the row shape [${rowShape}]`);
  }
  if (a.outputs > 1)
    opFail('TK0806', 'only the first output (Y) is supported; Mean/InvStdDev are training outputs');
  return axis;
}

function paramAt(p: NDArray | undefined, i: number, fallback: number): number {
  if (!p) return fallback;
  return p.data.length === 1 ? p.data[0] : p.data[i];
}

export const LayerNormalization = defineGraphOp({
  summary: '(x - mean) / sqrt(var + epsilon) * scale + bias over the trailing axes from `axis`',
  arity: [2, 3],
  fusion: 'row',
  infer: (a) => {
    normRowStart(a);
    return [inType(a, 0)];
  },
  evaluate: ({ inputs: [x, scale, bias], attrs }) => {
    const eps = attrs.float('epsilon', 1e-5);
    const start = normAxisOrThrow(attrs.int('axis', -1), x!.shape.length);
    return [
      mapRows(x!, start, (row, out) => {
        let mean = 0;
        for (const v of row) mean += v;
        mean /= row.length;
        let v2 = 0;
        for (const v of row) v2 += (v - mean) ** 2;
        const inv = 1 / Math.sqrt(v2 / row.length + eps);
        for (let i = 0; i < row.length; i++)
          out[i] = (row[i] - mean) * inv * paramAt(scale, i, 1) + paramAt(bias, i, 0);
      }),
    ];
  },
});

export const RMSNormalization = defineGraphOp({
  summary: 'x / sqrt(mean(x^2) + epsilon) * scale over the trailing axes from `axis` (ONNX opset 23)',
  arity: [2, 2],
  fusion: 'row',
  infer: (a) => {
    normRowStart(a);
    return [inType(a, 0)];
  },
  evaluate: ({ inputs: [x, scale], attrs }) => {
    const eps = attrs.float('epsilon', 1e-5);
    const start = normAxisOrThrow(attrs.int('axis', -1), x!.shape.length);
    return [
      mapRows(x!, start, (row, out) => {
        let ss = 0;
        for (const v of row) ss += v * v;
        const inv = 1 / Math.sqrt(ss / row.length + eps);
        for (let i = 0; i < row.length; i++) out[i] = row[i] * inv * paramAt(scale, i, 1);
      }),
    ];
  },
});

function normAxisOrThrow(axis: number, rank: number): number {
  const a = normAxis(axis, rank);
  if (a === undefined) opFail('TK0806', `axis ${axis} is out of range for rank ${rank}`);
  return a;
}
