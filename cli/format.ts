/** Small text formatters shared by the CLI's reports. */
import type { DType } from '../ir/dtypes.ts';

/** A number for people: integers as is, others to 4 significant digits, tiny and huge ones as 1.5e-7. */
export function fmtNum(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x) || (Number.isInteger(x) && Math.abs(x) < 1e6)) return String(x);
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

/** `float32[128, 512]` */
export function fmtType(dtype: DType, shape: readonly number[]): string {
  return `${dtype}[${shape.join(', ')}]`;
}

/** Milliseconds, rounded to a tenth below 10 ms and to a whole number above. */
export function fmtMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : ms.toFixed(0);
}

/** Aligned `key  value` lines. */
export function keyValueLines(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`.trimEnd()).join('\n');
}
