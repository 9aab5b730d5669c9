import { activeTrace } from '../tracer/context.ts';
import { lastWriters, withAfter, withNoReorder } from '../tracer/order.ts';
import { tensorArg } from './operands.ts';
import type { Tensor } from './tensor.ts';

/**
 * Instructions traced inside `fn` run in program order, each after the previous one, whatever their engines
 * (NKI's `no_reorder` block). Use it where order matters without a data dependency, e.g. around device prints.
 */
export function noReorder<T>(fn: () => T): T {
  return withNoReorder(activeTrace(), fn);
}

/**
 * Instructions traced inside `fn` start only after the instructions that last wrote `tensors` (a control edge, as
 * NKI's `kernel.with_schedule([(later, earlier)])`), even when they share no data with them.
 */
export function after<T>(tensors: Tensor | readonly Tensor[], fn: () => T): T {
  const ctx = activeTrace();
  const list = Array.isArray(tensors) ? tensors : [tensors as Tensor];
  const ids = lastWriters(
    ctx,
    list.map((t, i) => tensorArg(t, `after() tensor ${i}`).view.buffer),
  );
  return withAfter(ctx, ids, fn);
}
