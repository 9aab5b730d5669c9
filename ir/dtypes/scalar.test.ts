// roundTo / toBits / fromBits / rounder on hand-computed cases. Exhaustive and random comparisons against
// independent references live in tests/numerics/.
import { describe, expect, test } from 'vitest';
import { DTYPE_NAMES, DTYPES, type DType, fromBits, rounder, roundTo, toBits } from '../dtypes.ts';

/** fp32 value of a bit pattern, independent of the module under test. */
function f32(bits: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, bits >>> 0);
  return v.getFloat32(0);
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

// [dtype, input, expected storage bits, why]. Hand-computed; see the format notes in ir/dtypes/info.ts.
const FLOAT_CASES: [DType, number, number, string][] = [
  ['float32', 1, 0x3f800000, 'one'],
  ['float32', 0.1, 0x3dcccccd, 'fp64 0.1 rounds to fp32'],
  ['float32', 2 ** 128 - 2 ** 103, 0x7f800000, 'max + half ulp ties to even: inf'],
  ['float32', 2 ** 128 - 2 ** 103 - 2 ** 75, 0x7f7fffff, 'just below the tie: max'],
  ['float32', 2 ** -149, 0x00000001, 'min subnormal'],
  ['float32', 2 ** -150, 0x00000000, 'half min subnormal ties to 0'],
  ['float32', 1.5 * 2 ** -150, 0x00000001, 'above the tie'],
  ['float32', Number.NaN, 0x7fc00000, 'canonical NaN'],
  ['float32', Number.NEGATIVE_INFINITY, 0xff800000, '-inf'],
  ['float32', -0, 0x80000000, '-0 kept'],
  ['tfloat32', 1, 0x3f800000, 'one'],
  ['tfloat32', f32(0x3f801000), 0x3f800000, 'tie to even (down)'],
  ['tfloat32', f32(0x3f803000), 0x3f804000, 'tie to even (up)'],
  ['tfloat32', f32(0x3f801001), 0x3f802000, 'above the tie'],
  ['tfloat32', f32(0x7f7fe000), 0x7f7fe000, 'max'],
  ['tfloat32', f32(0x7f7fefff), 0x7f7fe000, 'below max + half ulp'],
  ['tfloat32', f32(0x7f7ff000), 0x7f800000, 'max + half ulp: inf'],
  ['tfloat32', f32(0x00001000), 0x00000000, 'subnormal tie to 0'],
  ['tfloat32', f32(0x00003000), 0x00004000, 'subnormal tie up to even'],
  ['tfloat32', Number.NaN, 0x7fc00000, 'canonical NaN'],
  ['tfloat32', -0, 0x80000000, '-0 kept'],
  ['bfloat16', 1, 0x3f80, 'one'],
  ['bfloat16', -2, 0xc000, 'minus two'],
  ['bfloat16', 0.1, 0x3dcd, 'fp32 0x3dcccccd rounds up'],
  ['bfloat16', f32(0x3f808000), 0x3f80, '1 + 2^-8 ties to even (down)'],
  ['bfloat16', f32(0x3f818000), 0x3f82, 'tie to even (up)'],
  ['bfloat16', f32(0x3f808001), 0x3f81, 'above the tie'],
  ['bfloat16', f32(0x3f80ffff), 0x3f81, 'below the next tie'],
  ['bfloat16', 1 + 2 ** -8 + 2 ** -40, 0x3f80, 'double rounding: fp32 first gives the tie, then even'],
  ['bfloat16', f32(0x7f7f0000), 0x7f7f, 'max 3.3895314e38'],
  ['bfloat16', 3.3961514e38, 0x7f7f, 'below max + half ulp (3.3961775e38): max'],
  ['bfloat16', f32(0x7f7f7fff), 0x7f7f, 'just below the overflow tie'],
  ['bfloat16', f32(0x7f7f8000), 0x7f80, 'max + half ulp ties to even: inf'],
  ['bfloat16', f32(0xff7f8000), 0xff80, 'negative overflow: -inf'],
  ['bfloat16', Number.POSITIVE_INFINITY, 0x7f80, 'inf'],
  ['bfloat16', Number.NEGATIVE_INFINITY, 0xff80, '-inf'],
  ['bfloat16', Number.NaN, 0x7fc0, 'canonical NaN'],
  ['bfloat16', f32(0x7f800001), 0x7fc0, 'signalling NaN -> canonical quiet NaN'],
  ['bfloat16', 0, 0x0000, 'zero'],
  ['bfloat16', -0, 0x8000, '-0 kept'],
  ['bfloat16', f32(0x00010000), 0x0001, 'min subnormal 2^-133'],
  ['bfloat16', f32(0x00008000), 0x0000, '2^-134 ties to 0'],
  ['bfloat16', f32(0x00008001), 0x0001, 'above the tie'],
  ['bfloat16', f32(0x00018000), 0x0002, 'subnormal tie to even (up)'],
  ['bfloat16', f32(0x00000001), 0x0000, 'fp32 min subnormal underflows'],
  ['bfloat16', f32(0x807fffff), 0x8080, 'largest fp32 subnormal rounds to -min normal'],
  ['float16', 1, 0x3c00, 'one'],
  ['float16', -2, 0xc000, 'minus two'],
  ['float16', 0.1, 0x2e66, 'fp32 0.1'],
  ['float16', 1 / 3, 0x3555, 'one third'],
  ['float16', 65504, 0x7bff, 'max'],
  ['float16', 65519, 0x7bff, 'below max + half ulp'],
  ['float16', 65520, 0x7c00, 'max + half ulp ties to even: inf'],
  ['float16', -65520, 0xfc00, '-inf'],
  ['float16', 1e9, 0x7c00, 'far overflow'],
  ['float16', 2049, 0x6800, 'tie to even (down)'],
  ['float16', 2051, 0x6802, 'tie to even (up)'],
  ['float16', 1 + 2 ** -11, 0x3c00, 'tie at 1'],
  ['float16', 1 + 3 * 2 ** -11, 0x3c02, 'tie to even (up) at 1'],
  ['float16', 1 + 2 ** -11 + 2 ** -40, 0x3c00, 'double rounding: fp32 first'],
  ['float16', 2 ** -24, 0x0001, 'min subnormal'],
  ['float16', 2 ** -25, 0x0000, 'half min subnormal ties to 0'],
  ['float16', 2 ** -25 * (1 + 2 ** -23), 0x0001, 'just above the tie'],
  ['float16', 3 * 2 ** -25, 0x0002, 'subnormal tie to even (up)'],
  ['float16', 2 ** -14 - 2 ** -24, 0x03ff, 'max subnormal'],
  ['float16', 2 ** -14, 0x0400, 'min normal'],
  ['float16', -(2 ** -26), 0x8000, 'underflow keeps the sign'],
  ['float16', Number.NaN, 0x7e00, 'canonical NaN'],
  ['float16', Number.POSITIVE_INFINITY, 0x7c00, 'inf'],
  ['float8_e4m3', 1, 0x38, 'one'],
  ['float8_e4m3', -1, 0xb8, 'minus one'],
  ['float8_e4m3', 0.1, 0x1d, '0.1 -> 0.1015625'],
  ['float8_e4m3', 1.0625, 0x38, 'tie to even (down)'],
  ['float8_e4m3', 17, 0x58, '17 ties to 16'],
  ['float8_e4m3', 19, 0x5a, '19 ties to 20'],
  ['float8_e4m3', 240, 0x77, 'max'],
  ['float8_e4m3', 247.9, 0x77, 'below max + half ulp'],
  ['float8_e4m3', 248, 0x78, 'max + half ulp ties to even: inf'],
  ['float8_e4m3', -248, 0xf8, '-inf'],
  ['float8_e4m3', 1000, 0x78, 'far overflow: inf'],
  ['float8_e4m3', Number.POSITIVE_INFINITY, 0x78, 'inf'],
  ['float8_e4m3', Number.NEGATIVE_INFINITY, 0xf8, '-inf'],
  ['float8_e4m3', Number.NaN, 0x7c, 'canonical NaN (ml_dtypes quiet_NaN)'],
  ['float8_e4m3', 2 ** -9, 0x01, 'min subnormal'],
  ['float8_e4m3', 2 ** -10, 0x00, 'half min subnormal ties to 0'],
  ['float8_e4m3', 3 * 2 ** -10, 0x02, 'subnormal tie to even (up)'],
  ['float8_e4m3', 7 * 2 ** -9, 0x07, 'max subnormal'],
  ['float8_e4m3', 2 ** -6, 0x08, 'min normal'],
  ['float8_e4m3fn', 1, 0x38, 'one'],
  ['float8_e4m3fn', 240, 0x77, 'e4m3 max is an ordinary value here'],
  ['float8_e4m3fn', 256, 0x78, 'exponent 1111 holds normal numbers'],
  ['float8_e4m3fn', 448, 0x7e, 'max'],
  ['float8_e4m3fn', 464, 0x7e, 'max + half ulp ties to even (down): 448'],
  ['float8_e4m3fn', 464 + 2 ** -15, 0x7f, 'just above the tie: NaN (no saturation)'],
  ['float8_e4m3fn', 480, 0x7f, 'overflow: NaN'],
  ['float8_e4m3fn', -449, 0xfe, 'rounds to -448'],
  ['float8_e4m3fn', -500, 0x7f, 'negative overflow: NaN'],
  ['float8_e4m3fn', Number.POSITIVE_INFINITY, 0x7f, 'inf: NaN'],
  ['float8_e4m3fn', Number.NEGATIVE_INFINITY, 0x7f, '-inf: NaN'],
  ['float8_e4m3fn', Number.NaN, 0x7f, 'NaN'],
  ['float8_e4m3fn', 2 ** -9, 0x01, 'min subnormal'],
  ['float8_e4m3fn', 2 ** -10, 0x00, 'half min subnormal ties to 0'],
  ['float8_e4m3fn', -0, 0x80, '-0 kept'],
  ['float8_e5m2', 1, 0x3c, 'one'],
  ['float8_e5m2', 0.1, 0x2e, '0.1 -> 0.09375'],
  ['float8_e5m2', 1.125, 0x3c, 'tie to even (down)'],
  ['float8_e5m2', 1.375, 0x3e, 'tie to even (up)'],
  ['float8_e5m2', 57344, 0x7b, 'max'],
  ['float8_e5m2', 61439, 0x7b, 'below max + half ulp'],
  ['float8_e5m2', 61440, 0x7c, 'max + half ulp ties to even: inf'],
  ['float8_e5m2', Number.NEGATIVE_INFINITY, 0xfc, '-inf'],
  ['float8_e5m2', Number.NaN, 0x7e, 'canonical NaN (ml_dtypes quiet_NaN)'],
  ['float8_e5m2', 2 ** -16, 0x01, 'min subnormal'],
  ['float8_e5m2', 2 ** -17, 0x00, 'half min subnormal ties to 0'],
  ['float8_e5m2', 3 * 2 ** -17, 0x02, 'subnormal tie to even (up)'],
  ['float8_e5m2', 2 ** -14, 0x04, 'min normal'],
];

describe('float rounding: hand-computed cases', () => {
  test.each(FLOAT_CASES)('%s(%d) -> %i: %s', (d, x, bits) => {
    expect(toBits(d, x)).toBe(bits);
    const v = roundTo(d, x);
    expect(same(v, fromBits(d, bits))).toBe(true);
    if (!Number.isNaN(v)) expect(toBits(d, v)).toBe(bits);
  });
});

// [dtype, input, expected value]: round half to even, saturate, NaN -> 0, never -0.
const INT_CASES: [DType, number, number][] = [
  ['int8', 127.5, 127],
  ['int8', 126.5, 126],
  ['int8', -128.5, -128],
  ['int8', 2.5, 2],
  ['int8', 3.5, 4],
  ['int8', -2.5, -2],
  ['int8', -3.5, -4],
  ['int8', 0.5, 0],
  ['int8', 1.5, 2],
  ['int8', 0.49999999999999994, 0],
  ['int8', -0.4, 0],
  ['int8', -0, 0],
  ['int8', Number.NaN, 0],
  ['int8', Number.POSITIVE_INFINITY, 127],
  ['int8', Number.NEGATIVE_INFINITY, -128],
  ['int8', 300, 127],
  ['int8', 1e300, 127],
  ['int8', -1, -1],
  ['uint8', -1, 0],
  ['uint8', -0.5, 0],
  ['uint8', 255.4, 255],
  ['uint8', 254.5, 254],
  ['uint8', 256, 255],
  ['uint8', Number.NaN, 0],
  ['int16', 32767.5, 32767],
  ['int16', -32768.5, -32768],
  ['int16', -2, -2],
  ['int16', 1000.5, 1000],
  ['uint16', 65535.5, 65535],
  ['uint16', 65534.5, 65534],
  ['uint16', -3, 0],
  ['int32', 2147483647.5, 2147483647],
  ['int32', 2 ** 40, 2147483647],
  ['int32', -2147483648.5, -2147483648],
  ['int32', 2147483645.5, 2147483646],
  ['int32', 16777217, 16777217],
  ['int32', -1, -1],
  ['uint32', 4294967295.5, 4294967295],
  ['uint32', 4294967294.5, 4294967294],
  ['uint32', 4294967293.5, 4294967294],
  ['uint32', -0.5, 0],
  ['uint32', 2 ** 53, 4294967295],
];

describe('integer rounding', () => {
  test.each(INT_CASES)('%s(%d) -> %d', (d, x, want) => {
    const v = roundTo(d, x);
    expect(Object.is(v, want)).toBe(true);
    const bits = toBits(d, x);
    const width = DTYPES[d].bytes * 8;
    expect(bits).toBe(want < 0 ? want + 2 ** width : want);
    expect(fromBits(d, bits)).toBe(want);
  });

  test('fromBits sign-extends two-complement patterns', () => {
    expect(fromBits('int8', 0x80)).toBe(-128);
    expect(fromBits('int8', 0xff)).toBe(-1);
    expect(fromBits('int16', 0x8000)).toBe(-32768);
    expect(fromBits('int32', 0x80000000)).toBe(-2147483648);
    expect(fromBits('uint32', 0xffffffff)).toBe(4294967295);
    expect(fromBits('uint8', 0x1ff)).toBe(0xff);
  });
});

test.each(DTYPE_NAMES)('rounder(%s) agrees with roundTo', (d) => {
  const r = rounder(d);
  const xs = [...FLOAT_CASES, ...INT_CASES].map((c) => c[1]);
  for (let i = -3000; i <= 3000; i++) xs.push(i * 0.37, i * 1e35, i * 1e-42, i * 1.5, i * 2 ** -30);
  for (const x of xs) if (!same(r(x), roundTo(d, x))) throw new Error(`rounder(${d})(${x}) = ${r(x)}`);
});
