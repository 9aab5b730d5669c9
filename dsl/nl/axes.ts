import { raise } from '../../tracer/context.ts';
import type { Tensor } from '../tensor.ts';

/** Reduction axes of nl functions: free axes only, counted from 0 (the partition dim), negative from the end. */

export type Axis = number | readonly number[];

/** Normalised, sorted reduction axes of a tile; each must be a free axis. */
export function freeAxes(x: Tensor, axis: Axis, what: string): number[] {
  const rank = x.shape.length;
  const axes = (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? rank + a : a));
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 1 || a >= rank) {
      raise(
        'TK0268',
        `${what}: axis ${JSON.stringify(axis)} of a rank-${rank} tile [${x.shape}]: reduce along free axes 1..${rank - 1} (the partition axis 0 cannot be reduced; transpose first)`,
      );
    }
  }
  return [...new Set(axes)].sort((a, b) => a - b);
}

/** The result shape of reducing `axes` of `shape`, as nisa.tensorReduce makes it. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepdims: boolean): number[] {
  const out = shape.flatMap((n, d) => (axes.includes(d) ? (keepdims ? [1] : []) : [n]));
  return out.length < 2 ? [...out, 1] : out;
}

export function elements(x: Tensor, axes: readonly number[]): number {
  return axes.reduce((n, a) => n * x.shape[a], 1);
}
