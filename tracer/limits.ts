import { type DiagnosticNote, KernelError } from '../ir/errors.ts';
import type { SourceLoc } from '../ir/loc.ts';

/**
 * How big a kernel may get before tilekit stops with a clear error instead of tracing forever or running the host
 * out of memory: the instruction count is checked while tracing, the memory budget before a simulation allocates
 * the chip's memories. Set for the process with `setDefaultLimits`; a kernel can set its own instruction limit
 * (`kernel(fn, { limits: { maxInstructions } })`) and a simulation its own budget (`simulate(..., { maxMemoryBytes })`).
 */
export interface Limits {
  /** Instructions one trace may record (all programs of an SPMD grid together). */
  readonly maxInstructions: number;
  /** Bytes of simulated memory (HBM tensors plus the SBUF and PSUM in use) a functional simulation may allocate. */
  readonly maxMemoryBytes: number;
}

/** The limits a kernel can set for its own trace. */
export type KernelLimits = Pick<Limits, 'maxInstructions'>;

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxInstructions: 1_000_000,
  maxMemoryBytes: 2 * 1024 ** 3,
});

let defaults: Limits = DEFAULT_LIMITS;

/** The limits in force when a kernel or a simulation sets none. */
export function defaultLimits(): Limits {
  return defaults;
}

/** Change the process-wide limits; returns the previous ones (to restore them). */
export function setDefaultLimits(limits: Partial<Limits>): Limits {
  const previous = defaults;
  defaults = Object.freeze({ ...defaults, ...checkLimits(limits) });
  return previous;
}

/** Each given limit must be a positive integer (TK0415 / TK0416 at `loc` otherwise). */
export function checkLimits<T extends Partial<Limits>>(limits: T | undefined, loc?: SourceLoc): T {
  for (const [key, code] of [
    ['maxInstructions', 'TK0415'],
    ['maxMemoryBytes', 'TK0416'],
  ] as const) {
    const v = limits?.[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v > 0)) {
      throw new KernelError(code, `limits.${key} must be a positive integer, got ${String(v)}`, loc);
    }
  }
  return limits ?? ({} as T);
}

/** The instruction limit of one trace. */
export function traceLimits(limits: Partial<KernelLimits> | undefined, loc?: SourceLoc): KernelLimits {
  return Object.freeze({ maxInstructions: defaults.maxInstructions, ...checkLimits(limits, loc) });
}

export function fmtBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** Counts a trace's instructions against its limit. */
export class LimitMeter {
  constructor(
    readonly limits: KernelLimits,
    private readonly kernelName: string,
  ) {}

  /** Before recording instruction number `count` + 1 at `loc`, inside `loops` (outermost first). */
  instruction(count: number, loc: SourceLoc, loops: readonly { loc: SourceLoc; kind: string }[]): void {
    if (count < this.limits.maxInstructions) return;
    const notes: DiagnosticNote[] = loops
      .slice(-2)
      .reverse()
      .map((f) => ({ message: `inside this ${f.kind} loop`, loc: f.loc }));
    throw new KernelError(
      'TK0415',
      `kernel '${this.kernelName}' records more than ${this.limits.maxInstructions} instructions (limits.maxInstructions): a loop that does not end, or a kernel too large to trace and simulate; use bigger tiles or fewer iterations, or raise the limit with kernel(fn, { limits: { maxInstructions } })`,
      loc,
      notes,
    );
  }
}
