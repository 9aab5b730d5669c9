import type { AluOp } from '../../ir/alu.ts';
import { DTYPES, type DType } from '../../ir/dtypes.ts';
import { allocate } from '../alloc.ts';
import * as nisa from '../nisa.ts';
import { type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { type Axis, elements, freeAxes, reducedShape } from './axes.ts';

/**
 * Reductions along free axes (neuroncore.md §2.5 [LL]): `axis` counts from 0 (the partition dim, which cannot be
 * reduced) and may be negative; the axes must be the trailing free axes. Default: the last axis.
 */
export interface AxisOptions extends InstrOptions {
  /** Keep reduced dims as size 1 (results always keep at least [P, 1]). */
  readonly keepdims?: boolean;
}

function reduction(op: AluOp, boolResult = false) {
  return (x: Tensor, axis: Axis = -1, opts?: AxisOptions): Tensor => {
    const t = tensorArg(x, `${op} operand`);
    const axes = freeAxes(t, axis, `nl reduce (${op})`);
    const dtype = opts?.dtype ?? (boolResult ? 'uint8' : t.dtype);
    return nisa.tensorReduce(op, t, axes, { ...opts, dtype });
  };
}

export const sum = reduction('add');
export const max = reduction('maximum');
export const min = reduction('minimum');
export const prod = reduction('multiply');
/** 1 if every element along the axes is non-zero, else 0 (bool, uint8). */
export const all = reduction('logicalAnd', true);

const floatOr32 = (d: DType): DType => (DTYPES[d].kind === 'float' ? d : 'float32');

/** sum / n, the division once in fp32. Integer tiles give float32. */
export function mean(x: Tensor, axis: Axis = -1, opts?: AxisOptions): Tensor {
  const t = tensorArg(x, 'mean operand');
  const axes = freeAxes(t, axis, 'nl.mean');
  const s = nisa.tensorReduce('add', t, axes, { keepdims: opts?.keepdims, dtype: 'float32' });
  return nisa.tensorScalar(s, 'divide', elements(t, axes), {
    ...opts,
    dtype: opts?.dtype ?? floatOr32(t.dtype),
  });
}

/**
 * Population variance. When the axes cover every free dim: two passes, mean then Σ(x - mean)² (ScalarE square with
 * its add-reduce); otherwise E[x²] - E[x]².
 */
function variance(x: Tensor, axis: Axis = -1, opts?: AxisOptions): Tensor {
  const t = tensorArg(x, 'var operand');
  const axes = freeAxes(t, axis, 'nl.var');
  const n = elements(t, axes);
  const dtype = opts?.dtype ?? floatOr32(t.dtype);
  const shape = reducedShape(t.shape, axes, opts?.keepdims ?? false);
  const P = t.shape[0];
  if (axes.length === t.shape.length - 1) {
    const m = nisa.tensorReduce('add', t, axes, { dtype: 'float32' });
    const mu = nisa.tensorScalar(m, 'divide', n, { dtype: 'float32' });
    const d = nisa.tensorScalar(t, 'subtract', mu, { dtype: 'float32' });
    const ss = allocate([P, 1], 'float32', 'sbuf', 'sumsq');
    nisa.activation('square', d, { dtype: 'float32', reduceRes: ss });
    return nisa.tensorScalar(ss, 'divide', n, { ...opts, dtype }).reshape(shape);
  }
  const s1 = nisa.tensorReduce('add', t, axes, { dtype: 'float32', keepdims: opts?.keepdims });
  const sq = nisa.activation('square', t, { dtype: 'float32' });
  const s2 = nisa.tensorReduce('add', sq, axes, { dtype: 'float32', keepdims: opts?.keepdims });
  const m1 = nisa.tensorScalar(s1, 'divide', n, { dtype: 'float32' });
  const m2 = nisa.tensorScalar(s2, 'divide', n, { dtype: 'float32' });
  const m1sq = nisa.tensorTensor(m1, m1, 'multiply', { dtype: 'float32' });
  return nisa.tensorTensor(m2, m1sq, 'subtract', { ...opts, dtype });
}

export { variance as var };
