import type { PhysAccess, ProgInstr } from '../../codegen/program.ts';
import type { ChipConfig } from '../chips/types.ts';

/**
 * DMA transfer model (neuroncore.md §3.8, §3.9 [A1, PD, PB]): a transfer is split over the engines that serve its
 * partitions (ceil(P / partitionsPerEngine), all 16 for 128 partitions); each engine moves its share as descriptors,
 * one per contiguous chunk, paying `descriptorOverheadNs` per descriptor plus bytes / its bandwidth (capped by the
 * core's HBM share when HBM is involved). The fixed cost (descriptor setup + semaphore) is latency before the data
 * moves and overlaps other transfers.
 */
export interface TransferShape {
  readonly bytes: number;
  readonly descriptors: number;
  readonly engines: number;
  readonly touchesHbm: boolean;
}

/** Elements in the longest contiguous run of an access (within one partition on chip). */
export function contiguousRun(a: PhysAccess): number {
  let run = 1;
  for (let d = a.dims.length - 1; d >= 0; d--) {
    const [stride, size] = a.dims[d];
    if (size === 1) continue;
    if (stride !== run) break;
    run *= size;
  }
  return run;
}

function elements(a: PhysAccess): number {
  let n = a.partitions;
  for (const [, size] of a.dims) n *= size;
  return n;
}

export function transferShape(i: ProgInstr, chip: ChipConfig): TransferShape {
  const src = i.ins[0];
  const dst = i.outs[0];
  // The smaller side: an indirect DMA's indexed operand is the whole tensor, but only the other side's rows move.
  const n = Math.min(elements(src), elements(dst));
  const run = Math.max(1, Math.min(contiguousRun(src), contiguousRun(dst)));
  const onChip = [src, dst].filter((a) => a.space !== 'hbm');
  const partitions = onChip.length
    ? Math.max(...onChip.map((a) => a.partitions))
    : chip.dma.engines * chip.dma.partitionsPerEngine;
  return {
    bytes: n * Math.max(src.elemBytes, dst.elemBytes),
    descriptors: Math.ceil(n / run),
    engines: Math.min(chip.dma.engines, Math.ceil(partitions / chip.dma.partitionsPerEngine)),
    touchesHbm: src.space === 'hbm' || dst.space === 'hbm',
  };
}

/** Engine time (ns) for one engine's share of a transfer. */
export function perEngineNs(t: TransferShape, chip: ChipConfig): number {
  const bw = t.touchesHbm
    ? Math.min(chip.dma.bytesPerNsPerEngine, chip.hbm.bandwidthBytesPerNs / chip.dma.engines)
    : chip.dma.bytesPerNsPerEngine;
  const desc = Math.ceil(t.descriptors / t.engines);
  return desc * chip.dma.descriptorOverheadNs + t.bytes / t.engines / bw;
}
