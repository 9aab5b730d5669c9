// The public surface of ir/dtypes.ts. Detailed tests sit beside each piece in ir/dtypes/*.test.ts; exhaustive and
// random comparisons against independent references are in tests/numerics/dtypes-*.test.ts.
import { expect, test } from 'vitest';
import * as dtypes from './dtypes.ts';

test('exports the agreed API', () => {
  const { isDType, isFloat, roundTo, toBits, fromBits, decodeStrided, encodeStrided, promote, rounder } =
    dtypes;
  for (const f of [
    isDType,
    isFloat,
    roundTo,
    toBits,
    fromBits,
    decodeStrided,
    encodeStrided,
    promote,
    rounder,
  ]) {
    expect(typeof f).toBe('function');
  }
  expect(Object.keys(dtypes.DTYPES)).toEqual([...dtypes.DTYPE_NAMES]);
  expect(Object.isFrozen(dtypes.DTYPE_NAMES)).toBe(true);
});

test('a bf16 tile written from fp32 results and read back', () => {
  // 1/3 is 0x3eaaaaab in fp32 and rounds up; -2.5e-40 is the fp32 subnormal 0x8002b8e6 and rounds to -3 * 2^-133;
  // 1e39 is already inf in fp32.
  const results = new Float64Array([1, 1 / 3, -2.5e-40, 1e39, Number.NaN]);
  const bytes = new Uint8Array(results.length * 2);
  dtypes.encodeStrided('bfloat16', results, 0, results.length, bytes, 0, 2);
  const back = new Float64Array(results.length);
  dtypes.decodeStrided('bfloat16', bytes, 0, 2, results.length, back, 0);
  expect([...back]).toEqual([1, 0.333984375, -2.7550648847397363e-40, Number.POSITIVE_INFINITY, Number.NaN]);
  expect([...bytes]).toEqual([0x80, 0x3f, 0xab, 0x3e, 0x03, 0x80, 0x80, 0x7f, 0xc0, 0x7f]);
});
