import type { TraceContext } from './context.ts';

/**
 * User scheduling controls, as NKI's `no_reorder` blocks and `with_schedule` edges: control dependencies recorded
 * on instructions (`Instr.after`), which codegen turns into semaphore waits like data dependencies.
 */
interface OrderState {
  /** Instruction ids every instruction traced in the current `after` scopes must follow. */
  readonly afterStack: (readonly number[])[];
  /** Open no-reorder region: the last instruction traced in it. */
  region?: { last?: number };
}

const states = new WeakMap<TraceContext, OrderState>();

function state(ctx: TraceContext): OrderState {
  let s = states.get(ctx);
  if (!s) states.set(ctx, (s = { afterStack: [] }));
  return s;
}

/** The control dependencies of the instruction about to be recorded (and note it as the region's last). */
export function controlDeps(ctx: TraceContext, id: number): readonly number[] | undefined {
  const s = states.get(ctx);
  if (!s) return undefined;
  const deps = new Set<number>();
  for (const ids of s.afterStack) for (const d of ids) deps.add(d);
  if (s.region) {
    if (s.region.last !== undefined) deps.add(s.region.last);
    s.region.last = id;
  }
  return deps.size ? Object.freeze([...deps].sort((a, b) => a - b)) : undefined;
}

/** The last instruction that wrote each buffer, if any. */
export function lastWriters(ctx: TraceContext, buffers: readonly number[]): number[] {
  const want = new Set(buffers);
  const found: number[] = [];
  for (let i = ctx.instrs.length - 1; i >= 0 && want.size > 0; i--) {
    for (const v of ctx.instrs[i].outs) {
      if (want.delete(v.buffer)) found.push(i);
    }
  }
  return found;
}

export function withAfter<T>(ctx: TraceContext, ids: readonly number[], fn: () => T): T {
  const s = state(ctx);
  s.afterStack.push(ids);
  try {
    return fn();
  } finally {
    s.afterStack.pop();
  }
}

export function withNoReorder<T>(ctx: TraceContext, fn: () => T): T {
  const s = state(ctx);
  const outer = s.region;
  s.region = outer ?? {};
  try {
    return fn();
  } finally {
    if (!outer) s.region = undefined;
  }
}
