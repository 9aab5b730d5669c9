// Scalar float codecs: fp32 bit pattern -> storage bits (RNE with each format's overflow/NaN rule) and storage bits
// -> value (lookup tables built lazily). Inputs are fp32 patterns because engines compute in fp32 and memory writes
// convert from fp32 [neuroncore.md §1.11]; rounding is RNE on every generation [neuroncore.md §1.11, A11].
// The fp8 rules follow ml_dtypes ConvertImpl<float, float8_*, kSaturate=false> [neuroncore.md §4.2 SIM].

const scratch = new ArrayBuffer(4);
const F32 = new Float32Array(scratch);
const I32 = new Int32Array(scratch);

/** The fp32 bit pattern of Math.fround(x), as a signed int32 (sign bit = x < 0). */
export function f32BitsOf(x: number): number {
  F32[0] = x;
  return I32[0];
}

/** The fp32 value of a 32-bit pattern (any integer; only its low 32 bits count). */
export function f32FromBits(bits: number): number {
  I32[0] = bits;
  return F32[0];
}

/** Canonical quiet NaN patterns written for any NaN (the NaN's sign and payload are not kept). */
export const NAN_BITS = {
  float32: 0x7fc00000,
  tfloat32: 0x7fc00000,
  bfloat16: 0x7fc0,
  float16: 0x7e00,
  float8_e4m3: 0x7c, // ml_dtypes quiet_NaN() = 0b0'1111'100
  float8_e4m3fn: 0x7f, // the only NaN: S.1111.111
  float8_e5m2: 0x7e, // ml_dtypes quiet_NaN() = 0b0'11111'10
} as const;

/** Round-to-nearest-even of `sig` shifted right by `s` (1 <= s <= 24, sig < 2^24). */
function rneShift(sig: number, s: number): number {
  return (sig + ((sig >>> s) & 1) + (1 << (s - 1)) - 1) >>> s;
}

/**
 * Magnitude bits of RNE(|v|) in a small format with `m` mantissa bits whose smallest normal exponent is `emin`,
 * from the fp32 magnitude pattern `a` (not NaN). Exponent carries fall through into the exponent field, so a result
 * above the format's largest finite pattern means overflow; inf (a = 0x7f800000) lands there too. Only for formats whose smallest subnormal is >= 2^-24,
 * where every fp32 subnormal rounds to zero.
 */
function roundMagnitude(a: number, m: number, emin: number): number {
  if (a < 0x00800000) return 0;
  const e = (a >>> 23) - 127;
  const sig = (a & 0x7fffff) | 0x800000;
  if (e >= emin) return ((e - emin) << m) + rneShift(sig, 23 - m);
  const s = 23 - m + emin - e;
  return s > 24 ? 0 : rneShift(sig, s); // shifting 25+ bits leaves under half the smallest subnormal
}

/** fp32 bits -> tfloat32 storage bits (uint32, low 13 bits zero). */
export function tf32FromF32Bits(b: number): number {
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return NAN_BITS.tfloat32;
  return ((b & 0x80000000) | ((a + 0xfff + ((a >>> 13) & 1)) & 0x7fffe000)) >>> 0;
}

/** fp32 bits -> bfloat16 bits. Same exponent range as fp32, so subnormals and overflow fall out of the carry. */
export function bf16FromF32Bits(b: number): number {
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return NAN_BITS.bfloat16;
  return ((b >>> 16) & 0x8000) | ((a + 0x7fff + ((a >>> 16) & 1)) >>> 16);
}

/** fp32 bits -> float16 bits; overflow -> ±inf (0x7c00). */
export function f16FromF32Bits(b: number): number {
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return NAN_BITS.float16;
  const r = roundMagnitude(a, 10, -14);
  return ((b >>> 16) & 0x8000) | (r > 0x7bff ? 0x7c00 : r);
}

/** fp32 bits -> float8_e4m3 bits (IEEE-like, max 240 = 0x77); overflow -> ±inf (0x78). */
export function e4m3FromF32Bits(b: number): number {
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return NAN_BITS.float8_e4m3;
  const r = roundMagnitude(a, 3, -6);
  return ((b >>> 24) & 0x80) | (r > 0x77 ? 0x78 : r);
}

/** fp32 bits -> float8_e4m3fn bits (max 448 = 0x7e); overflow and ±inf -> NaN (0x7f), as ml_dtypes does. */
export function e4m3fnFromF32Bits(b: number): number {
  const a = b & 0x7fffffff;
  const r = roundMagnitude(a, 3, -6);
  return r > 0x7e ? NAN_BITS.float8_e4m3fn : ((b >>> 24) & 0x80) | r;
}

/** fp32 bits -> float8_e5m2 bits (max 57344 = 0x7b); overflow -> ±inf (0x7c). */
export function e5m2FromF32Bits(b: number): number {
  const a = b & 0x7fffffff;
  if (a > 0x7f800000) return NAN_BITS.float8_e5m2;
  const r = roundMagnitude(a, 2, -14);
  return ((b >>> 24) & 0x80) | (r > 0x7b ? 0x7c : r);
}

/**
 * Value of every pattern of a small float format. `fn`: the all-ones exponent holds normal numbers except the
 * all-ones pattern, which is NaN (OCP E4M3); otherwise IEEE-style (all-ones exponent = inf / NaN).
 */
function buildTable(expBits: number, manBits: number, fn: boolean): Float64Array {
  const size = 1 << (1 + expBits + manBits);
  const bias = (1 << (expBits - 1)) - 1;
  const maxE = (1 << expBits) - 1;
  const manMask = (1 << manBits) - 1;
  const t = new Float64Array(size);
  for (let p = 0; p < size; p++) {
    const e = (p >>> manBits) & maxE;
    const m = p & manMask;
    let v: number;
    if (e === maxE && !fn) v = m === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
    else if (e === maxE && m === manMask) v = Number.NaN;
    else if (e === 0) v = m * 2 ** (1 - bias - manBits);
    else v = (m + (1 << manBits)) * 2 ** (e - bias - manBits);
    t[p] = p >>> (expBits + manBits) ? -v : v;
  }
  return t;
}

let bf16Table: Float64Array | undefined;
let f16Table: Float64Array | undefined;
let e4m3Table: Float64Array | undefined;
let e4m3fnTable: Float64Array | undefined;
let e5m2Table: Float64Array | undefined;

/** bfloat16 bits -> value (65536 entries). */
export function bf16Values(): Float64Array {
  if (bf16Table) return bf16Table;
  const t = new Float64Array(65536);
  for (let p = 0; p < 65536; p++) t[p] = f32FromBits(p << 16);
  bf16Table = t;
  return t;
}
/** float16 bits -> value (65536 entries). */
export function f16Values(): Float64Array {
  f16Table ??= buildTable(5, 10, false);
  return f16Table;
}
/** float8_e4m3 bits -> value (256 entries). */
export function e4m3Values(): Float64Array {
  e4m3Table ??= buildTable(4, 3, false);
  return e4m3Table;
}
/** float8_e4m3fn bits -> value (256 entries). */
export function e4m3fnValues(): Float64Array {
  e4m3fnTable ??= buildTable(4, 3, true);
  return e4m3fnTable;
}
/** float8_e5m2 bits -> value (256 entries). */
export function e5m2Values(): Float64Array {
  e5m2Table ??= buildTable(5, 2, false);
  return e5m2Table;
}
