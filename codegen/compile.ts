import type { OpName } from '../ir/ops/index.ts';
import { opDef } from '../ir/ops/index.ts';
import type { KernelIR } from '../ir/types.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { allocate } from './allocate.ts';
import { DependencyTracker } from './deps.ts';
import { assignEngine, queueFor } from './engines.ts';
import { lowerView, regionOf } from './lower.ts';
import type { ProgInstr, Program, QueueId, Wait } from './program.ts';

/**
 * IR → Program, in order: engine and queue assignment, SBUF/PSUM/HBM allocation, lowering of views to physical
 * access patterns, dependency analysis into per-queue semaphore waits.
 */
export interface CompileOptions {
  /** Rotating slots per loop allocation site (2 = double buffering; 1 = reuse a dead tile at once). */
  readonly multiBuffer?: number;
}

export function compile(ir: KernelIR, chip: ChipConfig, opts: CompileOptions = {}): Program {
  const { placements, hbmBytes } = allocate(ir, chip, opts.multiBuffer);
  const deps = new DependencyTracker();
  const queues: Partial<Record<QueueId, number[]>> = {};
  const position: { queue: QueueId; index: number }[] = [];
  const dmaCounter = { loads: 0, stores: 0 };
  const instrs: ProgInstr[] = ir.instrs.map((ins) => {
    const engine = assignEngine(ins);
    const queue = queueFor(ins, chip, dmaCounter);
    const list = (queues[queue] ??= []);
    const index = list.length;
    list.push(ins.id);
    position[ins.id] = { queue, index };
    const lower = (v: (typeof ins.ins)[number]) => lowerView(v, ir.buffers[v.buffer], placements[v.buffer]!);
    const pins = ins.ins.map(lower);
    const pouts = ins.outs.map(lower);
    const def = opDef(ins.op);
    const readsOut = def.readsOutputs?.(ins.attrs) ?? false;
    const reads = [...pins, ...(readsOut ? pouts : [])].map((a) => ({ space: a.space, region: regionOf(a) }));
    const writes = pouts.map((a) => ({ space: a.space, region: regionOf(a) }));
    const waitsByQueue = new Map<QueueId, Wait>();
    let chained = false;
    const dataDeps = deps.access(ins.id, queue, reads, writes);
    const control = (ins.after ?? []).map((on) => ({ on, kind: 'ORDER' as const }));
    for (const d of [...dataDeps, ...control]) {
      const p = position[d.on];
      if (p.queue === queue) {
        if (p.index === index - 1 && d.kind === 'RAW') chained = true;
        continue;
      }
      const prev = waitsByQueue.get(p.queue);
      if (!prev || prev.count < p.index + 1)
        waitsByQueue.set(p.queue, { queue: p.queue, count: p.index + 1, on: d.on, kind: d.kind });
    }
    return Object.freeze({
      id: ins.id,
      op: ins.op as OpName,
      engine,
      queue,
      index,
      ins: Object.freeze(pins),
      outs: Object.freeze(pouts),
      attrs: ins.attrs,
      waits: Object.freeze([...waitsByQueue.values()]),
      chained,
      loc: ins.loc,
    });
  });
  return Object.freeze({
    chip,
    ir,
    placements: Object.freeze(placements),
    instrs: Object.freeze(instrs),
    queues: Object.freeze(queues),
    hbmBytes,
  });
}
