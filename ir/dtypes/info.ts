// The dtypes tilekit stores, as data: widths, ranges and the overflow/NaN rule of each format.
// Sources: neuroncore.md §1.11 [SH, A11] for the list and bit layouts; neuroncore.md §4.2 [SIM] says NKI's simulator
// stores bf16/fp8 with ml_dtypes rounding, so fp8 rules follow ml_dtypes (github.com/jax-ml/ml_dtypes,
// ml_dtypes/include/float8.h: numeric_limits_float8_* and ConvertImpl with kSaturate = false).

export type DType =
  | 'float32'
  | 'tfloat32'
  | 'bfloat16'
  | 'float16'
  | 'float8_e4m3'
  | 'float8_e4m3fn'
  | 'float8_e5m2'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'uint8'
  | 'uint16'
  | 'uint32';

export interface DTypeInfo {
  readonly name: DType;
  /** Storage bytes: tfloat32 is 4. */
  readonly bytes: number;
  readonly kind: 'float' | 'int' | 'uint';
  /** Floats only: field widths (the sign bit is implied). */
  readonly bits?: { exponent: number; mantissa: number };
  /** Largest finite value. */
  readonly max: number;
  /** Most negative finite value (ints: the lowest). */
  readonly min: number;
  readonly hasInf: boolean;
  readonly hasNaN: boolean;
  /** Overflow / NaN rule in words, with source key. */
  readonly note: string;
}

/** (2 - 2^-m) * 2^e: the largest finite value of an IEEE-style format with m mantissa bits and max exponent e. */
const ieeeMax = (mantissa: number, maxExp: number): number => (2 - 2 ** -mantissa) * 2 ** maxExp;

function float(
  name: DType,
  bytes: number,
  exponent: number,
  mantissa: number,
  max: number,
  hasInf: boolean,
  note: string,
): DTypeInfo {
  return {
    name,
    bytes,
    kind: 'float',
    bits: { exponent, mantissa },
    max,
    min: -max,
    hasInf,
    hasNaN: true,
    note,
  };
}

function int(name: DType, bytes: number, signed: boolean): DTypeInfo {
  const bits = bytes * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return {
    name,
    bytes,
    kind: signed ? 'int' : 'uint',
    max,
    min,
    hasInf: false,
    hasNaN: false,
    note:
      `${signed ? "two's complement" : 'unsigned'}, little endian; from float: round half to even, saturate to ` +
      `[${min}, ${max}], NaN -> 0 [neuroncore.md §1.11, A11 RNE]`,
  };
}

const RNE = 'RNE from the fp32 value (inputs are first rounded to fp32, as engines compute in fp32)';

export const DTYPES: { readonly [K in DType]: DTypeInfo } = {
  float32: float(
    'float32',
    4,
    8,
    23,
    ieeeMax(23, 127),
    true,
    'IEEE binary32: RNE from fp64 (Math.fround), overflow -> ±inf, subnormals kept; NaN stored as 0x7fc00000 ' +
      '[neuroncore.md §1.11]',
  ),
  tfloat32: float(
    'tfloat32',
    4,
    8,
    10,
    ieeeMax(10, 127),
    true,
    `1/8/10 stored in 4 bytes with the low 13 mantissa bits zero (decode ignores them); ${RNE}; overflow ` +
      '(|x| >= (2 - 2^-11) * 2^127) -> ±inf; NaN stored as 0x7fc00000 [neuroncore.md §1.11 SH]',
  ),
  bfloat16: float(
    'bfloat16',
    2,
    8,
    7,
    ieeeMax(7, 127),
    true,
    `1/8/7; ${RNE}; overflow (|x| >= (2 - 2^-8) * 2^127) -> ±inf; subnormals kept; NaN stored as quiet 0x7fc0 ` +
      '(sign dropped; ml_dtypes keeps it) [neuroncore.md §1.11, §4.2 SIM ml_dtypes]',
  ),
  float16: float(
    'float16',
    2,
    5,
    10,
    ieeeMax(10, 15),
    true,
    `IEEE binary16; ${RNE}; overflow (|x| >= 65520) -> ±inf; subnormals kept; NaN stored as quiet 0x7e00 ` +
      '(sign dropped) [neuroncore.md §1.11 SH]',
  ),
  float8_e4m3: float(
    'float8_e4m3',
    1,
    4,
    3,
    ieeeMax(3, 7),
    true,
    `IEEE-like 1/4/3, bias 7: inf S.1111.000, NaN S.1111.xxx (xxx != 0), max 240; ${RNE}; overflow ` +
      '(|x| >= 248) -> ±inf; NaN stored as 0x7c [neuroncore.md §1.11, §4.2 SIM ml_dtypes float8_e4m3]',
  ),
  float8_e4m3fn: float(
    'float8_e4m3fn',
    1,
    4,
    3,
    448,
    false,
    `OCP E4M3 (FN): no inf, NaN only S.1111.111, max 448 (S.1111.110); ${RNE}; overflow (|x| > 464 after ` +
      'rounding, i.e. rounds past 448; 464 itself ties to 448) and ±inf -> NaN, not saturation; NaN stored as 0x7f ' +
      '(sign dropped; ml_dtypes keeps it) [neuroncore.md §1.11, §4.2 SIM ml_dtypes float8_e4m3fn kSaturate=false]',
  ),
  float8_e5m2: float(
    'float8_e5m2',
    1,
    5,
    2,
    ieeeMax(2, 15),
    true,
    `IEEE-like 1/5/2, bias 15: inf S.11111.00, NaN S.11111.xx (xx != 0), max 57344; ${RNE}; overflow ` +
      '(|x| >= 61440) -> ±inf; NaN stored as 0x7e [neuroncore.md §1.11, §4.2 SIM ml_dtypes float8_e5m2]',
  ),
  int8: int('int8', 1, true),
  int16: int('int16', 2, true),
  int32: int('int32', 4, true),
  uint8: int('uint8', 1, false),
  uint16: int('uint16', 2, false),
  uint32: int('uint32', 4, false),
};

export const DTYPE_NAMES: readonly DType[] = Object.freeze(Object.keys(DTYPES) as DType[]);

export function isDType(s: string): s is DType {
  return Object.hasOwn(DTYPES, s);
}

export function isFloat(d: DType): boolean {
  return DTYPES[d].kind === 'float';
}
