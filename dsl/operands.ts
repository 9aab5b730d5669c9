import type { DType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import type { OpName } from '../ir/ops/index.ts';
import type { ScalarOperand } from '../ir/ops/operand.ts';
import type { Engine, Instr, View } from '../ir/types.ts';
import { activeTrace, raise } from '../tracer/context.ts';
import { userLocation } from '../tracer/location.ts';
import { record } from '../tracer/record.ts';
import { allocate, type BufferKind } from './alloc.ts';
import { checkLive, Tensor } from './tensor.ts';

/** Options every instruction-level call accepts. */
export interface InstrOptions {
  /** Write the result into this tile (or view) instead of a new one. */
  readonly dst?: Tensor;
  /** The result dtype (a new tile's dtype; conversion happens on write). */
  readonly dtype?: DType;
  /** Pin the engine; otherwise the op's default. */
  readonly engine?: Engine;
  /** The new tile's name in the IR and in diagnostics. */
  readonly name?: string;
}

export function tensorArg(x: unknown, what: string): Tensor {
  if (!(x instanceof Tensor)) raise('TK0209', `${what} must be a tensor, got ${describe(x)}`);
  checkLive(x as Tensor);
  return x as Tensor;
}

function describe(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (typeof x === 'object') return x.constructor?.name ?? 'object';
  return `${typeof x} ${JSON.stringify(x)}`;
}

/** The destination: the user's `dst`, or a new tile of the result's shape. */
export function destination(
  opts: InstrOptions | undefined,
  shape: readonly number[],
  dtype: DType,
  kind: BufferKind,
  name: string,
): Tensor {
  if (opts?.dst !== undefined) return tensorArg(opts.dst, 'dst');
  return allocate(shape, dtype, kind, opts?.name ?? name);
}

/** An immediate number or a [P, 1] tensor, as a ScalarOperand; tensors are appended to `ins`. */
export function scalarOperand(x: number | Tensor, ins: View[], what: string): ScalarOperand {
  if (typeof x === 'number') {
    if (!Number.isFinite(x) && !Number.isNaN(x) && Math.abs(x) !== Number.POSITIVE_INFINITY)
      raise('TK0209', `${what} is not a number`);
    return { kind: 'imm', value: x };
  }
  const t = tensorArg(x, what);
  ins.push(t.view);
  return { kind: 'vec', index: ins.length - 1 };
}

export function emit(
  op: OpName,
  ins: readonly View[],
  outs: readonly View[],
  attrs: unknown,
  engine?: Engine,
): Instr {
  return record(activeTrace(), { op, ins, outs, attrs, engine });
}

/** Re-throw a loc-less KernelError from a helper at the user's line. */
export function located<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KernelError && !e.loc) throw new KernelError(e.code, e.detail, userLocation(), e.notes);
    throw e;
  }
}
