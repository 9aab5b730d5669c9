// Random inputs (seeded) round exactly as independent references say: the exact-rational reference for bfloat16,
// float16 and the fp8 formats, @petamoriken/float16 for float16, and small arithmetic references for tfloat32 and
// the integer types. Inputs mix uniformly random fp32 patterns, values near each format's subnormal and overflow
// ranges, exact ties, NaN / ±inf / ±0, and fp64 values that are not fp32 values (rounded to fp32 first).
import { f16round } from '@petamoriken/float16';
import { describe, expect, test } from 'vitest';
import { DTYPES, type DType, decodeStrided, encodeStrided, roundTo, toBits } from '../../ir/dtypes.ts';
import { makeRefFormat, SPECS, toNumber } from './exact-reference.ts';

const N = 300_000;

/** mulberry32: a small seeded PRNG returning uint32. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const view = new DataView(new ArrayBuffer(8));
function f32(bits: number): number {
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}
function f32Bits(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/**
 * n inputs for a format whose binary exponents span [minExp, maxExp] (smallest subnormal to just past the largest
 * value); `ties` supplies halfway points of the format.
 */
function inputs(seed: number, n: number, minExp: number, maxExp: number, ties: () => number): Float64Array {
  const r = prng(seed);
  const out = new Float64Array(n);
  const specials = [
    Number.NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    f32(1), // fp32's smallest subnormal
    f32(0x807fffff),
    f32(0x7f7fffff),
    -f32(0x7f7fffff),
  ];
  for (let i = 0; i < n; i++) {
    const k = i % 16;
    const sign = r() & 1 ? -1 : 1;
    if (k < 4)
      out[i] = f32(r()); // any fp32 pattern
    else if (k < 9) {
      // fp32 with exponent over the format's range and a little beyond; k = 6, 7 near the bottom (subnormals and
      // underflow), k = 8 near the top (overflow)
      const e =
        k < 6
          ? minExp - 3 + (r() % (maxExp - minExp + 6))
          : k < 8
            ? minExp - 3 + (r() % 16)
            : maxExp - 4 + (r() % 6);
      out[i] = sign * (1 + (r() & 0x7fffff) / 2 ** 23) * 2 ** e;
    } else if (k < 13) out[i] = sign * ties();
    else if (k < 14) out[i] = specials[r() % specials.length];
    else {
      // fp64 values that are not fp32 values: rounding goes through fp32 first
      const e = minExp - 2 + (r() % (maxExp - minExp + 4));
      out[i] = sign * (1 + r() / 2 ** 32 + r() / 2 ** 53) * 2 ** e;
    }
  }
  return out;
}

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

describe.each(SPECS.map((s, i) => [s.name, s, i] as const))(
  '%s vs the exact reference',
  (name, spec, idx) => {
    const d = name as DType;
    const ref = makeRefFormat(spec);
    const mags = ref.magnitudes;
    const bits = DTYPES[d].bits!;
    const bias = 2 ** (bits.exponent - 1) - 1;
    const minExp = 1 - bias - bits.mantissa;
    const maxExp = Math.ceil(Math.log2(DTYPES[d].max)) + 1;

    test(`${N} random values`, () => {
      const r = prng(1000 + idx);
      /** A halfway point between random neighbours, or one fp32 ulp off it. */
      const ties = () => {
        const i = r() % (mags.length - 1);
        const mid = toNumber((mags[i] + mags[i + 1]) / 2n);
        const off = r() % 3;
        return off === 0 ? mid : f32(f32Bits(mid) + (off === 1 ? 1 : -1));
      };
      const xs = inputs(77 + idx, N, minExp, maxExp, ties);
      const enc = new Uint8Array(N * DTYPES[d].bytes);
      encodeStrided(d, xs, 0, N, enc, 0, DTYPES[d].bytes);
      const dec = new Float64Array(N);
      decodeStrided(d, enc, 0, DTYPES[d].bytes, N, dec, 0);
      // Coverage tally by result class, so a generator change cannot silently stop exercising a range.
      const seen = { nan: 0, overflow: 0, zero: 0, subnormal: 0, normal: 0 };
      const signBit = 2 ** (ref.width - 1);
      for (let i = 0; i < N; i++) {
        const x = xs[i];
        const want = ref.round(Math.fround(x));
        const got = roundTo(d, x);
        const gotBits = toBits(d, x);
        if (want === 'nan') {
          seen[Number.isNaN(x) ? 'nan' : 'overflow']++;
          if (!Number.isNaN(got) || !Number.isNaN(dec[i])) throw new Error(`${name}(${x}): ${got}, want NaN`);
          continue;
        }
        if (!Object.is(got, want.value) || gotBits !== want.pattern || !Object.is(dec[i], want.value)) {
          throw new Error(
            `${name}(${x}): ${got} (${gotBits.toString(16)}), want ${want.value} (${want.pattern})`,
          );
        }
        const exp = Math.floor((want.pattern % signBit) / 2 ** bits.mantissa);
        if (!Number.isFinite(want.value)) seen.overflow++;
        else if (want.value === 0) seen.zero++;
        else seen[exp === 0 ? 'subnormal' : 'normal']++;
      }
      expect(seen.nan).toBeGreaterThan(500);
      expect(seen.overflow).toBeGreaterThan(5000);
      expect(seen.zero).toBeGreaterThan(5000);
      expect(seen.subnormal).toBeGreaterThan(5000);
      expect(seen.normal).toBeGreaterThan(50000);
    });
  },
);

describe('float16 vs @petamoriken/float16', () => {
  test(`${N} random values`, () => {
    const r = prng(4242);
    const ties = () => (1 + (2 * (r() % 1024) + 1) / 2048) * 2 ** ((r() % 40) - 24); // halfway points in normal binades
    const xs = inputs(4243, N, -24, 17, ties);
    for (let i = 0; i < N; i++) {
      const want = f16round(Math.fround(xs[i]));
      const got = roundTo('float16', xs[i]);
      if (!same(got, want)) throw new Error(`float16(${xs[i]}): ${got}, want ${want}`);
    }
  });
});

/** tfloat32 reference in fp64 arithmetic: scale to an integer grid of 11 significant bits, round half to even. */
function tf32Ref(x: number): number {
  const v = Math.fround(x);
  if (!Number.isFinite(v) || v === 0) return v;
  const e = Math.max(Math.floor(Math.log2(Math.abs(v))), -126);
  // log2 can be off by one near powers of two; fix the exponent so that 2^e <= |v| < 2^(e+1) (or subnormal).
  const exp = Math.abs(v) < 2 ** e && e > -126 ? e - 1 : Math.abs(v) >= 2 ** (e + 1) ? e + 1 : e;
  const ulp = 2 ** (exp - 10);
  const q = v / ulp;
  const f = Math.floor(q);
  const rq = q - f > 0.5 || (q - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
  const out = rq * ulp;
  return Math.abs(out) >= 2 ** 128 ? (out > 0 ? Infinity : -Infinity) : out === 0 ? (v < 0 ? -0 : 0) : out;
}

/** Integer reference: floor plus fraction comparison, then clamp. */
function intRef(x: number, lo: number, hi: number): number {
  if (Number.isNaN(x)) return 0;
  if (x <= lo) return lo;
  if (x >= hi) return hi;
  const f = Math.floor(x);
  const frac = x - f;
  const r = frac > 0.5 || (frac === 0.5 && Math.abs(f % 2) === 1) ? f + 1 : f;
  return Math.min(hi, Math.max(lo, r)) + 0;
}

describe('tfloat32 and integers vs arithmetic references', () => {
  test(`tfloat32: ${N} random values`, () => {
    const r = prng(99);
    const ties = () => (1 + (2 * (r() % 1024) + 1) / 2048) * 2 ** ((r() % 280) - 140);
    const xs = inputs(100, N, -136, 128, ties);
    for (let i = 0; i < N; i++) {
      const want = tf32Ref(xs[i]);
      const got = roundTo('tfloat32', xs[i]);
      if (!same(got, want)) throw new Error(`tfloat32(${xs[i]}): ${got}, want ${want}`);
    }
  });

  test.each<[DType, number, number]>([
    ['int8', -128, 127],
    ['int16', -32768, 32767],
    ['int32', -2147483648, 2147483647],
    ['uint8', 0, 255],
    ['uint16', 0, 65535],
    ['uint32', 0, 4294967295],
  ])('%s: 50000 random values', (d, lo, hi) => {
    const r = prng(hi);
    const n = 50_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = i % 4;
      const span = (hi - lo) * 1.2;
      xs[i] =
        k === 0
          ? lo - span * 0.1 + (r() / 2 ** 32) * span // uniform over the range and a bit beyond
          : k === 1
            ? Math.round(((r() / 2 ** 32) * span + lo - span * 0.1) * 2) / 2 // halves: ties
            : k === 2
              ? (r() / 2 ** 32 - 0.5) * 16
              : [Number.NaN, Infinity, -Infinity, -0, lo - 0.5, hi + 0.5, lo + 0.5, hi - 0.5][r() % 8];
    }
    const bytes = new Uint8Array(n * DTYPES[d].bytes);
    encodeStrided(d, xs, 0, n, bytes, 0, DTYPES[d].bytes);
    const dec = new Float64Array(n);
    decodeStrided(d, bytes, 0, DTYPES[d].bytes, n, dec, 0);
    for (let i = 0; i < n; i++) {
      const want = intRef(xs[i], lo, hi);
      if (!Object.is(roundTo(d, xs[i]), want) || !Object.is(dec[i], want)) {
        throw new Error(`${d}(${xs[i]}): ${roundTo(d, xs[i])} / ${dec[i]}, want ${want}`);
      }
    }
  });
});
