import { opDef } from '../ir/ops/index.ts';
import type { Instr } from '../ir/types.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import type { QueueId } from './program.ts';

/** Pass 1: each instruction's engine: the user's pin, else the op's default engine (checked legal at trace time). */
export function assignEngine(instr: Instr): Exclude<Instr['engine'], undefined> {
  return instr.engine ?? opDef(instr.op).engines[0];
}

/**
 * DMA transfers rotate over the chip's DMA queues so independent transfers proceed in parallel. Transfers into
 * on-chip memory (loads) and out of it (stores) use separate halves of the queues, as NKI's input and output
 * queues do (neuroncore.md §3.8 [EXS]: qSyncIO input/output queue types), so a store waiting for compute never
 * holds up the next iteration's loads behind it in a FIFO.
 */
export function queueFor(
  instr: Instr,
  chip: ChipConfig,
  dmaCounter: { loads: number; stores: number },
): QueueId {
  const engine = assignEngine(instr);
  if (engine !== 'dma') return engine;
  const half = Math.max(1, Math.floor(chip.dma.queuesPerEngine / 2));
  const load = instr.outs[0]?.space !== 'hbm';
  const q = load
    ? dmaCounter.loads++ % half
    : half + (dmaCounter.stores++ % Math.max(1, chip.dma.queuesPerEngine - half));
  return `dma${q}`;
}
