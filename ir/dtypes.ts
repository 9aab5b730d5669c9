// Dtypes and their rounding: the formats tilekit stores, bit-exact conversions and NKI type promotion.
// Engines compute in fp32; memory stores the tensor's dtype [neuroncore.md §1.11]. The pieces live in ir/dtypes/:
//   info.ts         DType, DTYPES (widths, ranges, overflow/NaN rule per format, with sources), isDType, isFloat
//   float-codec.ts  fp32 bits -> storage bits per float format (RNE), lazily built decode tables
//   scalar.ts       roundTo / toBits / fromBits
//   bulk.ts         decodeStrided / encodeStrided (simulator inner loops)
//   promote.ts      promote (NKI type promotion)
//
// roundTo(d, x): the value the dtype stores for the JS number x. Floats: x is first rounded to fp32 (Math.fround)
// and then rounded to nearest even in the format, with the format's overflow rule (float32/tfloat32/bfloat16/float16/
// float8_e5m2/float8_e4m3 -> ±inf; float8_e4m3fn -> NaN, as ml_dtypes); subnormals kept; NaN stays NaN.
// Ints: round half to even, saturate to the range, NaN -> 0. The result is exactly representable in the dtype.
// toBits(d, x): the storage pattern of roundTo(d, x) as an unsigned integer; every NaN becomes the format's canonical
// quiet NaN (float32/tfloat32 0x7fc00000, bfloat16 0x7fc0, float16 0x7e00, e4m3 0x7c, e4m3fn 0x7f, e5m2 0x7e).
// fromBits(d, bits): the value of a pattern; every NaN pattern decodes to NaN.
export { decodeStrided, encodeStrided } from './dtypes/bulk.ts';
export { DTYPE_NAMES, DTYPES, type DType, type DTypeInfo, isDType, isFloat } from './dtypes/info.ts';
export { promote } from './dtypes/promote.ts';
export { fromBits, rounder, roundTo, toBits } from './dtypes/scalar.ts';
