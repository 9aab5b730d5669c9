/**
 * The index space of a fused kernel. Its output dims split into three runs, [O | C | F]: the kernel loops over O,
 * puts C on the SBUF partitions in blocks of up to 128, and walks F along the free dim in chunks. An operand fits
 * the space when, right-aligned to its rank, each run is either all of the space's dims or all 1s: it is then a
 * tile ([c, f]), a per-partition column ([c, 1]), a free-dim row broadcast over partitions ([1, f]) or a scalar.
 */
import type { DType } from '../ir/dtypes.ts';
import type { GraphDType } from './types.ts';
import { numelOf } from './types.ts';

export interface Space {
  readonly shape: readonly number[];
  /** O = shape[0:i], C = shape[i:j], F = shape[j:]. */
  readonly i: number;
  readonly j: number;
}

export interface SpaceSizes {
  readonly O: number;
  readonly C: number;
  readonly F: number;
}

export function sizes(s: Space): SpaceSizes {
  return {
    O: numelOf(s.shape.slice(0, s.i)),
    C: numelOf(s.shape.slice(s.i, s.j)),
    F: numelOf(s.shape.slice(s.j)),
  };
}

/** Which runs of the space an operand varies along. */
export interface Pattern {
  readonly o: boolean;
  readonly c: boolean;
  readonly f: boolean;
}

/**
 * The operand's pattern in the space, or undefined if it does not fit (a run partly broadcast). A dim of the
 * space that is 1 fits either way.
 */
export function patternOf(shape: readonly number[], s: Space): Pattern | undefined {
  const R = s.shape.length;
  if (shape.length > R) {
    // Extra leading dims are fine only if they are all 1.
    if (shape.slice(0, shape.length - R).some((d) => d !== 1)) return undefined;
    shape = shape.slice(shape.length - R);
  }
  const aligned = [...new Array<number>(R - shape.length).fill(1), ...shape];
  const run = (a: number, b: number): boolean | undefined => {
    let full = true;
    let ones = true;
    for (let d = a; d < b; d++) {
      if (s.shape[d] === 1) continue;
      if (aligned[d] === s.shape[d]) ones = false;
      else if (aligned[d] === 1) full = false;
      else return undefined;
    }
    if (!full && !ones) return undefined;
    return !ones;
  };
  const o = run(0, s.i);
  const c = run(s.i, s.j);
  const f = run(s.j, R);
  if (o === undefined || c === undefined || f === undefined) return undefined;
  return { o, c, f };
}

/** The output shape of a value at "column" level: the space with the F run reduced away (numel O·C). */
export function isColShape(shape: readonly number[], s: Space): boolean {
  const { O, C } = sizes(s);
  const p = patternOf(shape, s);
  if (p && !p.f && numelOf(shape) === O * C && (p.o || O === 1) && (p.c || C === 1)) return true;
  // keepdims = 0: the F dims are gone, the rest is the space's [O, C] prefix.
  return shape.length === s.j && shape.every((d, k) => d === s.shape[k]);
}

export function isTileShape(shape: readonly number[], s: Space): boolean {
  return shape.length === s.shape.length && shape.every((d, k) => d === s.shape[k]);
}

/** Where a graph dtype lives on the device (int64 indices as int32, bools as uint8, fp64 as fp32). */
export function deviceDType(d: GraphDType): DType {
  if (d === 'int64') return 'int32';
  if (d === 'bool') return 'uint8';
  if (d === 'float64') return 'float32';
  return d;
}
