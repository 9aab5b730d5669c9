import type { ChipConfig, ChipSpec, PeaksConfig } from './types.ts';

/**
 * The derived peaks and where each comes from. TensorE: rows x cols PEs, one MAC (2 FLOP) each per cycle:
 * 128 x 128 x 2 x 2.8 GHz = 91,750 FLOP/ns = 91.75 TFLOP/s on NeuronCore-v2, 78.6 at 2.4 GHz on v3, matching
 * the published per-core ~92 and 79 TFLOP/s (neuroncore.md §3.2 [A1, A2]). fp8 = bf16 x tensor.fp8Speedup
 * (v3: 158 TFLOP/s); fp32 = bf16 / tensor.fp32Slowdown (v2: 23, v3: 20 TFLOP/s).
 */
export const PEAK_SOURCES = {
  'peaks.tensorFlopsPerNs.bf16':
    'derived: tensor.rows x tensor.cols x 2 FLOP x tensor.clockGHz; neuroncore.md §3.2',
  'peaks.tensorFlopsPerNs.fp8': 'derived: peaks bf16 x tensor.fp8Speedup; neuroncore.md §3.2, §3.3',
  'peaks.tensorFlopsPerNs.fp32': 'derived: peaks bf16 / tensor.fp32Slowdown; neuroncore.md §3.2, §3.3',
  'peaks.dmaBytesPerNs':
    'derived: min(dma.engines x dma.bytesPerNsPerEngine, hbm.bandwidthBytesPerNs); neuroncore.md §3.8, §3.9',
} as const;

export function derivePeaks(c: Omit<ChipSpec, 'sources'>): PeaksConfig {
  const bf16 = c.tensor.rows * c.tensor.cols * 2 * c.tensor.clockGHz;
  return {
    tensorFlopsPerNs: { bf16, fp8: bf16 * c.tensor.fp8Speedup, fp32: bf16 / c.tensor.fp32Slowdown },
    dmaBytesPerNs: Math.min(c.dma.engines * c.dma.bytesPerNsPerEngine, c.hbm.bandwidthBytesPerNs),
  };
}

/** SBUF bytes per partition a kernel may allocate (total minus the reserved part). */
export function usableSbufBytesPerPartition(chip: Pick<ChipConfig, 'sbuf'>): number {
  return chip.sbuf.bytesPerPartition - chip.sbuf.reservedBytesPerPartition;
}

/** PSUM bytes per partition (all banks). */
export function psumBytesPerPartition(chip: Pick<ChipConfig, 'psum'>): number {
  return chip.psum.banks * chip.psum.bankBytesPerPartition;
}
