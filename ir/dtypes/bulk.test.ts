// decodeStrided / encodeStrided: strides, offsets, unaligned views, every stored pattern.
import { describe, expect, test } from 'vitest';
import {
  DTYPE_NAMES,
  DTYPES,
  type DType,
  decodeStrided,
  encodeStrided,
  fromBits,
  roundTo,
  toBits,
} from '../dtypes.ts';

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe('decodeStrided / encodeStrided', () => {
  /** Deterministic test values: in range, out of range, ties, specials. */
  function values(d: DType, n: number): Float64Array {
    const t = DTYPES[d];
    const out = new Float64Array(n);
    let s = 0x9e3779b9;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const u = s / 2 ** 32;
      const k = i % 8;
      out[i] =
        k === 0
          ? (u - 0.5) * 2.2 * t.max
          : k === 1
            ? Math.round((u - 0.5) * 40) / 2
            : k === 2
              ? (u - 0.5) * 2 ** -(u * 30)
              : k === 3
                ? [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0][i % 4]
                : (u - 0.2) * 1000;
    }
    return out;
  }

  test.each(DTYPE_NAMES)('%s: strided, offset, unaligned round trip', (d) => {
    const w = DTYPES[d].bytes;
    const n = 257;
    const stride = w + 3;
    const src = values(d, n + 7);
    const backing = new Uint8Array(1 + 5 + n * stride + 4).fill(0xaa);
    const bytes = backing.subarray(1); // view with a nonzero byteOffset
    encodeStrided(d, src, 7, n, bytes, 5, stride);
    for (let i = 0; i < n; i++) {
      const bits = toBits(d, src[7 + i]);
      for (let k = 0; k < stride; k++) {
        const byte = bytes[5 + i * stride + k];
        expect(byte).toBe(k < w ? Math.floor(bits / 2 ** (8 * k)) % 256 : 0xaa);
      }
    }
    expect(bytes.subarray(0, 5).every((b) => b === 0xaa)).toBe(true);
    expect(backing[0]).toBe(0xaa);
    const out = new Float64Array(n + 3).fill(-7);
    decodeStrided(d, bytes, 5, stride, n, out, 3);
    expect([out[0], out[1], out[2]]).toEqual([-7, -7, -7]);
    for (let i = 0; i < n; i++) {
      const want = roundTo(d, src[7 + i]);
      if (!same(out[3 + i], want))
        throw new Error(`${d}[${i}]: ${src[7 + i]} -> ${out[3 + i]}, want ${want}`);
    }
  });

  test.each(DTYPE_NAMES)('%s: contiguous decode of every stored pattern matches fromBits', (d) => {
    const w = DTYPES[d].bytes;
    const n = w === 4 ? 4096 : 2 ** (8 * w);
    const bytes = new Uint8Array(n * w);
    const patterns: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = w === 4 ? ((Math.imul(i, 0x9e3779b1) >>> 0) ^ (i << 13)) >>> 0 : i;
      patterns.push(p);
      for (let k = 0; k < w; k++) bytes[i * w + k] = Math.floor(p / 2 ** (8 * k)) % 256;
    }
    const out = new Float64Array(n);
    decodeStrided(d, bytes, 0, w, n, out, 0);
    for (let i = 0; i < n; i++) {
      if (!same(out[i], fromBits(d, patterns[i]))) throw new Error(`${d} pattern ${patterns[i]}`);
    }
  });

  test('n = 0 writes and reads nothing', () => {
    const bytes = new Uint8Array(8).fill(1);
    const out = new Float64Array(2).fill(3);
    for (const d of DTYPE_NAMES) {
      encodeStrided(d, new Float64Array([5]), 0, 0, bytes, 0, 4);
      decodeStrided(d, bytes, 0, 4, 0, out, 0);
    }
    expect([...bytes]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect([...out]).toEqual([3, 3]);
  });

  test('tfloat32 decode ignores the low 13 mantissa bits', () => {
    expect(fromBits('tfloat32', 0x3f801fff)).toBe(1);
    const out = new Float64Array(1);
    decodeStrided('tfloat32', new Uint8Array([0xff, 0x1f, 0x80, 0x3f]), 0, 4, 1, out, 0);
    expect(out[0]).toBe(1);
  });
});
