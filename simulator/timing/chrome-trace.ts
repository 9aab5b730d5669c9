import type { PhysAccess } from '../../codegen/program.ts';
import { formatLoc } from '../../ir/loc.ts';
import type { Timeline } from './timeline.ts';

/**
 * The Timeline as Chrome trace event JSON (the "JSON Object Format" that chrome://tracing and ui.perfetto.dev open):
 * one process for the core, one thread (track) per engine queue, DMA queue and DMA engine; every instruction a
 * complete ("X") event with its op, source line and operands. Times are microseconds, as the format requires.
 */
export interface TraceEvent {
  readonly name: string;
  readonly ph: 'X' | 'M';
  readonly pid: number;
  readonly tid: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly cat?: string;
  readonly args?: Record<string, unknown>;
}

export interface ChromeTrace {
  readonly traceEvents: readonly TraceEvent[];
  readonly displayTimeUnit: 'ns';
  readonly otherData: Record<string, unknown>;
}

const ENGINE_TRACKS: Record<string, number> = { tensor: 1, vector: 2, scalar: 3, gpsimd: 4, sync: 5 };

function describeAccess(a: PhysAccess): string {
  const where =
    a.space === 'hbm'
      ? `hbm@${a.byteOffset}`
      : `${a.space}[p${a.startPartition}+${a.partitions}]@${a.byteOffset}`;
  return `${a.dtype}${where}[${a.dims.map(([s, n]) => `${n}:${s}`).join(',')}]`;
}

export function toChromeTrace(tl: Timeline, title: string): ChromeTrace {
  const { program } = tl;
  const events: TraceEvent[] = [];
  const tids = new Map<string, number>();
  const track = (name: string): number => {
    let tid = tids.get(name);
    if (tid === undefined) {
      tid =
        ENGINE_TRACKS[name] ??
        (name.startsWith('dma') && !name.startsWith('dma engine')
          ? 100 + Number(name.slice(3))
          : 200 + tids.size);
      tids.set(name, tid);
    }
    return tid;
  };
  for (const e of tl.entries) {
    const ins = program.instrs[e.id];
    events.push({
      name: ins.op,
      cat: ins.engine,
      ph: 'X',
      pid: 0,
      tid: track(e.queue),
      ts: e.start / 1000,
      dur: Math.max(0, e.end - e.start) / 1000,
      args: {
        id: e.id,
        source: formatLoc(e.loc),
        outs: ins.outs.map(describeAccess),
        ins: ins.ins.map(describeAccess),
        waitedFor: e.cause.kind === 'dependency' ? `#${e.cause.instr} (${e.cause.dep})` : e.cause.kind,
      },
    });
  }
  for (const s of tl.dma) {
    events.push({
      name: program.instrs[s.id].op,
      cat: 'dma',
      ph: 'X',
      pid: 0,
      tid: track(`dma engine ${s.engine}`),
      ts: s.start / 1000,
      dur: (s.end - s.start) / 1000,
      args: { id: s.id, source: formatLoc(program.instrs[s.id].loc) },
    });
  }
  const meta: TraceEvent[] = [
    {
      name: 'process_name',
      ph: 'M',
      pid: 0,
      tid: 0,
      args: { name: `${title} on ${program.chip.name} (${program.chip.core})` },
    },
  ];
  for (const [name, tid] of tids) {
    meta.push({
      name: 'thread_name',
      ph: 'M',
      pid: 0,
      tid,
      args: {
        name: name.startsWith('dma') && !name.startsWith('dma engine') ? `DMA queue ${name.slice(3)}` : name,
      },
    });
    meta.push({ name: 'thread_sort_index', ph: 'M', pid: 0, tid, args: { sort_index: tid } });
  }
  return {
    traceEvents: [...meta, ...events],
    displayTimeUnit: 'ns',
    otherData: { kernel: title, chip: program.chip.name, latencyNs: tl.latencyNs },
  };
}
