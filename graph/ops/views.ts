/** View ops: a new shape for the same row-major data (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout). */
import { reshapeArray, toInts } from '../ndarray.ts';
import { numelOf } from '../types.ts';
import { axisIn } from './axes.ts';
import { constInput, defineGraphOp, type InferArgs, inType, type OpOfKind, opFail } from './op-def.ts';

/** A view op: same data, new shape; `shapeOf` computes it. */
function view(
  summary: string,
  arity: readonly [number, number],
  shapeOf: (a: InferArgs) => number[],
): OpOfKind<'view'> {
  return defineGraphOp({
    summary,
    arity,
    fusion: 'view',
    infer: (a) => {
      const t = inType(a, 0);
      const shape = shapeOf(a);
      if (numelOf(shape) !== numelOf(t.shape))
        opFail('TK0805', `cannot view [${t.shape}] (${numelOf(t.shape)} elements) as [${shape}]`);
      return [{ shape, dtype: t.dtype }];
    },
    evaluate: ({ inputs: [x], outputTypes }) => [reshapeArray(x!, outputTypes[0].shape)],
  });
}

/** ONNX Reshape: 0 copies the input dim (unless allowzero), -1 is inferred. */
export function reshapeTarget(
  inShape: readonly number[],
  target: readonly number[],
  allowZero: boolean,
): number[] {
  const out = target.map((d, i) => (d === 0 && !allowZero ? inShape[i] : d));
  if (out.some((d) => d === undefined))
    opFail('TK0805', `Reshape target [${target}] copies a dim the input lacks`);
  const minus = out.filter((d) => d === -1).length;
  if (minus > 1) opFail('TK0805', `Reshape target [${target}] has more than one -1`);
  if (out.some((d) => d < -1)) opFail('TK0805', `Reshape target [${target}] has a negative dim`);
  if (minus === 1) {
    const known = out.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    const n = numelOf(inShape);
    if (known === 0 || n % known !== 0) opFail('TK0805', `cannot reshape [${inShape}] to [${target}]`);
    return out.map((d) => (d === -1 ? n / known : d));
  }
  return out;
}

export const Reshape = view('same data, new shape (0 copies a dim, -1 is inferred)', [2, 2], (a) =>
  reshapeTarget(
    inType(a, 0).shape,
    toInts(constInput(a, 1, 'Reshape shape')),
    a.attrs.int('allowzero', 0) === 1,
  ),
);

export const Flatten = view('2-D view [prod(dims < axis), prod(dims >= axis)]', [1, 1], (a) => {
  const s = inType(a, 0).shape;
  const axis = a.attrs.int('axis', 1);
  const ax = axis < 0 ? axis + s.length : axis;
  if (ax < 0 || ax > s.length) opFail('TK0806', `Flatten axis ${axis} is out of range for rank ${s.length}`);
  return [numelOf(s.slice(0, ax)), numelOf(s.slice(ax))];
});

function axesArg(a: InferArgs, what: string): number[] | undefined {
  const attr = a.attrs.optionalInts('axes');
  if (attr) return [...attr];
  if (a.inputs[1]) return toInts(constInput(a, 1, `${what} axes`));
  return undefined;
}

export const Squeeze = view(
  'drop size-1 dims (axes: attribute before opset 13, input after)',
  [1, 2],
  (a) => {
    const s = inType(a, 0).shape;
    const axes = axesArg(a, 'Squeeze')?.map((x) => axisIn(x, s.length, 'Squeeze axis'));
    if (axes?.some((x) => s[x] !== 1))
      opFail('TK0805', `Squeeze axes [${axes}] of [${s}] are not all size 1`);
    return s.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  },
);

export const Unsqueeze = view('insert size-1 dims at axes of the output', [1, 2], (a) => {
  const s = inType(a, 0).shape;
  const axes = axesArg(a, 'Unsqueeze');
  if (!axes) opFail('TK0806', 'Unsqueeze needs axes');
  const rank = s.length + axes.length;
  const norm = axes.map((x) => axisIn(x, rank, 'Unsqueeze axis'));
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(norm.includes(i) ? 1 : s[k++]);
  return out;
});

export const Identity = view('the input itself', [1, 1], (a) => [...inType(a, 0).shape]);

export const Dropout = defineGraphOp({
  summary: 'inference: the input itself (the mask output is not supported)',
  arity: [1, 3],
  fusion: 'view',
  infer: (a) => {
    if (a.outputs > 1) opFail('TK0806', 'Dropout mask output is not supported (inference only)');
    return [inType(a, 0)];
  },
  evaluate: ({ inputs: [x] }) => [x!],
});
