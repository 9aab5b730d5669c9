// NKI type promotion (neuroncore.md §1.11).
import { describe, expect, test } from 'vitest';
import { DTYPE_NAMES, DTYPES, type DType, fromBits, isFloat, promote, roundTo } from '../dtypes.ts';

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

// [a, b, promoted]: rows marked SH are the documented examples (neuroncore.md §1.11); the rest follow the rule.
const PROMOTIONS: [DType, DType, DType, string][] = [
  ['int32', 'float16', 'float16', 'SH (float, int)'],
  ['uint16', 'tfloat32', 'tfloat32', 'SH (float, int)'],
  ['float32', 'tfloat32', 'float32', 'SH'],
  ['float32', 'bfloat16', 'float32', 'SH'],
  ['float16', 'bfloat16', 'float32', 'SH widened'],
  ['float8_e4m3', 'float16', 'float16', 'SH'],
  ['float8_e4m3', 'bfloat16', 'bfloat16', 'SH'],
  ['float8_e4m3', 'float8_e5m2', 'bfloat16', 'SH widened'],
  ['int16', 'int32', 'int32', 'SH'],
  ['uint8', 'uint16', 'uint16', 'SH'],
  ['uint16', 'int32', 'int32', 'SH'],
  ['int8', 'uint8', 'int16', 'SH widened'],
  ['int8', 'uint16', 'int32', 'SH widened'],
  ['int32', 'uint32', 'float32', 'SH widened: no int64'],
  ['float8_e4m3fn', 'float8_e5m2', 'bfloat16', 'neither holds the other'],
  ['float8_e4m3', 'float8_e4m3fn', 'bfloat16', 'e4m3 has inf, e4m3fn has 256..448'],
  ['float8_e4m3fn', 'float16', 'float16', 'fp16 holds e4m3fn'],
  ['float8_e5m2', 'float16', 'float16', 'fp16 holds e5m2'],
  ['float8_e5m2', 'bfloat16', 'bfloat16', 'bf16 holds e5m2'],
  ['bfloat16', 'tfloat32', 'tfloat32', 'tf32 holds bf16'],
  ['float16', 'tfloat32', 'tfloat32', 'tf32 holds fp16'],
  ['float8_e5m2', 'float32', 'float32', 'wider'],
  ['int8', 'int16', 'int16', 'wider'],
  ['uint8', 'int16', 'int16', 'int16 holds uint8'],
  ['int16', 'uint16', 'int32', 'widened'],
  ['int8', 'uint32', 'float32', 'no int64'],
  ['uint32', 'float8_e4m3', 'float8_e4m3', '(float, int): the float type'],
  ['bfloat16', 'bfloat16', 'bfloat16', 'same'],
];

describe('promote', () => {
  test.each(PROMOTIONS)('(%s, %s) -> %s  [%s]', (a, b, want) => {
    expect(promote(a, b)).toBe(want);
    expect(promote(b, a)).toBe(want);
  });

  test('symmetric and idempotent for every pair', () => {
    for (const a of DTYPE_NAMES) {
      expect(promote(a, a)).toBe(a);
      for (const b of DTYPE_NAMES) expect(promote(a, b)).toBe(promote(b, a));
    }
  });

  test('the promoted float type holds every value of both small float inputs', () => {
    const small = DTYPE_NAMES.filter((d) => isFloat(d) && DTYPES[d].bytes <= 2);
    for (const a of small) {
      for (const b of small) {
        const c = promote(a, b);
        for (const d of [a, b]) {
          for (let p = 0; p < 2 ** (8 * DTYPES[d].bytes); p++) {
            const v = fromBits(d, p);
            if (!same(roundTo(c, v), v))
              throw new Error(`${d} value ${v} not exact in promote(${a}, ${b}) = ${c}`);
          }
        }
      }
    }
  });
});
