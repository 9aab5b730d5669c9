import type { ProgInstr, Program, QueueId } from '../../codegen/program.ts';
import { KernelError } from '../../ir/errors.ts';
import type { ChipConfig } from '../chips/types.ts';
import { COSTS, clockGHz, dependencyOverheadCycles, wideStrideFactor } from './cost.ts';
import { perEngineNs, transferShape } from './dma.ts';
import type { DmaSlice, StartCause, Timeline, TimelineEntry } from './timeline.ts';

/** Memory ports two engines cannot use at once on NeuronCore-v2 (neuroncore.md §3.7 [A1]). */
function portsOf(i: ProgInstr, chip: ChipConfig): string[] {
  const ports: string[] = [];
  const touches = (space: string) => [...i.ins, ...i.outs].some((a) => a.space === space);
  if (
    chip.access.conflicts.vectorGpsimdSbuf &&
    (i.engine === 'vector' || i.engine === 'gpsimd') &&
    touches('sbuf')
  )
    ports.push('sbuf:vector+gpsimd');
  if (
    chip.access.conflicts.vectorScalarPsum &&
    (i.engine === 'vector' || i.engine === 'scalar') &&
    touches('psum')
  )
    ports.push('psum:vector+scalar');
  return ports;
}

/** TensorE throttling after idle (neuroncore.md §3.3 [EXS], trn2): rate ramps from startFraction to 1 over rampNs. */
class Throttle {
  private warmSince = Number.NEGATIVE_INFINITY;
  private lastEnd = Number.NEGATIVE_INFINITY;
  constructor(private readonly chip: ChipConfig) {}

  duration(start: number, ns: number): number {
    const t = this.chip.tensor.throttle;
    if (!t) return ns;
    if (start - this.lastEnd > t.windowNs * (1 - t.minUtilization)) this.warmSince = start;
    const ramp = Math.min(1, (start - this.warmSince) / t.rampNs);
    const d = ns / (t.startFraction + (1 - t.startFraction) * ramp);
    this.lastEnd = start + d;
    return d;
  }
}

/**
 * Event-driven execution of a Program: each queue issues in order; an instruction starts when its queue is free,
 * its semaphore waits are satisfied and its memory port is free; the earliest-ready queue head goes first (ties in
 * queue order), so runs are deterministic. `onIssue` runs the instruction's semantics (functional mode) in an
 * order that respects every dependency. Timing never depends on values, so both modes give the same Timeline.
 */
export function schedule(program: Program, onIssue?: (i: ProgInstr) => void): Timeline {
  const { chip } = program;
  const queueIds = Object.keys(program.queues) as QueueId[];
  const lists = queueIds.map((q) => program.queues[q]!);
  const heads = new Int32Array(queueIds.length);
  const queueFree = new Float64Array(queueIds.length);
  const completion = new Float64Array(program.instrs.length).fill(Number.NaN);
  const entries: TimelineEntry[] = new Array(program.instrs.length);
  const dma: DmaSlice[] = [];
  const dmaFree = new Float64Array(chip.dma.engines);
  const ports = new Map<string, number>();
  const throttle = new Throttle(chip);
  /** Completion of the `count`-th instruction of a queue (in-order completion per queue). */
  const doneAt = (q: QueueId, count: number) => completion[program.queues[q]![count - 1]];

  for (let remaining = program.instrs.length; remaining > 0; remaining--) {
    let best = -1;
    let bestReady = Number.POSITIVE_INFINITY;
    let bestCause: StartCause = { kind: 'start' };
    for (let qi = 0; qi < lists.length; qi++) {
      const h = heads[qi];
      if (h >= lists[qi].length) continue;
      const ins = program.instrs[lists[qi][h]];
      let ready = queueFree[qi];
      let cause: StartCause = h > 0 ? { kind: 'queue' } : { kind: 'start' };
      let blocked = false;
      for (const w of ins.waits) {
        const t = doneAt(w.queue, w.count);
        if (Number.isNaN(t)) {
          blocked = true;
          break;
        }
        if (t > ready) {
          ready = t;
          cause = { kind: 'dependency', instr: program.queues[w.queue]![w.count - 1], dep: w.kind };
        }
      }
      if (!blocked && ready < bestReady) {
        best = qi;
        bestReady = ready;
        bestCause = cause;
      }
    }
    if (best < 0) throw deadlock(program, queueIds, heads, completion);
    const q = queueIds[best];
    const ins = program.instrs[lists[best][heads[best]]];
    let start = bestReady;
    let cause: StartCause = bestCause;
    let end: number;
    const rule = COSTS[ins.op];
    if (rule.kind === 'dma') {
      const shape = transferShape(ins, chip);
      const pieceNs = perEngineNs(shape, chip);
      const order = Array.from(dmaFree.keys()).sort((a, b) => dmaFree[a] - dmaFree[b] || a - b);
      const dataReady = start + chip.dma.fixedCostNs;
      end = dataReady;
      for (const e of order.slice(0, shape.engines)) {
        const s = Math.max(dataReady, dmaFree[e]);
        dmaFree[e] = s + pieceNs;
        end = Math.max(end, s + pieceNs);
        dma.push({ engine: e, id: ins.id, start: s, end: s + pieceNs });
      }
      queueFree[best] = start;
    } else {
      for (const p of portsOf(ins, chip)) {
        const free = ports.get(p) ?? 0;
        if (free > start) {
          start = free;
          cause = { kind: 'port', port: p };
        }
      }
      const cycles =
        rule.cycles(ins, chip) * (ins.engine === 'tensor' ? 1 : wideStrideFactor(ins, chip)) +
        dependencyOverheadCycles(ins, chip);
      let ns = cycles / clockGHz(ins.engine, chip);
      if (ins.engine === 'tensor') ns = throttle.duration(start, ns);
      end = start + ns;
      for (const p of portsOf(ins, chip)) ports.set(p, end);
      queueFree[best] = end;
    }
    const prev = heads[best] > 0 ? completion[lists[best][heads[best] - 1]] : 0;
    completion[ins.id] = Math.max(end, prev);
    entries[ins.id] = {
      id: ins.id,
      op: ins.op,
      engine: ins.engine,
      queue: q,
      start,
      end: completion[ins.id],
      cause,
      loc: ins.loc,
    };
    heads[best]++;
    onIssue?.(ins);
  }
  let latency = 0;
  for (const e of entries) latency = Math.max(latency, e.end);
  return { program, entries, dma, latencyNs: latency };
}

function deadlock(
  program: Program,
  queueIds: QueueId[],
  heads: Int32Array,
  completion: Float64Array,
): KernelError {
  for (let qi = 0; qi < queueIds.length; qi++) {
    const list = program.queues[queueIds[qi]]!;
    if (heads[qi] >= list.length) continue;
    const ins = program.instrs[list[heads[qi]]];
    const w = ins.waits.find((x) => Number.isNaN(completion[program.queues[x.queue]![x.count - 1]]));
    if (!w) continue;
    const other = program.instrs[w.on];
    return new KernelError(
      'TK0601',
      `${ins.op} #${ins.id} on ${queueIds[qi]} waits for ${w.queue} to complete ${w.count} instructions, which can never happen`,
      ins.loc,
      [
        {
          message: `it waits (${w.kind}) on ${other.op} #${other.id}, which is queued behind it`,
          loc: other.loc,
        },
      ],
    );
  }
  return new KernelError('TK0601', 'no queue can issue', program.ir.loc);
}
