import { opDef } from '../ir/ops/index.ts';
import type { Instr } from '../ir/types.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import type { QueueId } from './program.ts';

/** Pass 1: each instruction's engine: the user's pin, else the op's default engine (checked legal at trace time). */
export function assignEngine(instr: Instr): Exclude<Instr['engine'], undefined> {
  return instr.engine ?? opDef(instr.op).engines[0];
}

/** DMA transfers rotate over the chip's DMA queues so independent transfers can proceed in parallel. */
export function queueFor(instr: Instr, chip: ChipConfig, dmaCounter: { n: number }): QueueId {
  const engine = assignEngine(instr);
  if (engine !== 'dma') return engine;
  const q = dmaCounter.n++ % chip.dma.queuesPerEngine;
  return `dma${q}`;
}
