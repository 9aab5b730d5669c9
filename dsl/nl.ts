import type { ActivationFn } from '../ir/activation.ts';
import type { AluOp } from '../ir/alu.ts';
import { type DType, promote } from '../ir/dtypes.ts';
import { freeSize } from '../ir/types.ts';
import { raise } from '../tracer/context.ts';
import { allocate, type BufferKind, checkDType, checkShape } from './alloc.ts';
import type { DynSlice } from './indexing.ts';
import * as nisa from './nisa.ts';
import { type InstrOptions, tensorArg } from './operands.ts';
import type { Tensor } from './tensor.ts';

export { affineRange, numPrograms, programId, programNdim, sequentialRange, staticRange } from './loops.ts';

/** dtypes (neuroncore.md §1.11 [SH]). */
export const float32 = 'float32' satisfies DType;
export const tfloat32 = 'tfloat32' satisfies DType;
export const bfloat16 = 'bfloat16' satisfies DType;
export const float16 = 'float16' satisfies DType;
export const float8_e4m3 = 'float8_e4m3' satisfies DType;
export const float8_e4m3fn = 'float8_e4m3fn' satisfies DType;
export const float8_e5m2 = 'float8_e5m2' satisfies DType;
export const int8 = 'int8' satisfies DType;
export const int16 = 'int16' satisfies DType;
export const int32 = 'int32' satisfies DType;
export const uint8 = 'uint8' satisfies DType;
export const uint16 = 'uint16' satisfies DType;
export const uint32 = 'uint32' satisfies DType;
export const bool_ = 'uint8' satisfies DType;

/** Memories (neuroncore.md §1.3 [LL]). */
export const sbuf = 'sbuf' satisfies BufferKind;
export const psum = 'psum' satisfies BufferKind;
export const hbm = 'hbm' satisfies BufferKind;
export const privateHbm = 'hbm' satisfies BufferKind;
export const sharedHbm = 'sharedHbm' satisfies BufferKind;

/** `nl.tile_size` (neuroncore.md §1.5 [TS, PT]). */
export const tileSize = Object.freeze({
  pmax: 128,
  psumFmax: 512,
  psumNumBanks: 8,
  gemmStationaryFmax: 128,
  gemmMovingFmax: 512,
  bnStatsFmax: 512,
});

/** A dynamic slice: `size` elements from `start` (optionally every `step`). */
export function ds(start: number, size: number, step = 1): DynSlice {
  return Object.freeze({ kind: 'ds', start, size, step });
}

export interface NdarrayOptions {
  readonly buffer?: BufferKind;
  readonly name?: string;
}

/** A new tensor, uninitialised (fresh memory reads as NaN in the simulator). Default buffer: SBUF. */
export function ndarray(shape: readonly number[], dtype: DType, opts?: NdarrayOptions): Tensor {
  return allocate(
    checkShape(shape),
    checkDType(dtype),
    opts?.buffer ?? 'sbuf',
    opts?.name ?? (opts?.buffer === 'sharedHbm' ? 'out' : 'tensor'),
  );
}

/** A new on-chip tensor filled with `value` (HBM tensors cannot be created with a value). */
export function full(shape: readonly number[], value: number, dtype: DType, opts?: NdarrayOptions): Tensor {
  const kind = opts?.buffer ?? 'sbuf';
  if (kind === 'hbm' || kind === 'sharedHbm')
    raise('TK0201', 'HBM tensors cannot be created with an initial value; fill an SBUF tile and store it');
  const t = allocate(checkShape(shape), checkDType(dtype), kind, opts?.name ?? 'full');
  return nisa.memset(t, value);
}

export function zeros(shape: readonly number[], dtype: DType, opts?: NdarrayOptions): Tensor {
  return full(shape, 0, dtype, opts);
}

export function ones(shape: readonly number[], dtype: DType, opts?: NdarrayOptions): Tensor {
  return full(shape, 1, dtype, opts);
}

/** HBM → a new SBUF tile of the view's shape (DMA), optionally cast. */
export function load(src: Tensor, opts?: { dtype?: DType; name?: string }): Tensor {
  const s = tensorArg(src, 'load source');
  if (s.shape.length < 2) {
    raise(
      'TK0102',
      `load of a rank-1 view [${s.shape}]: index the source with two dims so the first maps to partitions`,
    );
  }
  const t = allocate(s.shape, opts?.dtype ?? s.dtype, 'sbuf', opts?.name ?? 'load');
  return nisa.dmaCopy(t, s);
}

/** Write `value` to `dst` in HBM (DMA). A PSUM value is first copied to SBUF, as NKI does. */
export function store(dst: Tensor, value: Tensor): Tensor {
  const d = tensorArg(dst, 'store destination');
  let v = tensorArg(value, 'store value');
  if (v.buffer === 'psum') v = nisa.tensorCopy(v, { dtype: d.dtype });
  return nisa.dmaCopy(d, v);
}

/** Copy a tile (on-chip) into a new tile, optionally cast. */
export function copy(x: Tensor, opts?: InstrOptions): Tensor {
  return nisa.tensorCopy(x, opts);
}

type Operand = Tensor | number;

function isPartitionVector(t: Tensor, other: Tensor): boolean {
  return freeSize(t.shape) === 1 && freeSize(other.shape) > 1 && t.shape[0] === other.shape[0];
}

/** Default result dtype: NKI promotion, with plain numbers weakly typed (float → fp32, int → int32) (§1.11 [SH]). */
function resultDType(a: Operand, b: Operand): DType {
  const dt = (x: Operand): DType =>
    typeof x === 'number' ? (Number.isInteger(x) ? 'int32' : 'float32') : x.dtype;
  return promote(dt(a), dt(b));
}

/** Elementwise binary op: tile∘tile, tile∘[P,1] tile, or tile∘number. */
function binary(op: AluOp, a: Operand, b: Operand, opts?: InstrOptions): Tensor {
  const dtype = opts?.dtype ?? resultDType(a, b);
  const o = { ...opts, dtype };
  if (typeof a === 'number' && typeof b === 'number')
    raise('TK0209', `nl.${op} needs at least one tensor operand`);
  if (typeof b === 'number') return nisa.tensorScalar(tensorArg(a, `${op} operand`), op, b, o);
  if (typeof a === 'number')
    return nisa.tensorScalar(tensorArg(b, `${op} operand`), op, a, { ...o, reverse0: true });
  const x = tensorArg(a, `${op} operand`);
  const y = tensorArg(b, `${op} operand`);
  if (isPartitionVector(y, x)) return nisa.tensorScalar(x, op, y, o);
  if (isPartitionVector(x, y)) return nisa.tensorScalar(y, op, x, { ...o, reverse0: true });
  return nisa.tensorTensor(x, y, op, o);
}

export const add = (a: Operand, b: Operand, opts?: InstrOptions) => binary('add', a, b, opts);
export const subtract = (a: Operand, b: Operand, opts?: InstrOptions) => binary('subtract', a, b, opts);
export const multiply = (a: Operand, b: Operand, opts?: InstrOptions) => binary('multiply', a, b, opts);
export const divide = (a: Operand, b: Operand, opts?: InstrOptions) => binary('divide', a, b, opts);
export const maximum = (a: Operand, b: Operand, opts?: InstrOptions) => binary('maximum', a, b, opts);
export const minimum = (a: Operand, b: Operand, opts?: InstrOptions) => binary('minimum', a, b, opts);

/** Elementwise math on ScalarE. */
function unary(fn: ActivationFn) {
  return (x: Tensor, opts?: InstrOptions): Tensor => nisa.activation(fn, tensorArg(x, `${fn} operand`), opts);
}
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const square = unary('square');
export const relu = unary('relu');
export const sigmoid = unary('sigmoid');
export const tanh = unary('tanh');
export const gelu = unary('gelu');
export const silu = unary('silu');

export interface AxisOptions extends InstrOptions {
  readonly keepdims?: boolean;
}

function reduce(op: AluOp) {
  return (x: Tensor, axis: number | readonly number[] = -1, opts?: AxisOptions): Tensor =>
    nisa.tensorReduce(op, tensorArg(x, `${op} operand`), axis, opts);
}
/** Reductions along trailing free axes (default: the last axis). */
export const sum = reduce('add');
export const max = reduce('maximum');
export const min = reduce('minimum');

/** x @ y: x [M, K] (or [K, M] with transposeX), y [K, N]; result in PSUM fp32. */
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

/** 2-D transpose on TensorE (result in PSUM). */
export function transpose(x: Tensor, opts?: InstrOptions & { engine?: 'tensor' | 'vector' }): Tensor {
  return nisa.ncTranspose(tensorArg(x, 'transpose operand'), opts);
}
