import type { DepKind, Program, QueueId } from '../../codegen/program.ts';
import type { SourceLoc } from '../../ir/loc.ts';
import type { OpName } from '../../ir/ops/index.ts';
import type { Engine } from '../../ir/types.ts';

/** Why an instruction started when it did. */
export type StartCause =
  | { readonly kind: 'dependency'; readonly instr: number; readonly dep: DepKind }
  | { readonly kind: 'queue' }
  | { readonly kind: 'port'; readonly port: string }
  | { readonly kind: 'start' };

export interface TimelineEntry {
  readonly id: number;
  readonly op: OpName;
  readonly engine: Engine;
  readonly queue: QueueId;
  /** Issue (compute: execution start; DMA: the trigger, before the fixed latency). */
  readonly start: number;
  /** Completion, in ns from the kernel's start. */
  readonly end: number;
  readonly cause: StartCause;
  readonly loc: SourceLoc;
}

/** A DMA engine busy interval moving data for instruction `id`. */
export interface DmaSlice {
  readonly engine: number;
  readonly id: number;
  readonly start: number;
  readonly end: number;
}

/** Every instruction with where and when it ran: what reports, traces and metrics are derived from. */
export interface Timeline {
  readonly program: Program;
  /** Indexed by instruction id. */
  readonly entries: readonly TimelineEntry[];
  readonly dma: readonly DmaSlice[];
  readonly latencyNs: number;
}
