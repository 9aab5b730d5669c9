import type { DType } from './dtypes.ts';
import type { SourceLoc } from './loc.ts';

/** Where a tensor lives. `hbm` is device memory; `sbuf` and `psum` are on-chip, partition dim first. */
export type MemSpace = 'hbm' | 'sbuf' | 'psum';
export const MEM_SPACES: readonly MemSpace[] = ['hbm', 'sbuf', 'psum'];

/** Execution units. `dma` stands for the DMA queues; codegen picks the queue. neuroncore.md §2 (PE, DVE, ACT, POOL, SP). */
export type Engine = 'tensor' | 'vector' | 'scalar' | 'gpsimd' | 'sync' | 'dma';
export const ENGINES: readonly Engine[] = ['tensor', 'vector', 'scalar', 'gpsimd', 'sync', 'dma'];

/** `constant`: an HBM tensor whose values are baked into the kernel (`nl.sharedConstant`); read-only. */
export type BufferRole = 'input' | 'output' | 'temp' | 'constant';

/** A tensor's storage: declared once, referenced by views. */
export interface BufferDecl {
  readonly id: number;
  readonly name: string;
  readonly space: MemSpace;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly role: BufferRole;
  /** Inputs only: the kernel may write it. */
  readonly mutable: boolean;
  readonly loc: SourceLoc;
  /** Constants only: the values, row-major, exact in `dtype`; the simulator writes them to HBM before the run. */
  readonly init?: readonly number[];
}

/**
 * A strided view of a buffer, in elements of the buffer's row-major layout. For on-chip buffers dim 0 of the
 * buffer is the partition dim, so flat index i lives in partition floor(i / freeSize) at free element i % freeSize.
 */
export interface View {
  readonly buffer: number;
  readonly space: MemSpace;
  readonly dtype: DType;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

export type LoopKind = 'affine' | 'sequential' | 'static';

export interface LoopFrame {
  /** Unique per loop instance (a nested loop gets a new id in each outer iteration). */
  readonly id: number;
  readonly kind: LoopKind;
  readonly index: number;
  readonly extent: number;
  readonly loc: SourceLoc;
}

export interface LoopContext {
  /** SPMD program id, one entry per grid axis (empty without a grid). */
  readonly program: readonly number[];
  /** Enclosing loops, outermost first. */
  readonly loops: readonly LoopFrame[];
}

/** One ISA instruction as the user wrote it: operands are views, location is the user's line. */
export interface Instr<A = unknown> {
  readonly id: number;
  readonly op: string;
  readonly ins: readonly View[];
  readonly outs: readonly View[];
  readonly attrs: A;
  /** Pinned by the user; otherwise codegen chooses. */
  readonly engine?: Engine;
  /** Control dependencies: instructions this one must follow without a data dependency (`nl.after`, `nl.noReorder`). */
  readonly after?: readonly number[];
  readonly loc: SourceLoc;
  readonly loop: LoopContext;
}

export interface KernelIR {
  readonly name: string;
  readonly grid: readonly number[];
  readonly buffers: readonly BufferDecl[];
  readonly instrs: readonly Instr[];
  /** Buffer ids of the kernel's parameters, in order. */
  readonly inputs: readonly number[];
  /** Buffer ids of the returned tensors, in order. */
  readonly outputs: readonly number[];
  readonly loc: SourceLoc;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Elements per partition of an on-chip shape (product of the free dims). */
export function freeSize(shape: readonly number[]): number {
  let n = 1;
  for (let i = 1; i < shape.length; i++) n *= shape[i];
  return n;
}

export function rowMajorStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function isOnChip(space: MemSpace): boolean {
  return space !== 'hbm';
}
