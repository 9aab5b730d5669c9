import type { ShapeParams } from './library.ts';

/** The named shape parameters of a library kernel, each a positive integer; a RangeError names what is wrong. */
export function requireShape<const K extends string>(
  kernelName: string,
  shape: ShapeParams,
  names: readonly K[],
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const name of names) {
    const v = shape[name];
    if (!Number.isInteger(v) || v <= 0) {
      throw new RangeError(
        `${kernelName}: shape parameter '${name}' must be a positive integer, got ${v} (expects ${names.join(', ')})`,
      );
    }
    out[name] = v;
  }
  const extra = Object.keys(shape).filter((k) => !(names as readonly string[]).includes(k));
  if (extra.length > 0) {
    throw new RangeError(
      `${kernelName}: unknown shape parameter(s) ${extra.join(', ')} (expects ${names.join(', ')})`,
    );
  }
  return out;
}
