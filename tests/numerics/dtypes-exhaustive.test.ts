// Every bit pattern of bfloat16, float16 and the three fp8 formats: decodes to the value the format's description
// gives (tests/numerics/exact-reference.ts, and @petamoriken/float16 for float16), re-encodes to the same pattern,
// and NaN patterns decode to NaN and re-encode to the format's canonical quiet NaN. Also every halfway point between
// neighbouring values (and one fp32 ulp either side) rounds as the exact reference says.
import { getFloat16 } from '@petamoriken/float16';
import { describe, expect, test } from 'vitest';
import { type DType, fromBits, roundTo, toBits } from '../../ir/dtypes.ts';
import { exactNumerator, makeRefFormat, SPECS, toNumber } from './exact-reference.ts';

/** Canonical NaN each format stores (documented in ir/dtypes/info.ts notes). */
const CANONICAL_NAN: Record<string, number> = {
  bfloat16: 0x7fc0,
  float16: 0x7e00,
  float8_e4m3: 0x7c,
  float8_e4m3fn: 0x7f,
  float8_e5m2: 0x7e,
};
/** NaN pattern counts from the format descriptions: IEEE 2 * (2^m - 1), OCP E4M3 two (S.1111.111). */
const NAN_COUNT: Record<string, number> = {
  bfloat16: 254,
  float16: 2046,
  float8_e4m3: 14,
  float8_e4m3fn: 2,
  float8_e5m2: 6,
};

/** The next fp32 value above / below a positive fp32 value x. */
function f32Neighbour(x: number, dir: 1 | -1): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x);
  v.setUint32(0, v.getUint32(0) + dir);
  return v.getFloat32(0);
}

describe.each(SPECS.map((s) => [s.name, s] as const))('%s', (name, spec) => {
  const d = name as DType;
  const ref = makeRefFormat(spec);

  test('every pattern decodes to the described value and re-encodes to itself', () => {
    let nans = 0;
    for (let p = 0; p < 2 ** ref.width; p++) {
      const v = fromBits(d, p);
      const want = ref.decode(p);
      if (want.kind === 'nan') {
        nans++;
        if (!Number.isNaN(v)) throw new Error(`${name} ${p.toString(16)}: ${v}, want NaN`);
        if (toBits(d, v) !== CANONICAL_NAN[name])
          throw new Error(`${name} NaN ${p.toString(16)} re-encodes wrong`);
        continue;
      }
      const wantValue = want.kind === 'inf' ? (want.negative ? -Infinity : Infinity) : want.value;
      if (!Object.is(v, wantValue)) throw new Error(`${name} ${p.toString(16)}: ${v}, want ${wantValue}`);
      if (toBits(d, v) !== p)
        throw new Error(`${name} ${p.toString(16)} re-encodes to ${toBits(d, v).toString(16)}`);
      if (!Object.is(roundTo(d, v), v)) throw new Error(`${name} ${p.toString(16)}: roundTo moves ${v}`);
    }
    expect(nans).toBe(NAN_COUNT[name]);
  });

  if (name === 'float16') {
    test('every pattern decodes as @petamoriken/float16 does', () => {
      const view = new DataView(new ArrayBuffer(2));
      for (let p = 0; p < 65536; p++) {
        view.setUint16(0, p);
        const want = getFloat16(view, 0);
        const v = fromBits(d, p);
        if (!(Object.is(v, want) || (Number.isNaN(v) && Number.isNaN(want))))
          throw new Error(`f16 ${p}: ${v} ${want}`);
      }
    });
  }

  test('every halfway point, and one fp32 ulp either side, rounds as the exact reference', () => {
    const { magnitudes } = ref;
    let checked = 0;
    for (let i = 0; i + 1 < magnitudes.length; i++) {
      const mid = toNumber((magnitudes[i] + magnitudes[i + 1]) / 2n);
      expect(exactNumerator(mid) * 2n).toBe(magnitudes[i] + magnitudes[i + 1]); // the midpoint is exact in fp32
      for (const x of [mid, f32Neighbour(mid, 1), f32Neighbour(mid, -1)]) {
        for (const signed of [x, -x]) {
          const want = ref.round(signed);
          const bits = toBits(d, signed);
          const wantBits = want === 'nan' ? CANONICAL_NAN[name] : want.pattern;
          if (bits !== wantBits)
            throw new Error(`${name}(${signed}): ${bits.toString(16)}, want ${wantBits.toString(16)}`);
          const v = roundTo(d, signed);
          if (want === 'nan' ? !Number.isNaN(v) : !Object.is(v, want.value))
            throw new Error(`${name}(${signed}): ${v}`);
          checked++;
        }
      }
    }
    expect(checked).toBe(6 * (magnitudes.length - 1));
  });
});
