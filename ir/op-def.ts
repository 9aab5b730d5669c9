import type { AluOp } from './alu.ts';
import type { ErrorCode } from './error-codes.ts';
import { KernelError } from './errors.ts';
import type { Engine, View } from './types.ts';

export interface CheckArgs<A> {
  readonly ins: readonly View[];
  readonly outs: readonly View[];
  readonly attrs: A;
  /** The engine the instruction will run on (pinned by the user or the op's default). */
  readonly engine: Engine;
}

/**
 * Heavy loops an op's `evaluate` hands to the simulator's compute backend (simulator/backends). Each must give the
 * values of the reference loop it replaces bit for bit; an absent kernel means the reference loop runs.
 */
export interface EvalKernels {
  /**
   * ncMatmul's sum over R rows: s[m, n] = Σ_r stat[r·M + m] · mov[r·N + n] with fp64 products and a round to fp32
   * after each addition, r in order from 0; out[m·N + n] = accumulate ? fp32(out + s) : s.
   */
  readonly matmul?: (
    stat: Float64Array,
    mov: Float64Array,
    out: Float64Array,
    R: number,
    M: number,
    N: number,
    accumulate: boolean,
  ) => void;
  /** out[i] = fp32(op(fp32(a[i]), fp32(b[i]))) (ir/alu.ts applyAlu, not integer-exact) for the ops in `ops`. */
  readonly binary?: {
    readonly ops: ReadonlySet<AluOp>;
    readonly run: (op: AluOp, a: Float64Array, b: Float64Array, out: Float64Array) => void;
  };
}

/** Operand values as fp64 arrays in the row-major order of each view's shape; values are already fp32/dtype-exact. */
export interface EvalArgs<A> {
  readonly ins: readonly Float64Array[];
  readonly inShapes: readonly (readonly number[])[];
  /** Pre-filled with the current contents when `readsOutputs` says so; the op overwrites them. */
  readonly outs: readonly Float64Array[];
  readonly outShapes: readonly (readonly number[])[];
  readonly attrs: A;
  /** For ops that report to the host instead of writing memory (devicePrint): hand the simulator these values. */
  readonly report?: (values: Float64Array) => void;
  /** The backend's kernels for the heavy loops (absent: the reference loops). */
  readonly kernels?: EvalKernels;
}

/** One ISA operation: its facts in one place. Per-concern tables (cost per chip, exporters) key on the op name. */
export interface OpDef<A> {
  readonly summary: string;
  /** Engines that can run the op; the first is the default. */
  readonly engines: readonly Engine[];
  /** Shape, dtype, memory and engine rules; throws `fail(code, ...)`. Runs once, when the instruction is traced. */
  readonly check: (a: CheckArgs<A>) => void;
  /** Reference semantics, computing in fp32 as the engines do. */
  readonly evaluate: (a: EvalArgs<A>) => void;
  /** True when the op reads its destination (e.g. PSUM accumulation). */
  readonly readsOutputs?: (attrs: A) => boolean;
  readonly flops: (ins: readonly View[], outs: readonly View[], attrs: A) => number;
  /** Attribute text for the IR printer; defaults to the attrs as key=value pairs. */
  readonly describe?: (attrs: A) => string;
}

export function defineOp<A>(def: OpDef<A>): OpDef<A> {
  return Object.freeze(def);
}

/** Reject an instruction; the tracer adds the user's source location. */
export function fail(code: ErrorCode, message: string): never {
  throw new KernelError(code, message);
}
