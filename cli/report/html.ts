/** HTML building blocks for the report: escaping (everything from user code goes through `esc`) and units. */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in HTML/SVG element content and in quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number with at most `digits` significant digits, as text (no exponent for ordinary values). */
export function num(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(digits)));
}

/** A coordinate for SVG: two decimals at most. */
export function px(x: number): string {
  return String(Math.round(x * 100) / 100);
}
