/** 2-D convolution, batch normalization (inference) and window pooling over NCHW tensors. */
import type { NDArray, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import { type AttrReader, defineGraphOp, type InferArgs, inType, isFloatType, opFail } from './op-def.ts';

/** The resolved geometry of a 2-D window op (conv or pool). */
export interface Window2d {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
  readonly outHW: readonly [number, number];
}

function pair(v: readonly number[], what: string): [number, number] {
  if (v.length !== 2 || !v.every((x) => Number.isInteger(x) && x > 0))
    opFail('TK0806', `${what} [${v}] must be two positive integers (2-D only)`);
  return [v[0], v[1]];
}

/** Kernel size, strides, dilations, pads (explicit or auto_pad) and output size of a 2-D window op. */
export function window2d(
  attrs: AttrReader,
  inHW: readonly number[],
  kernelShape: readonly number[],
  opts: { ceil?: boolean } = {},
): Window2d {
  if (inHW.length !== 2) opFail('TK0806', `only 2-D windows are supported, got ${inHW.length} spatial dims`);
  const kernel = pair(attrs.optionalInts('kernel_shape') ?? kernelShape, 'kernel_shape');
  const strides = pair(attrs.optionalInts('strides') ?? [1, 1], 'strides');
  const dilations = pair(attrs.optionalInts('dilations') ?? [1, 1], 'dilations');
  const eff = [0, 1].map((i) => (kernel[i] - 1) * dilations[i] + 1);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  let pads: [number, number, number, number];
  if (autoPad === 'NOTSET') {
    const p = attrs.optionalInts('pads') ?? [0, 0, 0, 0];
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0))
      opFail('TK0806', `pads [${p}] must be four non-negative integers`);
    pads = [p[0], p[1], p[2], p[3]];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [0, 1].map((i) => {
      const out = Math.ceil(inHW[i] / strides[i]);
      return Math.max(0, (out - 1) * strides[i] + eff[i] - inHW[i]);
    });
    const small = total.map((t) => Math.floor(t / 2));
    const big = total.map((t, i) => t - small[i]);
    pads =
      autoPad === 'SAME_UPPER' ? [small[0], small[1], big[0], big[1]] : [big[0], big[1], small[0], small[1]];
  } else {
    opFail('TK0806', `auto_pad '${autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER`);
  }
  const round = opts.ceil ? Math.ceil : Math.floor;
  const outHW = [0, 1].map((i) => round((inHW[i] + pads[i] + pads[i + 2] - eff[i]) / strides[i]) + 1) as [
    number,
    number,
  ];
  if (outHW.some((d) => d <= 0))
    opFail('TK0805', `window ${kernel.join('x')} over [${inHW}] with pads [${pads}] leaves no output`);
  return { kernel, strides, dilations, pads, outHW };
}

function convGeometry(a: Pick<InferArgs, 'attrs'>, x: StaticType, w: StaticType) {
  if (x.shape.length !== 4)
    opFail('TK0805', `Conv input must be [N, C, H, W], got [${x.shape}] (2-D conv only)`);
  if (w.shape.length !== 4) opFail('TK0805', `Conv weight must be [M, C/group, kH, kW], got [${w.shape}]`);
  const group = a.attrs.int('group', 1);
  const [N, C, H, W] = x.shape;
  const [M, Cg, kH, kW] = w.shape;
  if (group < 1 || C % group !== 0 || M % group !== 0 || Cg !== C / group)
    opFail('TK0805', `Conv with group ${group}: input channels ${C} and weight [${w.shape}] do not match`);
  const win = window2d(a.attrs, [H, W], [kH, kW]);
  if (win.kernel[0] !== kH || win.kernel[1] !== kW)
    opFail('TK0805', `Conv kernel_shape [${win.kernel}] differs from the weight's [${kH}, ${kW}]`);
  return { N, C, M, group, win };
}

export function convInfo(attrs: AttrReader, xShape: readonly number[], wShape: readonly number[]) {
  return convGeometry({ attrs }, { shape: xShape, dtype: 'float32' }, { shape: wShape, dtype: 'float32' });
}

export const Conv = defineGraphOp({
  summary: '2-D convolution of [N, C, H, W] by [M, C/group, kH, kW] (+ bias [M])',
  arity: [2, 3],
  fusion: 'anchor',
  infer: (a) => {
    const x = inType(a, 0);
    const w = inType(a, 1);
    if (!isFloatType(x.dtype)) opFail('TK0805', `Conv of ${x.dtype} is not supported`);
    const { N, M, win } = convGeometry(a, x, w);
    const b = a.inputs[2];
    if (b && numelOf(b.shape) !== M) opFail('TK0805', `Conv bias [${b.shape}] must have ${M} elements`);
    return [{ shape: [N, M, win.outHW[0], win.outHW[1]], dtype: x.dtype }];
  },
  evaluate: ({ inputs: [x, w, b], attrs, outputTypes }) => {
    const { N, C, M, group, win } = convInfo(attrs, x!.shape, w!.shape);
    const [H, W] = [x!.shape[2], x!.shape[3]];
    const [OH, OW] = win.outHW;
    const [kH, kW] = win.kernel;
    const Cg = C / group;
    const Mg = M / group;
    const data = new Float64Array(N * M * OH * OW);
    for (let n = 0; n < N; n++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / Mg);
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++) {
            let acc = b ? b.data[m] : 0;
            for (let c = 0; c < Cg; c++) {
              const ci = g * Cg + c;
              for (let kh = 0; kh < kH; kh++) {
                const ih = oh * win.strides[0] + kh * win.dilations[0] - win.pads[0];
                if (ih < 0 || ih >= H) continue;
                for (let kw = 0; kw < kW; kw++) {
                  const iw = ow * win.strides[1] + kw * win.dilations[1] - win.pads[1];
                  if (iw < 0 || iw >= W) continue;
                  acc +=
                    x!.data[((n * C + ci) * H + ih) * W + iw] * w!.data[((m * Cg + c) * kH + kh) * kW + kw];
                }
              }
            }
            data[((n * M + m) * OH + oh) * OW + ow] = acc;
          }
        }
      }
    }
    return [{ shape: outputTypes[0].shape, dtype: outputTypes[0].dtype, data }];
  },
});

export const BatchNormalization = defineGraphOp({
  summary: 'inference batch norm: (x - mean) / sqrt(var + epsilon) · scale + B per channel (dim 1)',
  arity: [5, 5],
  fusion: 'elementwise',
  infer: (a) => {
    const x = inType(a, 0);
    if (x.shape.length < 2) opFail('TK0805', `BatchNormalization needs [N, C, ...], got [${x.shape}]`);
    for (let i = 1; i < 5; i++) {
      if (numelOf(inType(a, i).shape) !== x.shape[1])
        opFail('TK0805', `BatchNormalization input ${i} must have ${x.shape[1]} elements (one per channel)`);
    }
    if (a.attrs.int('training_mode', 0) !== 0 || a.outputs > 1)
      opFail('TK0806', 'BatchNormalization in training mode is not supported (inference only)');
    return [x];
  },
  evaluate: ({ inputs: [x, scale, bias, mean, variance], attrs }) => {
    const eps = attrs.float('epsilon', 1e-5);
    const C = x!.shape[1];
    const inner = numelOf(x!.shape.slice(2));
    const data = new Float64Array(x!.data.length);
    for (let i = 0; i < data.length; i++) {
      const c = Math.floor(i / inner) % C;
      data[i] =
        ((x!.data[i] - mean!.data[c]) / Math.sqrt(variance!.data[c] + eps)) * scale!.data[c] + bias!.data[c];
    }
    return [{ shape: x!.shape, dtype: x!.dtype, data }];
  },
});

function poolGeometry(a: Pick<InferArgs, 'attrs'>, x: StaticType): Window2d {
  if (x.shape.length !== 4) opFail('TK0805', `pooling input must be [N, C, H, W], got [${x.shape}]`);
  if (!a.attrs.has('kernel_shape')) opFail('TK0806', 'pooling needs kernel_shape');
  return window2d(a.attrs, x.shape.slice(2), a.attrs.ints('kernel_shape'), {
    ceil: a.attrs.int('ceil_mode', 0) === 1,
  });
}

function pool(kind: 'max' | 'average') {
  return defineGraphOp({
    summary: `${kind} over 2-D windows of [N, C, H, W]${kind === 'average' ? ' (count_include_pad default 0)' : ''}`,
    arity: [1, 1],
    fusion: 'anchor',
    infer: (a) => {
      const x = inType(a, 0);
      if (a.outputs > 1) opFail('TK0806', 'MaxPool Indices output is not supported');
      const win = poolGeometry(a, x);
      return [{ shape: [x.shape[0], x.shape[1], win.outHW[0], win.outHW[1]], dtype: x.dtype }];
    },
    evaluate: ({ inputs: [x], attrs, outputTypes }) => [
      poolArray(
        x!,
        poolGeometry({ attrs }, { shape: x!.shape, dtype: x!.dtype }),
        kind,
        attrs.int('count_include_pad', 0) === 1,
        outputTypes[0],
      ),
    ],
  });
}

function poolArray(
  x: NDArray,
  win: Window2d,
  kind: 'max' | 'average',
  includePad: boolean,
  out: StaticType,
): NDArray {
  const [N, C, H, W] = x.shape;
  const [OH, OW] = win.outHW;
  const data = new Float64Array(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let acc = kind === 'max' ? Number.NEGATIVE_INFINITY : 0;
        let count = 0;
        for (let kh = 0; kh < win.kernel[0]; kh++) {
          const ih = oh * win.strides[0] + kh * win.dilations[0] - win.pads[0];
          for (let kw = 0; kw < win.kernel[1]; kw++) {
            const iw = ow * win.strides[1] + kw * win.dilations[1] - win.pads[1];
            const inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
            if (!inside) {
              const inPadded = ih < H + win.pads[2] && iw < W + win.pads[3];
              if (includePad && inPadded) count++;
              continue;
            }
            const v = x.data[(nc * H + ih) * W + iw];
            if (kind === 'max') acc = v > acc || Number.isNaN(v) ? v : acc;
            else acc += v;
            count++;
          }
        }
        data[(nc * OH + oh) * OW + ow] = kind === 'max' ? acc : acc / count;
      }
    }
  }
  return { shape: out.shape, dtype: out.dtype, data };
}

export const MaxPool = pool('max');
export const AveragePool = pool('average');
