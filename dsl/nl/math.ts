import type { ActivationFn } from '../../ir/activation.ts';
import { DTYPES, type DType } from '../../ir/dtypes.ts';
import * as nisa from '../nisa.ts';
import { type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { binary } from './binary.ts';
import { type Operand, resultDType } from './operand.ts';

/**
 * Elementwise math (neuroncore.md §2.5 "Math" [LL]): binary ALU ops on VectorE (GpSimd where the ALU needs it),
 * transcendental functions on ScalarE, and compositions where the ISA has no single instruction (noted per function).
 * Results default to NKI type promotion of the operands (numbers are weakly typed); `dtype` overrides.
 */

export const add = (a: Operand, b: Operand, opts?: InstrOptions) => binary('add', a, b, opts);
export const subtract = (a: Operand, b: Operand, opts?: InstrOptions) => binary('subtract', a, b, opts);
export const multiply = (a: Operand, b: Operand, opts?: InstrOptions) => binary('multiply', a, b, opts);
export const divide = (a: Operand, b: Operand, opts?: InstrOptions) => binary('divide', a, b, opts);
export const maximum = (a: Operand, b: Operand, opts?: InstrOptions) => binary('maximum', a, b, opts);
export const minimum = (a: Operand, b: Operand, opts?: InstrOptions) => binary('minimum', a, b, opts);
/** a ** b on GpSimd (the only engine with power, neuroncore.md §2.3). */
export const power = (a: Operand, b: Operand, opts?: InstrOptions) => binary('power', a, b, opts);
/** Remainder with the sign of the divisor (numpy `mod`): a - floor(a / b) · b. */
export const mod = (a: Operand, b: Operand, opts?: InstrOptions) => binary('mod', a, b, opts);
/** max(|a|, |b|) */
export const absMax = (a: Operand, b: Operand, opts?: InstrOptions) => binary('absMax', a, b, opts);
/** min(|a|, |b|) */
export const absMin = (a: Operand, b: Operand, opts?: InstrOptions) => binary('absMin', a, b, opts);

/** An activation function on ScalarE, result in the input's dtype unless `dtype` says otherwise. */
function unary(fn: ActivationFn) {
  return (x: Tensor, opts?: InstrOptions): Tensor => nisa.activation(fn, tensorArg(x, `${fn} operand`), opts);
}
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const reciprocal = unary('reciprocal');
export const square = unary('square');
export const abs = unary('abs');
export const sign = unary('sign');
export const relu = unary('relu');
export const sigmoid = unary('sigmoid');
export const tanh = unary('tanh');
export const gelu = unary('gelu');
export const geluDx = unary('geluDx');
export const geluApprxTanh = unary('geluApprxTanh');
export const geluApprxSigmoid = unary('geluApprxSigmoid');
export const geluApprxSigmoidDx = unary('geluApprxSigmoidDx');
export const silu = unary('silu');
export const siluDx = unary('siluDx');
export const erf = unary('erf');
export const erfDx = unary('erfDx');
export const softplus = unary('softplus');
export const mish = unary('mish');
export const sin = unary('sin');
export const arctan = unary('arctan');

/** -x (x · -1). */
export function negative(x: Tensor, opts?: InstrOptions): Tensor {
  return binary('multiply', x, -1, opts, tensorArg(x, 'negative operand').dtype);
}

const isFloat = (d: DType) => DTYPES[d].kind === 'float';
const F32 = { dtype: 'float32' } as const;

/** cos x = sin(π/2 - |x|): ScalarE has sin but no cos (neuroncore.md §2.4); |x| keeps the argument in sin's range. */
export function cos(x: Tensor, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'cos operand');
  const a = nisa.activation('abs', t, F32);
  return nisa.activation('sin', a, { ...opts, dtype: opts?.dtype ?? t.dtype, scale: -1, bias: Math.PI / 2 });
}

/** tan x = sin x / cos x (no tan on ScalarE). */
export function tan(x: Tensor, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'tan operand');
  const s = nisa.activation('sin', t, F32);
  return nisa.tensorTensor(s, cos(t, F32), 'divide', { ...opts, dtype: opts?.dtype ?? t.dtype });
}

/** floor x = x - (x mod 1), exact in fp32 (no floor instruction). Integer tiles are copied. */
export function floor(x: Tensor, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'floor operand');
  const dtype = opts?.dtype ?? t.dtype;
  if (!isFloat(t.dtype)) return nisa.tensorCopy(t, { ...opts, dtype });
  const frac = nisa.tensorScalar(t, 'mod', 1, F32);
  return nisa.tensorTensor(t, frac, 'subtract', { ...opts, dtype });
}

/** ceil x = x + ((-x) mod 1), exact in fp32. */
export function ceil(x: Tensor, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'ceil operand');
  const dtype = opts?.dtype ?? t.dtype;
  if (!isFloat(t.dtype)) return nisa.tensorCopy(t, { ...opts, dtype });
  const up = nisa.tensorScalar(t, 'multiply', -1, { ...F32, op1: 'mod', operand1: 1 });
  return nisa.tensorTensor(t, up, 'add', { ...opts, dtype });
}

/** trunc x = sign(x) · floor(|x|). */
export function trunc(x: Tensor, opts?: InstrOptions): Tensor {
  const t = tensorArg(x, 'trunc operand');
  const dtype = opts?.dtype ?? t.dtype;
  if (!isFloat(t.dtype)) return nisa.tensorCopy(t, { ...opts, dtype });
  const down = floor(nisa.activation('abs', t, F32), F32);
  return nisa.tensorTensor(down, nisa.activation('sign', t, F32), 'multiply', { ...opts, dtype });
}

/** Remainder with the sign of the dividend (C `fmod`): sign(a) · (|a| mod |b|). */
export function fmod(a: Tensor, b: Operand, opts?: InstrOptions): Tensor {
  const x = tensorArg(a, 'fmod dividend');
  const absX = nisa.activation('abs', x, F32);
  const absB =
    typeof b === 'number' ? Math.abs(b) : nisa.activation('abs', tensorArg(b, 'fmod divisor'), F32);
  const r = binary('mod', absX, absB, F32);
  return binary('multiply', r, nisa.activation('sign', x, F32), {
    ...opts,
    dtype: opts?.dtype ?? resultDType(x, b),
  });
}
