// The DTYPES table: widths, ranges and specials, checked against the codecs.
import { describe, expect, test } from 'vitest';
import { DTYPE_NAMES, DTYPES, type DType, fromBits, isDType, isFloat, roundTo, toBits } from '../dtypes.ts';

describe('DTYPES table', () => {
  test('names, widths and kinds', () => {
    expect(DTYPE_NAMES).toHaveLength(13);
    expect(new Set(DTYPE_NAMES).size).toBe(13);
    const rows: [DType, number, string, number?, number?][] = [
      ['float32', 4, 'float', 8, 23],
      ['tfloat32', 4, 'float', 8, 10],
      ['bfloat16', 2, 'float', 8, 7],
      ['float16', 2, 'float', 5, 10],
      ['float8_e4m3', 1, 'float', 4, 3],
      ['float8_e4m3fn', 1, 'float', 4, 3],
      ['float8_e5m2', 1, 'float', 5, 2],
      ['int8', 1, 'int'],
      ['int16', 2, 'int'],
      ['int32', 4, 'int'],
      ['uint8', 1, 'uint'],
      ['uint16', 2, 'uint'],
      ['uint32', 4, 'uint'],
    ];
    for (const [d, bytes, kind, e, m] of rows) {
      const t = DTYPES[d];
      expect(t.name).toBe(d);
      expect(t.bytes).toBe(bytes);
      expect(t.kind).toBe(kind);
      expect(t.bits).toEqual(e === undefined ? undefined : { exponent: e, mantissa: m });
      expect(isFloat(d)).toBe(kind === 'float');
      expect(t.note.length).toBeGreaterThan(20);
    }
    expect(DTYPE_NAMES).toEqual(rows.map((r) => r[0]));
  });

  test.each<[DType, number, number, boolean, number]>([
    // dtype, max, min, hasInf, pattern of max
    ['float32', 3.4028234663852886e38, -3.4028234663852886e38, true, 0x7f7fffff],
    ['tfloat32', (2 - 2 ** -10) * 2 ** 127, -(2 - 2 ** -10) * 2 ** 127, true, 0x7f7fe000],
    ['bfloat16', 3.3895313892515355e38, -3.3895313892515355e38, true, 0x7f7f],
    ['float16', 65504, -65504, true, 0x7bff],
    ['float8_e4m3', 240, -240, true, 0x77],
    ['float8_e4m3fn', 448, -448, false, 0x7e],
    ['float8_e5m2', 57344, -57344, true, 0x7b],
    ['int8', 127, -128, false, 0x7f],
    ['int16', 32767, -32768, false, 0x7fff],
    ['int32', 2147483647, -2147483648, false, 0x7fffffff],
    ['uint8', 255, 0, false, 0xff],
    ['uint16', 65535, 0, false, 0xffff],
    ['uint32', 4294967295, 0, false, 0xffffffff],
  ])('%s: max %d, min %d, inf %s', (d, max, min, hasInf, maxBits) => {
    const t = DTYPES[d];
    expect(t.max).toBe(max);
    expect(t.min).toBe(min);
    expect(t.hasInf).toBe(hasInf);
    expect(t.hasNaN).toBe(t.kind === 'float');
    expect(fromBits(d, maxBits)).toBe(max);
    expect(toBits(d, max)).toBe(maxBits);
    expect(roundTo(d, min)).toBe(min);
    expect(roundTo(d, Number.POSITIVE_INFINITY)).toBe(
      hasInf ? Number.POSITIVE_INFINITY : t.hasNaN ? Number.NaN : max,
    );
  });

  test('isDType', () => {
    for (const d of DTYPE_NAMES) expect(isDType(d)).toBe(true);
    for (const s of ['bool', 'float64', 'int64', 'toString', '__proto__', '', 'Float32'])
      expect(isDType(s)).toBe(false);
  });
});
