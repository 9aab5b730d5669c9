// An independent, slow reference for rounding to small float formats, for tests only. It shares no code with
// ir/dtypes: it enumerates every finite value of the format from the format's written description as an exact
// rational (a BigInt numerator over 2^SCALE), finds the two neighbours of the input by binary search, and picks the
// nearer, ties to the even pattern. Overflow is decided as IEEE 754 does: round with an unbounded exponent (one
// virtual value above the largest finite one), and a result past the largest finite value overflows, to ±inf
// where the format has it, else to NaN (float8_e4m3fn, as ml_dtypes' non-saturating conversion does).

/** Every value handled is a multiple of 2^-SCALE (fp32's smallest subnormal is 2^-149). */
const SCALE = 160n;

export interface FormatSpec {
  readonly name: string;
  readonly exponentBits: number;
  readonly mantissaBits: number;
  /** 'ieee': all-ones exponent is inf (zero mantissa) or NaN. 'fn': only the all-ones pattern is NaN, no inf. */
  readonly specials: 'ieee' | 'fn';
}

export const SPECS: readonly FormatSpec[] = [
  { name: 'bfloat16', exponentBits: 8, mantissaBits: 7, specials: 'ieee' },
  { name: 'float16', exponentBits: 5, mantissaBits: 10, specials: 'ieee' },
  { name: 'float8_e4m3', exponentBits: 4, mantissaBits: 3, specials: 'ieee' },
  { name: 'float8_e4m3fn', exponentBits: 4, mantissaBits: 3, specials: 'fn' },
  { name: 'float8_e5m2', exponentBits: 5, mantissaBits: 2, specials: 'ieee' },
];

export type Decoded =
  | { kind: 'nan' }
  | { kind: 'inf'; negative: boolean }
  | { kind: 'finite'; value: number };

export interface RefFormat {
  readonly spec: FormatSpec;
  /** Width of a pattern in bits. */
  readonly width: number;
  /** What each pattern means, straight from the format's description. */
  decode(pattern: number): Decoded;
  /** Non-negative finite values, ascending, with their patterns; last entry is the virtual one past the max. */
  readonly magnitudes: readonly bigint[];
  readonly patterns: readonly number[];
  /** The JS values of `magnitudes` (NaN for the virtual last one). */
  readonly values: readonly number[];
  /** Round an fp32 value (a JS number that is exactly an fp32 value). 'nan' for NaN results. */
  round(x: number): { pattern: number; value: number } | 'nan';
}

/** x (any finite JS number) as an exact numerator over 2^SCALE; throws if x is not a multiple of 2^-SCALE. */
export function exactNumerator(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const frac = bits & ((1n << 52n) - 1n);
  const significand = biased === 0 ? frac : frac | (1n << 52n);
  const shift = BigInt(Math.max(biased, 1) - 1075) + SCALE;
  if (shift >= 0n) return significand << shift;
  const n = significand >> -shift;
  if (n << -shift !== significand) throw new Error(`${x} is not a multiple of 2^-${SCALE}`);
  return n;
}

/** A numerator over 2^SCALE back to a JS number (exact: the values here have at most 11 significant bits). */
export const toNumber = (n: bigint): number => Number(n) / 2 ** Number(SCALE);

export function makeRefFormat(spec: FormatSpec): RefFormat {
  const { exponentBits: e, mantissaBits: m } = spec;
  const width = 1 + e + m;
  const bias = 2 ** (e - 1) - 1;
  const expOnes = 2 ** e - 1;
  const manOnes = 2 ** m - 1;

  const fields = (p: number) => ({
    negative: p >= 2 ** (width - 1),
    exp: Math.floor(p / 2 ** m) % 2 ** e,
    man: p % 2 ** m,
  });

  /** Exact magnitude numerator of a finite pattern. */
  const magnitudeOf = (exp: number, man: number): bigint => {
    // subnormal: man * 2^(1 - bias - m); normal: (2^m + man) * 2^(exp - bias - m)
    const sig = exp === 0 ? BigInt(man) : BigInt(2 ** m + man);
    const pow = BigInt((exp === 0 ? 1 : exp) - bias - m) + SCALE;
    return sig << pow;
  };

  const decode = (p: number): Decoded => {
    const { negative, exp, man } = fields(p);
    if (spec.specials === 'ieee' && exp === expOnes)
      return man === 0 ? { kind: 'inf', negative } : { kind: 'nan' };
    if (spec.specials === 'fn' && exp === expOnes && man === manOnes) return { kind: 'nan' };
    const v = toNumber(magnitudeOf(exp, man));
    return { kind: 'finite', value: negative ? -v : v };
  };

  const entries: { mag: bigint; pattern: number; value: number }[] = [];
  for (let p = 0; p < 2 ** (width - 1); p++) {
    const { exp, man } = fields(p);
    const d = decode(p);
    if (d.kind === 'finite') entries.push({ mag: magnitudeOf(exp, man), pattern: p, value: d.value });
  }
  entries.sort((a, b) => (a.mag < b.mag ? -1 : a.mag > b.mag ? 1 : 0));
  const top = entries[entries.length - 1];
  const ulpTop = top.mag - entries[entries.length - 2].mag;
  entries.push({ mag: top.mag + ulpTop, pattern: top.pattern + 1, value: Number.NaN }); // virtual: parity only
  const magnitudes = entries.map((x) => x.mag);
  const values = entries.map((x) => x.value);
  const patterns = entries.map((x) => x.pattern);
  const last = entries.length - 1;
  const signBit = 2 ** (width - 1);
  const infPattern = expOnes * 2 ** m;

  const round = (x: number): { pattern: number; value: number } | 'nan' => {
    if (Number.isNaN(x)) return 'nan';
    const negative = x < 0 || Object.is(x, -0);
    const overflow = () => {
      if (spec.specials === 'fn') return 'nan' as const;
      return { pattern: infPattern + (negative ? signBit : 0), value: negative ? -Infinity : Infinity };
    };
    if (!Number.isFinite(x)) return overflow();
    const n = exactNumerator(x);
    // largest index with magnitudes[i] <= n
    let lo = 0;
    let hi = last;
    if (n >= magnitudes[last]) return overflow();
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (magnitudes[mid] <= n) lo = mid;
      else hi = mid;
    }
    let pick: number;
    if (magnitudes[lo] === n) pick = lo;
    else {
      const below = n - magnitudes[lo];
      const above = magnitudes[hi] - n;
      if (below < above) pick = lo;
      else if (above < below) pick = hi;
      else pick = patterns[lo] % 2 === 0 ? lo : hi;
    }
    if (pick === last) return overflow();
    const v = values[pick];
    return { pattern: patterns[pick] + (negative ? signBit : 0), value: negative ? -v : v };
  };

  return { spec, width, decode, magnitudes, patterns, values, round };
}
