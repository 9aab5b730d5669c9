import type { ChipSpec } from './types.ts';

/** A rule tying several fields together; `text` explains it with the chip's numbers. */
export interface ConsistencyRule {
  readonly keys: readonly [string, ...string[]];
  readonly holds: (c: ChipSpec) => boolean;
  readonly text: (c: ChipSpec) => string;
}

const FP32_BYTES = 4;

export const CONSISTENCY_RULES: readonly ConsistencyRule[] = [
  {
    keys: ['sbuf.reservedBytesPerPartition', 'sbuf.bytesPerPartition'],
    holds: (c) => c.sbuf.reservedBytesPerPartition < c.sbuf.bytesPerPartition,
    text: (c) =>
      `sbuf.reservedBytesPerPartition (${c.sbuf.reservedBytesPerPartition}) must be less than ` +
      `sbuf.bytesPerPartition (${c.sbuf.bytesPerPartition}), or no SBUF is usable`,
  },
  {
    keys: ['dma.overheadBoundBytesPerPartition', 'dma.minEfficientBytesPerPartition'],
    holds: (c) => c.dma.overheadBoundBytesPerPartition <= c.dma.minEfficientBytesPerPartition,
    text: (c) =>
      `dma.overheadBoundBytesPerPartition (${c.dma.overheadBoundBytesPerPartition}) must not exceed ` +
      `dma.minEfficientBytesPerPartition (${c.dma.minEfficientBytesPerPartition})`,
  },
  {
    keys: ['dma.minEfficientBytesPerPartition', 'dma.saturatingBytesPerPartition'],
    holds: (c) => c.dma.minEfficientBytesPerPartition <= c.dma.saturatingBytesPerPartition,
    text: (c) =>
      `dma.minEfficientBytesPerPartition (${c.dma.minEfficientBytesPerPartition}) must not exceed ` +
      `dma.saturatingBytesPerPartition (${c.dma.saturatingBytesPerPartition})`,
  },
  {
    keys: ['tensor.rows', 'sbuf.partitions'],
    holds: (c) => c.tensor.rows <= c.sbuf.partitions,
    text: (c) =>
      `tensor.rows (${c.tensor.rows}) must not exceed sbuf.partitions (${c.sbuf.partitions}): ` +
      'the contraction dim of both matmul operands lies on SBUF partitions',
  },
  {
    keys: ['tensor.cols', 'psum.partitions'],
    holds: (c) => c.tensor.cols <= c.psum.partitions,
    text: (c) =>
      `tensor.cols (${c.tensor.cols}) must not exceed psum.partitions (${c.psum.partitions}): ` +
      'each PE column writes one PSUM partition',
  },
  {
    keys: ['tensor.stationaryFmax', 'tensor.cols'],
    holds: (c) => c.tensor.stationaryFmax <= c.tensor.cols,
    text: (c) =>
      `tensor.stationaryFmax (${c.tensor.stationaryFmax}) must not exceed tensor.cols (${c.tensor.cols}): ` +
      'the stationary free dim becomes the output partitions',
  },
  {
    keys: ['tensor.movingFmax', 'psum.bankBytesPerPartition'],
    holds: (c) => c.tensor.movingFmax * FP32_BYTES <= c.psum.bankBytesPerPartition,
    text: (c) =>
      `tensor.movingFmax (${c.tensor.movingFmax}) fp32 results (${c.tensor.movingFmax * FP32_BYTES} B) must fit ` +
      `one PSUM bank (psum.bankBytesPerPartition = ${c.psum.bankBytesPerPartition})`,
  },
];
