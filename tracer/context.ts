import type { DType } from '../ir/dtypes.ts';
import type { ErrorCode } from '../ir/error-codes.ts';
import { type DiagnosticNote, KernelError } from '../ir/errors.ts';
import type { SourceLoc } from '../ir/loc.ts';
import type {
  BufferDecl,
  BufferRole,
  Instr,
  LoopContext,
  LoopFrame,
  LoopKind,
  MemSpace,
} from '../ir/types.ts';
import { DEFAULT_LIMITS, type KernelLimits, LimitMeter } from './limits.ts';
import { userLocation } from './location.ts';

interface MutableBuffer {
  id: number;
  name: string;
  space: MemSpace;
  shape: readonly number[];
  dtype: DType;
  role: BufferRole;
  mutable: boolean;
  loc: SourceLoc;
  init?: readonly number[];
}

/** The state of one kernel trace: buffers, instructions, the loop stack and the SPMD program id. */
export class TraceContext {
  readonly buffers: MutableBuffer[] = [];
  readonly instrs: Instr[] = [];
  /** Buffers written by some instruction (outputs must be). */
  readonly written = new Set<number>();
  /** The last instruction that read or wrote each buffer. */
  readonly lastTouch = new Map<number, Instr>();
  /** Shared-HBM allocations by ordinal within a program, reused by every program of the grid. */
  readonly sharedHbm: number[] = [];
  sharedHbmOrdinal = 0;
  program: readonly number[] = [];
  private loopStack: LoopFrame[] = [];
  private loopSnapshot: LoopContext | undefined;
  private nextLoopId = 0;
  private names = new Map<string, number>();
  readonly meter: LimitMeter;

  constructor(
    readonly kernelName: string,
    readonly grid: readonly number[],
    limits: KernelLimits = DEFAULT_LIMITS,
  ) {
    this.meter = new LimitMeter(limits, kernelName);
  }

  addBuffer(b: Omit<MutableBuffer, 'id'>): MutableBuffer {
    const name = this.uniqueName(b.name);
    const buf = { ...b, name, id: this.buffers.length };
    this.buffers.push(buf);
    return buf;
  }

  private uniqueName(base: string): string {
    const n = this.names.get(base) ?? 0;
    this.names.set(base, n + 1);
    return n === 0 ? base : `${base}.${n}`;
  }

  get loopDepth(): number {
    return this.loopStack.length;
  }

  /** The current loop context, shared by consecutive instructions until a loop starts, steps or ends. */
  loopContext(): LoopContext {
    if (!this.loopSnapshot) {
      this.loopSnapshot = Object.freeze({ program: this.program, loops: Object.freeze([...this.loopStack]) });
    }
    return this.loopSnapshot;
  }

  enterLoop(kind: LoopKind, extent: number, loc: SourceLoc): number {
    const id = this.nextLoopId++;
    this.loopStack.push(Object.freeze({ id, kind, index: -1, extent, loc }));
    this.loopSnapshot = undefined;
    return id;
  }

  setLoopIndex(id: number, index: number): void {
    const top = this.loopStack[this.loopStack.length - 1];
    if (top?.id !== id) throw new Error('internal: loop stack out of order');
    this.loopStack[this.loopStack.length - 1] = Object.freeze({ ...top, index });
    this.loopSnapshot = undefined;
  }

  exitLoop(id: number): void {
    const i = this.loopStack.findIndex((f) => f.id === id);
    if (i >= 0) this.loopStack.length = i;
    this.loopSnapshot = undefined;
  }

  setProgram(program: readonly number[]): void {
    this.program = Object.freeze([...program]);
    this.sharedHbmOrdinal = 0;
    this.loopStack = [];
    this.loopSnapshot = undefined;
  }

  freezeBuffers(): readonly BufferDecl[] {
    return Object.freeze(
      this.buffers.map((b) => Object.freeze({ ...b, shape: Object.freeze([...b.shape]) })),
    );
  }
}

let current: TraceContext | undefined;

export function activeTrace(): TraceContext {
  if (!current) {
    throw new KernelError(
      'TK0402',
      'nl/nisa operations can only be called while a kernel is traced',
      userLocation(),
    );
  }
  return current;
}

export function hasActiveTrace(): boolean {
  return current !== undefined;
}

export function withTrace<T>(ctx: TraceContext, fn: () => T): T {
  if (current)
    throw new KernelError(
      'TK0414',
      'a kernel cannot be traced or called from inside another kernel; call its body as a plain function instead',
      userLocation(),
    );
  current = ctx;
  try {
    return fn();
  } finally {
    current = undefined;
  }
}

/** Throw a located diagnostic at the user's current line. */
export function raise(code: ErrorCode, message: string, notes: readonly DiagnosticNote[] = []): never {
  throw new KernelError(code, message, userLocation(), notes);
}
