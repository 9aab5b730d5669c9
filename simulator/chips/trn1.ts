import { defineChip } from './define.ts';
import type { ChipLeafPath } from './rules.ts';
import type { ChipConfig } from './types.ts';
import { GiB, KiB } from './units.ts';

/**
 * Trainium (trn1) / Inferentia2: one NeuronCore-v2. Every value cites neuroncore.md (section and source key);
 * where sources disagree the choice is stated beside the value and in `sources`.
 */
export const trn1: ChipConfig = defineChip({
  name: 'trn1',
  core: 'NeuronCore-v2',
  generation: 2, // neuroncore.md §1.2 [IN], §2.2 [IL]: gen2 = trn1/inf2
  sbuf: {
    partitions: 128, // neuroncore.md §1.3 [A1]
    bytesPerPartition: 192 * KiB, // neuroncore.md §1.3 [A1]: 24 MiB = 128 x 192 KiB
    reservedBytesPerPartition: 16 * KiB, // neuroncore.md §1.3 [PAL]; usable 180224 B agrees with [KLR]
    minAlignBytes: 1, // neuroncore.md §1.5 [KLR] sbuf_min_align
  },
  psum: {
    partitions: 128, // neuroncore.md §1.3 [A1]
    banks: 8, // neuroncore.md §1.3 [A1], §1.5 [TS]
    bankBytesPerPartition: 2 * KiB, // neuroncore.md §1.3 [A1]: 512 fp32
    minAlignBytes: 4, // neuroncore.md §1.5 [KLR] psum_min_align
  },
  hbm: {
    bytesPerCore: 16 * GiB, // neuroncore.md §1.3, §3.1 [A1]: 32 GiB per chip / 2 cores
    bandwidthBytesPerNs: 410, // neuroncore.md §3.8 [PB]: ~410 GB/s per core (= 820 GB/s per chip [A1] / 2)
  },
  dma: {
    engines: 16, // neuroncore.md §3.8 [A1, PD]
    queuesPerEngine: 16, // neuroncore.md §3.8 [A1]
    // Chosen: the bandwidth guide's per-generation 17 B/ns over A1's 27 GiB/s / PD's 27.2 GB/s (neuroncore.md §6).
    bytesPerNsPerEngine: 17, // neuroncore.md §3.8 [PB]
    fixedCostNs: 1300, // neuroncore.md §3.8 [PD]
    // calibration.md §3: large transfers reach ~70 % DMA utilisation; at the recommended 2 KiB per partition that is
    // 2048 B / 17 B/ns x (1 / 0.7 - 1) = 52 ns of engine time per descriptor.
    descriptorOverheadNs: 52,
    overheadBoundBytesPerPartition: 256, // neuroncore.md §3.8 [PB]
    minEfficientBytesPerPartition: 2 * KiB, // neuroncore.md §3.8 [PB]
    saturatingBytesPerPartition: 4 * KiB, // neuroncore.md §3.8 [PB, PD]
    partitionsPerEngine: 8, // neuroncore.md §3.8 [PD]: 128 partitions / 16 engines
  },
  tensor: {
    clockGHz: 2.8, // neuroncore.md §3.2 [A1]
    rows: 128, // neuroncore.md §3.3 [A1]
    cols: 128, // neuroncore.md §3.3 [A1]
    minInitiationInterval: 64, // neuroncore.md §3.3 [IL]: MM_INIT_LATENCY
    fp32Slowdown: 4, // neuroncore.md §3.3 [IL]
    loadStationarySpeedup: 4, // neuroncore.md §3.3 [PP]
    fp8Speedup: 1, // neuroncore.md §3.2 [A1]: cFP8 at the bf16 rate
    onezeroSpeedup: 2, // neuroncore.md §2.1 [IL] nc_matmul is_*_onezero
    transposeFp32Speedup: 1, // neuroncore.md §2.1 [IN]: on v2 is_transpose only tags the instruction
    stationaryFmax: 128, // neuroncore.md §1.5 [PT] gemm_stationary_fmax
    movingFmax: 512, // neuroncore.md §1.5 [PT] gemm_moving_fmax
  },
  vector: {
    clockGHz: 1.12, // neuroncore.md §3.2 [A1]
    lanes: 128, // neuroncore.md §3.4 [A1]
    minInitiationInterval: 64, // neuroncore.md §2.1, §3.4 [IL]: MIN_II
    staticOverheadCycles: 100, // neuroncore.md §3.4 [A1]
    dependencyLatencyCycles: 100, // calibration.md §3 [PP]: the ACT figure, assumed the same for DVE
  },
  scalar: {
    clockGHz: 1.4, // neuroncore.md §3.2 [A1]
    lanes: 128, // neuroncore.md §3.2, §3.5 [A1]
    minInitiationInterval: 64, // neuroncore.md §3.5 [IL]
    staticOverheadCycles: 100, // calibration.md §3 [PP]: ~100 cycles static overhead
    dependencyLatencyCycles: 100, // calibration.md §3 [PP]: 264-cycle dependent issue = 64 + 100 + 100
    accumulatorReadCycles: 64, // neuroncore.md §3.5 [IL]: ActReadAccumulator
    reduceAddOnly: true, // neuroncore.md §3.5 [A1]
  },
  gpsimd: {
    clockGHz: 1.4, // neuroncore.md §3.2 [A1]
    lanes: 128, // neuroncore.md §3.6 [A1]
    startupCycles: 150, // neuroncore.md §3.6 [A1], §2.1 [IL]: GPSIMD_START
    cores: 8, // neuroncore.md §3.6 [A1]
  },
  access: {
    maxFreeElementsSbuf: 64 * 1024, // neuroncore.md §1.4 [A1]: 64K elements
    maxFreeElementsPsum: 4 * 1024, // neuroncore.md §1.4 [A1]: 4K elements
    maxFreeDims: 4, // neuroncore.md §1.7 [A1, PA]
    wideStrideBytes: 16, // neuroncore.md §3.7 [A1]
    wideStrideSlowdown: 2, // neuroncore.md §3.7 [A1]
    conflicts: {
      vectorGpsimdSbuf: true, // neuroncore.md §3.7 [A1]
      vectorScalarPsum: true, // neuroncore.md §3.7 [A1]
    },
  },
  sources: {
    generation: 'neuroncore.md §1.2 [IN], §2.2 [IL]',
    'sbuf.partitions': 'neuroncore.md §1.3 [A1]',
    'sbuf.bytesPerPartition': 'neuroncore.md §1.3 [A1]',
    'sbuf.reservedBytesPerPartition':
      'neuroncore.md §1.3 [PAL] (usable 180224 B, as [KLR] total_available_sbuf_size)',
    'sbuf.minAlignBytes': 'neuroncore.md §1.5 [KLR]',
    'psum.partitions': 'neuroncore.md §1.3 [A1]',
    'psum.banks': 'neuroncore.md §1.3 [A1], §1.5 [TS]',
    'psum.bankBytesPerPartition': 'neuroncore.md §1.3 [A1]',
    'psum.minAlignBytes': 'neuroncore.md §1.5 [KLR]',
    'hbm.bytesPerCore': 'neuroncore.md §1.3, §3.1 [A1] (32 GiB per chip / 2 cores)',
    'hbm.bandwidthBytesPerNs': 'neuroncore.md §3.8 [PB] (= 820 GB/s per chip [A1] / 2 cores)',
    'dma.engines': 'neuroncore.md §3.8 [A1, PD]',
    'dma.queuesPerEngine': 'neuroncore.md §3.8 [A1]',
    'dma.bytesPerNsPerEngine': 'neuroncore.md §3.8 [PB] (chosen over 27 GiB/s [A1] / 27.2 GB/s [PD]; §6)',
    'dma.fixedCostNs': 'neuroncore.md §3.8 [PD]',
    'dma.descriptorOverheadNs':
      'calibration.md §3 [PP, PB]: ~70 % utilisation at 2 KiB per partition → 2048 / 17 x (1/0.7 - 1) ns',
    'dma.overheadBoundBytesPerPartition': 'neuroncore.md §3.8 [PB]',
    'dma.minEfficientBytesPerPartition': 'neuroncore.md §3.8 [PB]',
    'dma.saturatingBytesPerPartition': 'neuroncore.md §3.8 [PB, PD]',
    'dma.partitionsPerEngine': 'neuroncore.md §3.8 [PD]',
    'tensor.clockGHz': 'neuroncore.md §3.2 [A1]',
    'tensor.rows': 'neuroncore.md §3.3 [A1]',
    'tensor.cols': 'neuroncore.md §3.3 [A1]',
    'tensor.minInitiationInterval': 'neuroncore.md §3.3 [IL]',
    'tensor.fp32Slowdown': 'neuroncore.md §3.3 [IL]',
    'tensor.loadStationarySpeedup': 'neuroncore.md §3.3 [PP]',
    'tensor.fp8Speedup': 'neuroncore.md §3.2 [A1]',
    'tensor.onezeroSpeedup': 'neuroncore.md §2.1 [IL]',
    'tensor.transposeFp32Speedup': 'neuroncore.md §2.1 [IN]',
    'tensor.stationaryFmax': 'neuroncore.md §1.5 [PT]',
    'tensor.movingFmax': 'neuroncore.md §1.5 [PT]',
    'vector.clockGHz': 'neuroncore.md §3.2 [A1]',
    'vector.lanes': 'neuroncore.md §3.4 [A1]',
    'vector.minInitiationInterval': 'neuroncore.md §2.1, §3.4 [IL]',
    'vector.staticOverheadCycles': 'neuroncore.md §3.4 [A1]',
    'vector.dependencyLatencyCycles': 'calibration.md §3 [PP]: the ACT figure, assumed the same for DVE',
    'scalar.clockGHz': 'neuroncore.md §3.2 [A1]',
    'scalar.lanes': 'neuroncore.md §3.2, §3.5 [A1]',
    'scalar.minInitiationInterval': 'neuroncore.md §3.5 [IL]',
    'scalar.staticOverheadCycles': 'calibration.md §3 [PP]',
    'scalar.dependencyLatencyCycles':
      'calibration.md §3 [PP]: dependent 1-element ACT instructions issue every 264 cycles = MIN_II 64 + static overhead 100 + this',
    'scalar.accumulatorReadCycles': 'neuroncore.md §3.5 [IL]',
    'scalar.reduceAddOnly': 'neuroncore.md §3.5 [A1]',
    'gpsimd.clockGHz': 'neuroncore.md §3.2 [A1]',
    'gpsimd.lanes': 'neuroncore.md §3.6 [A1]',
    'gpsimd.startupCycles': 'neuroncore.md §3.6 [A1], §2.1 [IL]',
    'gpsimd.cores': 'neuroncore.md §3.6 [A1]',
    'access.maxFreeElementsSbuf': 'neuroncore.md §1.4 [A1]',
    'access.maxFreeElementsPsum': 'neuroncore.md §1.4 [A1]',
    'access.maxFreeDims': 'neuroncore.md §1.7 [A1, PA]',
    'access.wideStrideBytes': 'neuroncore.md §3.7 [A1]',
    'access.wideStrideSlowdown': 'neuroncore.md §3.7 [A1]',
    'access.conflicts.vectorGpsimdSbuf': 'neuroncore.md §3.7 [A1]',
    'access.conflicts.vectorScalarPsum': 'neuroncore.md §3.7 [A1]',
  } satisfies Partial<Record<ChipLeafPath, string>>,
});
