import type { LoopKind } from '../ir/types.ts';
import { activeTrace, raise } from '../tracer/context.ts';
import { userLocation } from '../tracer/location.ts';

/**
 * Trace-time loops. The body runs once per iteration (the loop is unrolled into the IR) and every instruction
 * records the loop's kind and index, so the scheduler knows which iterations are independent.
 */
function range(kind: LoopKind, a: number, b?: number, c?: number): Iterable<number> {
  const ctx = activeTrace();
  const loc = userLocation();
  const [start, stop, step] = b === undefined ? [0, a, 1] : [a, b, c ?? 1];
  if (![start, stop, step].every(Number.isInteger))
    raise('TK0411', `loop bounds (${start}, ${stop}, ${step}) must be integers`);
  if (step === 0) raise('TK0411', 'loop step cannot be 0');
  const extent = Math.max(0, Math.ceil((stop - start) / step));
  return {
    *[Symbol.iterator]() {
      const id = ctx.enterLoop(kind, extent, loc);
      try {
        for (let i = 0; i < extent; i++) {
          ctx.setLoopIndex(id, i);
          yield start + i * step;
        }
      } finally {
        ctx.exitLoop(id);
      }
    },
  };
}

/** Iterations are independent (no loop-carried dependency except matmul accumulation into PSUM). */
export function affineRange(stop: number): Iterable<number>;
export function affineRange(start: number, stop: number, step?: number): Iterable<number>;
export function affineRange(a: number, b?: number, c?: number): Iterable<number> {
  return range('affine', a, b, c);
}

/** Iterations depend on each other and run in order. */
export function sequentialRange(stop: number): Iterable<number>;
export function sequentialRange(start: number, stop: number, step?: number): Iterable<number>;
export function sequentialRange(a: number, b?: number, c?: number): Iterable<number> {
  return range('sequential', a, b, c);
}

/** Unrolled at trace time with no loop semantics for the scheduler. */
export function staticRange(stop: number): Iterable<number>;
export function staticRange(start: number, stop: number, step?: number): Iterable<number>;
export function staticRange(a: number, b?: number, c?: number): Iterable<number> {
  return range('static', a, b, c);
}

/** The SPMD program id along `axis` of the launch grid. */
export function programId(axis = 0): number {
  const ctx = activeTrace();
  if (!Number.isInteger(axis) || axis < 0 || axis >= ctx.grid.length) {
    raise(
      'TK0408',
      `programId(${axis}): the launch grid has ${ctx.grid.length} axes${ctx.grid.length ? ` [${ctx.grid}]` : ' (launch with kernel.grid(...))'}`,
    );
  }
  return ctx.program[axis];
}

/** The number of programs along `axis` of the launch grid. */
export function numPrograms(axis = 0): number {
  const ctx = activeTrace();
  if (!Number.isInteger(axis) || axis < 0 || axis >= ctx.grid.length) {
    if (ctx.grid.length === 0 && axis === 0) return 1;
    raise('TK0408', `numPrograms(${axis}): the launch grid has ${ctx.grid.length} axes`);
  }
  return ctx.grid[axis];
}

export function programNdim(): number {
  return activeTrace().grid.length;
}
