import type { DType } from '../ir/dtypes.ts';
import type { SourceLoc } from '../ir/loc.ts';
import type { OpName } from '../ir/ops/index.ts';
import type { Engine, KernelIR, MemSpace } from '../ir/types.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';

/** An instruction queue: one per compute engine, several for DMA. Each queue's completion count is a semaphore. */
export type QueueId = Exclude<Engine, 'dma'> | `dma${number}`;

/**
 * A physical access pattern: where an operand's elements are. On chip: partitions [startPartition,
 * startPartition + partitions) at `byteOffset` within each, free dims as [stride, size] in elements. In HBM:
 * `byteOffset` is the absolute address and `dims` covers every dim of the view. Elements are enumerated row-major.
 */
export interface PhysAccess {
  readonly space: MemSpace;
  readonly dtype: DType;
  readonly elemBytes: number;
  readonly startPartition: number;
  readonly partitions: number;
  readonly byteOffset: number;
  readonly dims: readonly (readonly [stride: number, size: number])[];
  /** The operand's logical shape (what the op's reference semantics sees). */
  readonly shape: readonly number[];
}

/** Where a buffer was placed. HBM: an address. On chip: start partition and byte offset within each partition. */
export interface Placement {
  readonly buffer: number;
  readonly space: MemSpace;
  readonly startPartition: number;
  readonly byteOffset: number;
  /** Bytes per partition on chip; total bytes in HBM. */
  readonly bytes: number;
  /** First and last instruction index that touch the buffer (its live range). */
  readonly live: readonly [number, number];
}

/** Data dependencies, and ORDER for the user's control edges (`nl.after`, `nl.noReorder`). */
export type DepKind = 'RAW' | 'WAR' | 'WAW' | 'ORDER';

/** Wait until `queue` has completed `count` instructions (its semaphore reaches `count`). */
export interface Wait {
  readonly queue: QueueId;
  readonly count: number;
  /** The instruction waited for, and why. */
  readonly on: number;
  readonly kind: DepKind;
}

export interface ProgInstr {
  /** Same id as the IR instruction it came from. */
  readonly id: number;
  readonly op: OpName;
  readonly engine: Engine;
  readonly queue: QueueId;
  /** Position in its queue. */
  readonly index: number;
  readonly ins: readonly PhysAccess[];
  readonly outs: readonly PhysAccess[];
  readonly attrs: unknown;
  readonly waits: readonly Wait[];
  /** Reads a result of the instruction just before it on the same queue (pays the engine's dependency overhead). */
  readonly chained: boolean;
  readonly loc: SourceLoc;
}

/** What the simulator runs: per-queue instruction streams with physical addresses and semaphore waits. */
export interface Program {
  readonly chip: ChipConfig;
  readonly ir: KernelIR;
  readonly placements: readonly (Placement | undefined)[];
  /** All instructions in program (trace) order; `queues` holds their ids per queue, in issue order. */
  readonly instrs: readonly ProgInstr[];
  readonly queues: Readonly<Partial<Record<QueueId, readonly number[]>>>;
  readonly hbmBytes: number;
}
