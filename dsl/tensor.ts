import type { DType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import { type MemSpace, numel, type View } from '../ir/types.ts';
import { activeTrace, type TraceContext } from '../tracer/context.ts';
import { userLocation } from '../tracer/location.ts';
import { type Index, reshapeView, sliceView } from './indexing.ts';

/**
 * A traced tensor: a view of an HBM, SBUF or PSUM buffer. Its values exist only in the simulator, so using it where
 * JavaScript needs a number or a boolean is an error at the user's line.
 */
export class Tensor {
  /** @internal */
  constructor(
    readonly ctx: TraceContext,
    readonly view: View,
  ) {}

  get shape(): readonly number[] {
    return this.view.shape;
  }
  get dtype(): DType {
    return this.view.dtype;
  }
  get buffer(): MemSpace {
    return this.view.space;
  }
  get ndim(): number {
    return this.view.shape.length;
  }
  get size(): number {
    return numel(this.view.shape);
  }
  /** The buffer's name in the IR. */
  get name(): string {
    return this.ctx.buffers[this.view.buffer].name;
  }

  /** A view: one index per dim (integer, `[start, stop(, step)]`, `nl.ds(start, size)` or `':'`). */
  get(...idx: Index[]): Tensor {
    return this.derive(() => sliceView(this.view, idx));
  }

  /** A view with the same elements regrouped (free dims only for on-chip tiles). */
  reshape(shape: readonly number[]): Tensor {
    return this.derive(() => reshapeView(this.view, shape));
  }

  private derive(fn: () => View): Tensor {
    checkLive(this);
    try {
      return new Tensor(this.ctx, fn());
    } catch (e) {
      if (e instanceof KernelError && !e.loc)
        throw new KernelError(e.code, e.detail, userLocation(), e.notes);
      throw e;
    }
  }

  [Symbol.toPrimitive](): never {
    throw new KernelError(
      'TK0401',
      `tensor '${this.name}' [${this.shape}] has no value while the kernel is traced: it cannot be used in arithmetic, comparisons or conditions; use nl/nisa operations (data-dependent control flow is not supported)`,
      userLocation(),
      [{ message: `'${this.name}' was created here`, loc: this.ctx.buffers[this.view.buffer].loc }],
    );
  }

  toJSON(): unknown {
    return { tensor: this.name, shape: this.shape, dtype: this.dtype, buffer: this.buffer };
  }
}

export function checkLive(t: Tensor): void {
  let ctx: TraceContext | undefined;
  try {
    ctx = activeTrace();
  } catch {
    ctx = undefined;
  }
  if (ctx !== t.ctx) {
    throw new KernelError(
      'TK0409',
      `tensor '${t.name}' belongs to another kernel trace; tensors cannot outlive their kernel`,
      userLocation(),
    );
  }
}
