import { DTYPES } from '../../ir/dtypes.ts';
import { freeSize } from '../../ir/types.ts';
import { raise } from '../../tracer/context.ts';
import { allocate } from '../alloc.ts';
import * as nisa from '../nisa.ts';
import { emit, type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { type Axis, freeAxes } from './axes.ts';
import { broadcastTo } from './broadcast.ts';
import { type Operand, resultDType } from './operand.ts';

/** Composite and layout functions (neuroncore.md §2.5 [LL]), each lowered to ISA instructions here. */

/** Composites that reduce along the free axes in one pass need the axes to be all of them. */
function wholeFreeAxes(x: Tensor, axis: Axis, what: string): number[] {
  const axes = freeAxes(x, axis, what);
  if (axes.length !== x.shape.length - 1) {
    raise(
      'TK0268',
      `${what} along axis ${JSON.stringify(axis)} of [${x.shape}]: it reduces every free axis; reshape the tile so they are the axes reduced`,
    );
  }
  return axes;
}

/**
 * softmax(x) = exp(x - max) / Σ exp(x - max) along the free axes: a negated max-reduce (VectorE), exp with that bias
 * and an add-reduce (one ScalarE activation), a divide by the [P, 1] sums (VectorE); fp32 inside.
 */
export function softmax(x: Tensor, axis: Axis = -1, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'softmax operand');
  const axes = wholeFreeAxes(t, axis, 'nl.softmax');
  const P = t.shape[0];
  const negMax = nisa.tensorReduce('maximum', t, axes, { negate: true, dtype: 'float32', name: 'neg_max' });
  const sums = allocate([P, 1], 'float32', 'sbuf', 'exp_sum');
  const e = nisa.activation('exp', t, { bias: negMax, reduceRes: sums, dtype: 'float32', name: 'exp' });
  return nisa.tensorScalar(e, 'divide', sums, { ...opts, dtype: opts?.dtype ?? t.dtype });
}

/**
 * RMS norm along the free axes: x · rsqrt(Σx² / n + eps) · w (NKI `rms_norm(x, w, axis, n, epsilon)`). `w` is
 * [P, F] or a [1, F] row broadcast across partitions; `n` defaults to the free size.
 */
export function rmsNorm(
  x: Tensor,
  w: Tensor,
  axis: Axis = -1,
  n?: number,
  eps = 1e-6,
  opts?: InstrOptions,
): Tensor {
  const t = tensorArg(x, 'rmsNorm operand');
  const weight = tensorArg(w, 'rmsNorm weight');
  wholeFreeAxes(t, axis, 'nl.rmsNorm');
  const P = t.shape[0];
  const count = n ?? freeSize(t.shape);
  const ss = allocate([P, 1], 'float32', 'sbuf', 'sum_sq');
  nisa.activation('square', t, { reduceRes: ss, dtype: 'float32', name: 'sq' });
  const meanEps = nisa.tensorScalar(ss, 'divide', count, { op1: 'add', operand1: eps, dtype: 'float32' });
  const r = nisa.activation('rsqrt', meanEps, { dtype: 'float32', name: 'rms_inv' });
  const scaled = nisa.tensorScalar(t, 'multiply', r, { dtype: 'float32', name: 'normed' });
  const wb = weight.shape[0] === 1 && P > 1 ? broadcastTo(weight, [P, ...weight.shape.slice(1)]) : weight;
  return nisa.tensorTensor(scaled, wb, 'multiply', { ...opts, dtype: opts?.dtype ?? t.dtype });
}

/** x @ y: x [M, K] (or [K, M] with transposeX), y [K, N]; result in PSUM fp32 (neuroncore.md §2.5 matmul). */
export function matmul(
  x: Tensor,
  y: Tensor,
  opts?: { transposeX?: boolean; dst?: Tensor; name?: string },
): Tensor {
  let stationary = tensorArg(x, 'matmul x');
  const moving = tensorArg(y, 'matmul y');
  if (!opts?.transposeX) {
    const t = nisa.ncTranspose(stationary);
    stationary = nisa.tensorCopy(t, { dtype: stationary.dtype });
  }
  return nisa.ncMatmul(stationary, moving, { dst: opts?.dst, name: opts?.name });
}

/** 2-D transpose on TensorE (result in PSUM, both dims <= 128) or VectorE (32x32). */
export function transpose(x: Tensor, opts?: InstrOptions & { engine?: 'tensor' | 'vector' }): Tensor {
  const t = tensorArg(x, 'transpose operand');
  if (t.shape.length !== 2) {
    raise(
      'TK0267',
      `nl.transpose takes a 2-D tile, got rank ${t.shape.length} [${t.shape}]; reshape it to 2-D`,
    );
  }
  return nisa.ncTranspose(t, opts);
}

/**
 * where(cond, x, y): x where cond is non-zero, else y; x and y are tiles of cond's shape (or broadcastable to it) or
 * numbers. y (cast to the result dtype) is copied, then x is copied over it under the predicate
 * (`nisa.tensorCopyPredicated`), so NaN and infinities pass through unchanged.
 */
export function where(cond: Tensor, x: Operand, y: Operand, opts?: InstrOptions): Tensor {
  const c = tensorArg(cond, 'where condition');
  const dtype = opts?.dtype ?? resultDType(x, y);
  const shape = c.shape;
  const asTile = (v: Operand, name: string, into?: Tensor): Tensor => {
    if (typeof v === 'number') return nisa.memset(into ?? allocate(shape, dtype, 'sbuf', name), v);
    let t = tensorArg(v, `where ${name}`);
    if (t.shape.join() !== shape.join()) t = broadcastTo(t, shape);
    return into || t.dtype !== dtype ? nisa.tensorCopy(t, { dtype, dst: into, name }) : t;
  };
  const out = asTile(y, 'where', opts?.dst ?? allocate(shape, dtype, 'sbuf', opts?.name ?? 'where'));
  const pred = DTYPES[c.dtype].kind === 'uint' ? c : nisa.tensorScalar(c, 'notEqual', 0, { dtype: 'uint8' });
  nisa.tensorCopyPredicated(out, asTile(x, 'on_true'), pred);
  return out;
}

/** Zero each element with probability `rate` (a number or [P, 1] tile), from the seeded generators; no rescaling. */
export function dropout(x: Tensor, rate: number | Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  return nisa.dropout(tensorArg(x, 'dropout operand'), rate, opts);
}

/** A view with a size-1 dim appended; NKI allows new axes only after the last one. */
export function expandDims(x: Tensor, axis: number): Tensor {
  const t = tensorArg(x, 'expandDims operand');
  const rank = t.shape.length;
  if (axis !== rank && axis !== -1) {
    raise(
      'TK0268',
      `expandDims axis ${axis} of a rank-${rank} tile: new axes go after the last one (axis ${rank})`,
    );
  }
  return t.reshape([...t.shape, 1]);
}

/**
 * Print a tensor when the kernel is simulated, with the kernel line and the SPMD program (neuroncore.md §2.5
 * device_print). Prints are collected during the run and emitted in program, then instruction, order through the
 * simulator's print sink (stdout by default; `simulate(..., { print })` captures them).
 */
export function devicePrint(prefix: string, x: Tensor): void {
  const t = tensorArg(x, 'devicePrint tensor');
  emit('devicePrint', [t.view], [], { prefix });
}
