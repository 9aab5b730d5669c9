import type { ProgInstr, Program } from '../../codegen/program.ts';
import { formatLoc } from '../../ir/loc.ts';
import { opDef } from '../../ir/ops/index.ts';
import type { ChipConfig } from '../chips/types.ts';
import type { DmaSlice, Timeline, TimelineEntry } from './timeline.ts';

/** Engines reported as neuron-profile does: the four compute engines and the DMA engines taken together. */
export const REPORTED_ENGINES = ['tensor', 'vector', 'scalar', 'gpsimd', 'dma'] as const;
export type ReportedEngine = (typeof REPORTED_ENGINES)[number];

export interface IdleCause {
  /** What the engine waited for, e.g. "dmaCopy into 'rhs' (kernels/matmul.ts:42:19)". */
  readonly cause: string;
  readonly ns: number;
  readonly gaps: number;
}

export interface EngineIdle {
  readonly engine: ReportedEngine;
  readonly idleNs: number;
  /** Largest first. */
  readonly causes: readonly IdleCause[];
}

export interface TimelineSummary {
  readonly latencyNs: number;
  readonly instructions: number;
  /** Fraction of the latency each engine was busy. */
  readonly active: Readonly<Record<ReportedEngine, number>>;
  readonly busyNs: Readonly<Record<ReportedEngine, number>>;
  /** FLOPs by the engine that executed them (a multiply-add counts 2). */
  readonly flops: Readonly<Record<'tensor' | 'vector' | 'scalar' | 'gpsimd', number>>;
  /** Bytes moved between HBM and on-chip memory (or HBM to HBM). */
  readonly hbmBytes: number;
  /** Hardware FLOP utilisation: TensorE FLOPs at the peak of their dtype, over the latency. */
  readonly hfu: number;
  /** Model FLOP utilisation: matmul FLOPs other than transposes, same peak. */
  readonly mfu: number;
  /** Memory bandwidth utilisation: HBM bytes over the latency at the DMA roof. */
  readonly mbu: number;
  readonly criticalPath: { readonly ids: readonly number[]; readonly lengthNs: number };
  readonly idle: readonly EngineIdle[];
}

/** TensorE peak FLOP/ns for an instruction's input dtype (neuroncore.md §3.2–3.3). */
export function tensorPeak(i: ProgInstr, chip: ChipConfig): number {
  const dts = i.ins.map((a) => a.dtype);
  if (dts.some((d) => d === 'float32')) return chip.peaks.tensorFlopsPerNs.fp32;
  if (dts.every((d) => d.startsWith('float8'))) return chip.peaks.tensorFlopsPerNs.fp8;
  return chip.peaks.tensorFlopsPerNs.bf16;
}

function union(intervals: readonly (readonly [number, number])[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let s = Number.NEGATIVE_INFINITY;
  let e = Number.NEGATIVE_INFINITY;
  for (const [a, b] of sorted) {
    if (a > e) {
      if (e > s) total += e - s;
      s = a;
      e = b;
    } else e = Math.max(e, b);
  }
  if (e > s) total += e - s;
  return total;
}

export function isHbmTransfer(i: ProgInstr): boolean {
  return i.op === 'dmaCopy' && [...i.ins, ...i.outs].some((a) => a.space === 'hbm');
}

export function transferBytes(i: ProgInstr): number {
  const dst = i.outs[0];
  let n = dst.partitions;
  for (const [, size] of dst.dims) n *= size;
  return n * Math.max(dst.elemBytes, i.ins[0].elemBytes);
}

function describeWait(program: Program, id: number): string {
  const ins = program.instrs[id];
  const irIns = program.ir.instrs[id];
  const out = irIns.outs[0];
  const name = out ? program.ir.buffers[out.buffer].name.replace(/\.\d+$/, '') : '';
  return `${ins.op}${name ? ` into '${name}'` : ''} on ${ins.engine} (${formatLoc(ins.loc)})`;
}

/** Idle gaps of one engine's busy intervals, each labelled with what the instruction after it waited for. */
function idleOf(
  engine: ReportedEngine,
  busy: readonly { start: number; end: number; next: TimelineEntry }[],
  latency: number,
  program: Program,
): EngineIdle {
  const causes = new Map<string, { ns: number; gaps: number }>();
  let idle = 0;
  let prevEnd = 0;
  const add = (cause: string, ns: number) => {
    const c = causes.get(cause) ?? { ns: 0, gaps: 0 };
    c.ns += ns;
    c.gaps++;
    causes.set(cause, c);
  };
  for (const b of busy) {
    const gap = b.start - prevEnd;
    if (gap > 1e-6) {
      idle += gap;
      const c = b.next.cause;
      add(
        c.kind === 'dependency'
          ? `waiting for ${describeWait(program, c.instr)}`
          : c.kind === 'port'
            ? `memory port ${c.port} busy`
            : c.kind === 'start'
              ? 'kernel start'
              : 'its own queue',
        gap,
      );
    }
    prevEnd = Math.max(prevEnd, b.end);
  }
  if (latency - prevEnd > 1e-6) {
    idle += latency - prevEnd;
    add(busy.length ? 'no more work (kernel tail)' : 'no work', latency - prevEnd);
  }
  const list = [...causes]
    .map(([cause, v]) => ({ cause, ns: v.ns, gaps: v.gaps }))
    .sort((a, b) => b.ns - a.ns);
  return { engine, idleNs: idle, causes: list };
}

/** Longest chain through dependency waits and queue order (DMA queues order issue only): a lower bound of latency. */
function criticalPath(tl: Timeline): { ids: number[]; lengthNs: number } {
  const { program, entries } = tl;
  const n = entries.length;
  const eft = new Float64Array(n);
  const est = new Float64Array(n);
  const pred = new Int32Array(n).fill(-1);
  const prevInQueue = new Int32Array(n).fill(-1);
  for (const list of Object.values(program.queues))
    for (let k = 1; k < list!.length; k++) prevInQueue[list![k]] = list![k - 1];
  const order = [...entries].sort((a, b) => a.start - b.start || a.id - b.id);
  for (const e of order) {
    const ins = program.instrs[e.id];
    let s = 0;
    let p = -1;
    for (const w of ins.waits) {
      const on = program.queues[w.queue]![w.count - 1];
      if (eft[on] > s) [s, p] = [eft[on], on];
    }
    const q = prevInQueue[e.id];
    if (q >= 0) {
      const t = ins.engine === 'dma' ? est[q] : eft[q];
      if (t > s) [s, p] = [t, q];
    }
    est[e.id] = s;
    eft[e.id] = s + (e.end - e.start);
    pred[e.id] = p;
  }
  let last = -1;
  for (let i = 0; i < n; i++) if (last < 0 || eft[i] > eft[last]) last = i;
  const ids: number[] = [];
  for (let i = last; i >= 0; i = pred[i]) ids.push(i);
  return { ids: ids.reverse(), lengthNs: last >= 0 ? eft[last] : 0 };
}

/** Everything reports show, derived from the Timeline. */
export function summarize(tl: Timeline): TimelineSummary {
  const { program, entries, latencyNs } = tl;
  const chip = program.chip;
  const busyIntervals: Record<ReportedEngine, { start: number; end: number; next: TimelineEntry }[]> = {
    tensor: [],
    vector: [],
    scalar: [],
    gpsimd: [],
    dma: [],
  };
  const flops = { tensor: 0, vector: 0, scalar: 0, gpsimd: 0 };
  let hbmBytes = 0;
  let ideal = 0;
  let model = 0;
  for (const e of entries) {
    const ins = program.instrs[e.id];
    const ir = program.ir.instrs[e.id];
    if (e.engine === 'tensor' || e.engine === 'vector' || e.engine === 'scalar' || e.engine === 'gpsimd') {
      busyIntervals[e.engine].push({ start: e.start, end: e.end, next: e });
      const f = opDef(ir.op).flops(ir.ins, ir.outs, ir.attrs as never);
      flops[e.engine] += f;
      if (e.engine === 'tensor' && ins.op === 'ncMatmul') {
        ideal += f / tensorPeak(ins, chip);
        if (!(ir.attrs as { isTranspose?: boolean }).isTranspose) model += f / tensorPeak(ins, chip);
      }
    }
    if (isHbmTransfer(ins)) hbmBytes += transferBytes(ins);
  }
  const dmaByTransfer = new Map<number, DmaSlice[]>();
  for (const s of tl.dma) {
    const list = dmaByTransfer.get(s.id) ?? [];
    list.push(s);
    dmaByTransfer.set(s.id, list);
  }
  for (const [id, slices] of dmaByTransfer) {
    const start = Math.min(...slices.map((s) => s.start));
    const end = Math.max(...slices.map((s) => s.end));
    busyIntervals.dma.push({ start, end, next: entries[id] });
  }
  const busyNs = Object.fromEntries(
    REPORTED_ENGINES.map((k) => [
      k,
      k === 'dma'
        ? union(tl.dma.map((s) => [s.start, s.end] as const))
        : union(busyIntervals[k].map((b) => [b.start, b.end] as const)),
    ]),
  ) as Record<ReportedEngine, number>;
  const active = Object.fromEntries(
    REPORTED_ENGINES.map((k) => [k, latencyNs > 0 ? busyNs[k] / latencyNs : 0]),
  ) as Record<ReportedEngine, number>;
  const idle = REPORTED_ENGINES.map((k) =>
    idleOf(
      k,
      [...busyIntervals[k]].sort((a, b) => a.start - b.start),
      latencyNs,
      program,
    ),
  );
  return {
    latencyNs,
    instructions: entries.length,
    active,
    busyNs,
    flops,
    hbmBytes,
    hfu: latencyNs > 0 ? ideal / latencyNs : 0,
    mfu: latencyNs > 0 ? model / latencyNs : 0,
    mbu: latencyNs > 0 ? hbmBytes / chip.peaks.dmaBytesPerNs / latencyNs : 0,
    criticalPath: criticalPath(tl),
    idle,
  };
}
