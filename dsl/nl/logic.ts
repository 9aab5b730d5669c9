import type { AluOp } from '../../ir/alu.ts';
import * as nisa from '../nisa.ts';
import { type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { binary } from './binary.ts';
import type { Operand } from './operand.ts';

/**
 * Comparisons, logical and bitwise ops (neuroncore.md §2.5 "Bitwise", "Logical / compare" [LL]) on VectorE.
 * Comparisons and logical ops return bool (uint8 0/1) by default; bitwise ops need integer tiles and default to NKI
 * type promotion.
 */

function predicate(op: AluOp) {
  return (a: Operand, b: Operand, opts?: InstrOptions): Tensor => binary(op, a, b, opts, 'uint8');
}
export const equal = predicate('equal');
export const notEqual = predicate('notEqual');
export const greater = predicate('greater');
export const greaterEqual = predicate('greaterEqual');
export const less = predicate('less');
export const lessEqual = predicate('lessEqual');
export const logicalAnd = predicate('logicalAnd');
export const logicalOr = predicate('logicalOr');
export const logicalXor = predicate('logicalXor');

/** 1 where x is 0, else 0 (x == 0). */
export function logicalNot(x: Tensor, opts?: InstrOptions): Tensor {
  return nisa.tensorScalar(tensorArg(x, 'logicalNot operand'), 'equal', 0, {
    ...opts,
    dtype: opts?.dtype ?? 'uint8',
  });
}

function bitwise(op: AluOp) {
  return (a: Operand, b: Operand, opts?: InstrOptions): Tensor => binary(op, a, b, opts);
}
export const bitwiseAnd = bitwise('bitwiseAnd');
export const bitwiseOr = bitwise('bitwiseOr');
export const bitwiseXor = bitwise('bitwiseXor');
/** Logical left shift of the integer bit patterns. */
export const leftShift = bitwise('leftShift');
/** Logical right shift (the engines have no arithmetic right shift, neuroncore.md §2.3). */
export const rightShift = bitwise('rightShift');

/** Bitwise NOT of an integer tile (NKI `invert`; on bool tiles use logicalNot, as NKI advises). */
export function invert(x: Tensor, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'invert operand');
  return nisa.tensorScalar(t, 'invert', 0, { ...opts, dtype: opts?.dtype ?? t.dtype });
}
