// Scalar conversions: roundTo / toBits / fromBits for every dtype. The bulk loops in bulk.ts use the same codecs.
import * as codec from './float-codec.ts';
import type { DType } from './info.ts';

// Module-local copies of the codec functions: direct calls, not import-binding getters under tsx/vitest.
const { NAN_BITS, f32BitsOf, f32FromBits } = codec;
const tf32Enc = codec.tf32FromF32Bits;
const bf16Enc = codec.bf16FromF32Bits;
const f16Enc = codec.f16FromF32Bits;
const e4m3Enc = codec.e4m3FromF32Bits;
const e4m3fnEnc = codec.e4m3fnFromF32Bits;
const e5m2Enc = codec.e5m2FromF32Bits;
let BF16: Float64Array | undefined;
let F16: Float64Array | undefined;
let E4M3: Float64Array | undefined;
let E4M3FN: Float64Array | undefined;
let E5M2: Float64Array | undefined;

/**
 * Float -> integer as the engines' output cast does: round half to even, saturate to [lo, hi], NaN -> 0, never -0
 * [neuroncore.md §1.11: RNE on every generation, A11].
 */
export function roundInt(x: number, lo: number, hi: number): number {
  if (!(x > lo)) return Number.isNaN(x) ? 0 : lo;
  if (x >= hi) return hi;
  const r = Math.round(x);
  // Math.round breaks ties upward; move odd results of exact ties down. (r & 1 keeps parity below 2^32.)
  return (r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r) + 0;
}

/** Storage bit pattern (unsigned) of roundTo(d, x). NaN -> the format's canonical quiet NaN. */
export function toBits(d: DType, x: number): number {
  switch (d) {
    case 'float32':
      return Number.isNaN(x) ? NAN_BITS.float32 : f32BitsOf(x) >>> 0;
    case 'tfloat32':
      return tf32Enc(f32BitsOf(x));
    case 'bfloat16':
      return bf16Enc(f32BitsOf(x));
    case 'float16':
      return f16Enc(f32BitsOf(x));
    case 'float8_e4m3':
      return e4m3Enc(f32BitsOf(x));
    case 'float8_e4m3fn':
      return e4m3fnEnc(f32BitsOf(x));
    case 'float8_e5m2':
      return e5m2Enc(f32BitsOf(x));
    case 'int8':
      return roundInt(x, -128, 127) & 0xff;
    case 'int16':
      return roundInt(x, -32768, 32767) & 0xffff;
    case 'int32':
      return roundInt(x, -2147483648, 2147483647) >>> 0;
    case 'uint8':
      return roundInt(x, 0, 255);
    case 'uint16':
      return roundInt(x, 0, 65535);
    case 'uint32':
      return roundInt(x, 0, 4294967295);
  }
}

/** Value of a storage bit pattern. Only the dtype's low bits count; tfloat32 ignores the low 13 mantissa bits. */
export function fromBits(d: DType, bits: number): number {
  switch (d) {
    case 'float32':
      return f32FromBits(bits);
    case 'tfloat32':
      return f32FromBits(bits & 0xffffe000);
    case 'bfloat16':
      return (BF16 ??= codec.bf16Values())[bits & 0xffff];
    case 'float16':
      return (F16 ??= codec.f16Values())[bits & 0xffff];
    case 'float8_e4m3':
      return (E4M3 ??= codec.e4m3Values())[bits & 0xff];
    case 'float8_e4m3fn':
      return (E4M3FN ??= codec.e4m3fnValues())[bits & 0xff];
    case 'float8_e5m2':
      return (E5M2 ??= codec.e5m2Values())[bits & 0xff];
    case 'int8':
      return (bits << 24) >> 24;
    case 'int16':
      return (bits << 16) >> 16;
    case 'int32':
      return bits | 0;
    case 'uint8':
      return bits & 0xff;
    case 'uint16':
      return bits & 0xffff;
    case 'uint32':
      return bits >>> 0;
  }
}

const ROUNDERS: { readonly [K in DType]: (x: number) => number } = {
  float32: Math.fround,
  tfloat32: (x) => f32FromBits(tf32Enc(f32BitsOf(x))),
  bfloat16: (x) => (BF16 ??= codec.bf16Values())[bf16Enc(f32BitsOf(x))],
  float16: (x) => (F16 ??= codec.f16Values())[f16Enc(f32BitsOf(x))],
  float8_e4m3: (x) => (E4M3 ??= codec.e4m3Values())[e4m3Enc(f32BitsOf(x))],
  float8_e4m3fn: (x) => (E4M3FN ??= codec.e4m3fnValues())[e4m3fnEnc(f32BitsOf(x))],
  float8_e5m2: (x) => (E5M2 ??= codec.e5m2Values())[e5m2Enc(f32BitsOf(x))],
  int8: (x) => roundInt(x, -128, 127),
  int16: (x) => roundInt(x, -32768, 32767),
  int32: (x) => roundInt(x, -2147483648, 2147483647),
  uint8: (x) => roundInt(x, 0, 255),
  uint16: (x) => roundInt(x, 0, 65535),
  uint32: (x) => roundInt(x, 0, 4294967295),
};

/** Round a JS number to the value the dtype stores (see ir/dtypes.ts for the contract). */
export function roundTo(d: DType, x: number): number {
  return ROUNDERS[d](x);
}

/** roundTo specialised to one dtype, for per-element loops: `const r = rounder(d); ... r(x)`. */
export function rounder(d: DType): (x: number) => number {
  return ROUNDERS[d];
}
