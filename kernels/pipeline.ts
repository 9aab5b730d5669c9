import { nl } from '../dsl/index.ts';

/**
 * Software pipelining over tiles: `start(t + 1)` is issued before `finish(t)`, so each engine's in-order queue holds
 * the next tile's first steps ahead of this tile's last ones (e.g. VectorE reduces tile t + 1 while ScalarE is still
 * on tile t). Iteration t starts tile t + 1 and finishes tile t, so a tile is written in two iterations: the loop is
 * sequential.
 */
export function pipelineTiles<S>(
  count: number,
  start: (t: number) => S,
  finish: (t: number, s: S) => void,
): void {
  let state = start(0);
  for (const t of nl.sequentialRange(count)) {
    const next = t + 1 < count ? start(t + 1) : undefined;
    finish(t, state);
    if (next !== undefined) state = next;
  }
}
