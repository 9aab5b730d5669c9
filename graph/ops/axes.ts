/** Axis arguments shared by the shape ops. */
import { normAxis } from '../ndarray.ts';
import { opFail } from './op-def.ts';

/** A possibly negative axis of a rank, normalised; TK0806 naming `what` when out of range. */
export function axisIn(axis: number, rank: number, what: string): number {
  const a = normAxis(axis, rank);
  if (a === undefined) opFail('TK0806', `${what} ${axis} is out of range for rank ${rank}`);
  return a;
}
