import type { ShapeParams } from './library.ts';

/**
 * The named shape parameters of a library kernel, each a positive integer (those in `flags`: a non-negative integer,
 * e.g. causal = 0 or 1, window = 0 for none); a RangeError names what is wrong.
 */
export function requireShape<const K extends string>(
  kernelName: string,
  shape: ShapeParams,
  names: readonly K[],
  flags: readonly K[] = [],
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const name of names) {
    const v = shape[name];
    if ((flags as readonly string[]).includes(name)) {
      if (!Number.isInteger(v) || v < 0) {
        throw new RangeError(
          `${kernelName}: shape parameter '${name}' must be a non-negative integer, got ${v} (expects ${names.join(', ')})`,
        );
      }
    } else if (!Number.isInteger(v) || v <= 0) {
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

/**
 * A kernel's meta-parameters: the chip's defaults overridden by `meta`, each a positive integer (those in `real`: a
 * finite number ≥ 0); a RangeError names an unknown or invalid one.
 */
export function resolveMeta<const K extends string>(
  kernelName: string,
  defaults: Record<K, number>,
  meta: ShapeParams | undefined,
  /** Parameters that take any finite number ≥ 0 (e.g. an epsilon) rather than a positive integer. */
  real: readonly K[] = [],
): Record<K, number> {
  const out = { ...defaults };
  for (const [name, v] of Object.entries(meta ?? {})) {
    if (!Object.hasOwn(defaults, name)) {
      throw new RangeError(
        `${kernelName}: unknown meta-parameter '${name}' (expects ${Object.keys(defaults).join(', ')})`,
      );
    }
    if ((real as readonly string[]).includes(name)) {
      if (!Number.isFinite(v) || v < 0) {
        throw new RangeError(`${kernelName}: meta-parameter '${name}' must be a number ≥ 0, got ${v}`);
      }
    } else if (!Number.isInteger(v) || v <= 0) {
      throw new RangeError(`${kernelName}: meta-parameter '${name}' must be a positive integer, got ${v}`);
    }
    out[name as K] = v;
  }
  return out;
}
