import { defineChip } from './define.ts';
import type { ChipLeafPath } from './rules.ts';
import type { ChipConfig } from './types.ts';
import { GiB, KiB } from './units.ts';

/** Usable SBUF bytes per partition hard-coded by the open-source tracer: neuroncore.md §1.3, §1.5 [KLR]. */
const KLR_USABLE_SBUF_BYTES = 212984;

/**
 * Trainium2 (trn2): one NeuronCore-v3 (LNC=1; LNC=2 pairs two of them). Every value cites neuroncore.md (section
 * and source key). Where v3 has no published figure of its own, the v2 figure is used and the citation says so.
 */
export const trn2: ChipConfig = defineChip({
  name: 'trn2',
  core: 'NeuronCore-v3',
  generation: 3, // neuroncore.md §1.2 [IN], §2.2 [IL]: gen3 = trn2
  sbuf: {
    partitions: 128, // neuroncore.md §1.3 [A2]
    bytesPerPartition: 224 * KiB, // neuroncore.md §1.3 [A2]: 28 MiB = 128 x 224 KiB
    // The reserved part is not documented for v3; taken from KLR's usable size: 229376 - 212984 = 16392 B.
    reservedBytesPerPartition: 224 * KiB - KLR_USABLE_SBUF_BYTES, // neuroncore.md §1.3 [KLR]
    minAlignBytes: 1, // neuroncore.md §1.5 [KLR] sbuf_min_align
  },
  psum: {
    partitions: 128, // neuroncore.md §1.3 [A2]
    banks: 8, // neuroncore.md §1.3 [A2], §1.5 [TS]
    bankBytesPerPartition: 2 * KiB, // neuroncore.md §1.3 [A2]
    minAlignBytes: 4, // neuroncore.md §1.5 [KLR] psum_min_align
  },
  hbm: {
    bytesPerCore: 12 * GiB, // neuroncore.md §1.3, §3.1 [A2]: 96 GiB per chip / 8 cores
    // Chosen: the midpoint of the bandwidth guide's ~362-375 GB/s per core, i.e. 2.9 TB/s [A7] or 3 TB/s [A2] / 8.
    bandwidthBytesPerNs: 368.5, // neuroncore.md §3.8 [PB], §6
  },
  dma: {
    engines: 16, // neuroncore.md §3.8 [A2, PD]
    queuesPerEngine: 16, // neuroncore.md §3.8 [A1] (v2/v3)
    // Chosen: the bandwidth guide's per-generation 23 B/ns over PD's 27.2 GB/s (neuroncore.md §6).
    bytesPerNsPerEngine: 23, // neuroncore.md §3.8 [PB]
    // Measured on trn2: one engine moving 32 KiB HBM -> SBUF took 1416 ns (neuroncore.md §3.8, calibration.md §3).
    fixedCostNs: 1300, // neuroncore.md §3.8 [PD]
    // calibration.md §3: large transfers reach ~70 % DMA utilisation; at the recommended 2 KiB per partition that is
    // 2048 B / 23 B/ns x (1 / 0.7 - 1) = 38 ns of engine time per descriptor.
    descriptorOverheadNs: 38,
    overheadBoundBytesPerPartition: 256, // neuroncore.md §3.8 [PB]
    minEfficientBytesPerPartition: 2 * KiB, // neuroncore.md §3.8 [PB]
    saturatingBytesPerPartition: 4 * KiB, // neuroncore.md §3.8 [PB, PD]
    partitionsPerEngine: 8, // neuroncore.md §3.8 [PD]: 128 partitions / 16 engines
    hwdge: {
      instances: 2, // neuroncore.md §3.8 [PG]
      instructionCostNs: 600, // neuroncore.md §3.8 [PG], §2.2 [IL]
    },
  },
  tensor: {
    clockGHz: 2.4, // neuroncore.md §3.2 [A2]
    rows: 128, // neuroncore.md §3.3 [A2]
    cols: 128, // neuroncore.md §3.3 [A2]
    minInitiationInterval: 64, // neuroncore.md §3.3 [IL], §3.9: v2 figure, the sketch uses it for v3 too
    fp32Slowdown: 4, // neuroncore.md §3.2 [A2]: 20 vs 79 TFLOP/s; §3.3 [IL]
    loadStationarySpeedup: 4, // neuroncore.md §3.3 [PP]
    fp8Speedup: 2, // neuroncore.md §3.2, §3.3 [A2]: double-row FP8, 158 vs 79 TFLOP/s
    onezeroSpeedup: 2, // neuroncore.md §2.1 [IL] nc_matmul is_*_onezero
    transposeFp32Speedup: 2, // neuroncore.md §2.1 [IN], §3.3 [A2]: transpose mode 2x faster for fp32
    stationaryFmax: 128, // neuroncore.md §1.5 [PT] gemm_stationary_fmax
    movingFmax: 512, // neuroncore.md §1.5 [PT] gemm_moving_fmax (v2/v3)
    throttle: {
      startFraction: 0.5, // neuroncore.md §3.3 [EXS]: ~50% of peak after idle
      rampNs: 3000, // neuroncore.md §3.3 [EXS]: full rate after ~3 us
      windowNs: 3000, // neuroncore.md §3.3 [EXS]: ~3 us window
      minUtilization: 0.5, // neuroncore.md §3.3 [EXS]: re-engages below 50% utilisation
    },
  },
  vector: {
    clockGHz: 0.96, // neuroncore.md §3.2 [A2]
    lanes: 128, // neuroncore.md §3.4 [A1, A2]
    minInitiationInterval: 64, // neuroncore.md §2.1, §3.4 [IL]: MIN_II (v2 figure)
    staticOverheadCycles: 100, // neuroncore.md §3.4 [A1] (v2 figure)
    dependencyLatencyCycles: 100, // calibration.md §3 [PP]: the ACT figure, assumed the same for DVE (v2 figure)
    perfModes: {
      copyScalar: 4, // neuroncore.md §3.4 [A2, EXS]
      tensorTensor: 2, // neuroncore.md §3.4 [A2, EXS]
      nonContiguous: 2, // neuroncore.md §3.4 [A2, EXS]
      psumOperand: 2, // neuroncore.md §3.4 [A2, EXS]
    },
  },
  scalar: {
    clockGHz: 1.2, // neuroncore.md §3.2 [A2]
    lanes: 128, // neuroncore.md §3.2 [A2]
    minInitiationInterval: 64, // neuroncore.md §3.5 [IL] (v2 figure)
    staticOverheadCycles: 100, // calibration.md §3 [PP] (v2 figure)
    dependencyLatencyCycles: 100, // calibration.md §3 [PP]: 264-cycle dependent issue = 64 + 100 + 100 (v2 figure)
    accumulatorReadCycles: 64, // neuroncore.md §3.5 [IL] (v2 figure)
    reduceAddOnly: false, // neuroncore.md §3.5 [A1, A2]: add-only is a v2 limit
  },
  gpsimd: {
    clockGHz: 1.2, // neuroncore.md §3.2 [A2]
    lanes: 128, // neuroncore.md §3.6 [A1, A2]
    startupCycles: 150, // neuroncore.md §3.6 [A1], §2.1 [IL] (v2 figure)
    cores: 8, // neuroncore.md §3.6 [A1, A2]
  },
  access: {
    maxFreeElementsSbuf: 64 * 1024, // neuroncore.md §1.4 [A1] (v2 figure)
    maxFreeElementsPsum: 4 * 1024, // neuroncore.md §1.4 [A1] (v2 figure)
    maxFreeDims: 4, // neuroncore.md §1.7 [A1, PA]
    wideStrideBytes: 16, // neuroncore.md §3.7 [A1] (v2 figure)
    wideStrideSlowdown: 2, // neuroncore.md §3.7 [A1] (v2 figure)
    conflicts: {
      vectorGpsimdSbuf: false, // neuroncore.md §3.7 [A2]: hardware arbitration
      vectorScalarPsum: false, // neuroncore.md §3.7 [A2]: unless both hit the same bank
    },
  },
  sources: {
    generation: 'neuroncore.md §1.2 [IN], §2.2 [IL]',
    'sbuf.partitions': 'neuroncore.md §1.3 [A2]',
    'sbuf.bytesPerPartition': 'neuroncore.md §1.3 [A2]',
    'sbuf.reservedBytesPerPartition': 'neuroncore.md §1.3 [KLR] (229376 - usable 212984)',
    'sbuf.minAlignBytes': 'neuroncore.md §1.5 [KLR]',
    'psum.partitions': 'neuroncore.md §1.3 [A2]',
    'psum.banks': 'neuroncore.md §1.3 [A2], §1.5 [TS]',
    'psum.bankBytesPerPartition': 'neuroncore.md §1.3 [A2]',
    'psum.minAlignBytes': 'neuroncore.md §1.5 [KLR]',
    'hbm.bytesPerCore': 'neuroncore.md §1.3, §3.1 [A2] (96 GiB per chip / 8 cores)',
    'hbm.bandwidthBytesPerNs': 'neuroncore.md §3.8 [PB] (midpoint of 362-375 GB/s per core; §6)',
    'dma.engines': 'neuroncore.md §3.8 [A2, PD]',
    'dma.queuesPerEngine': 'neuroncore.md §3.8 [A1]',
    'dma.bytesPerNsPerEngine': 'neuroncore.md §3.8 [PB] (chosen over 27.2 GB/s [PD]; §6)',
    'dma.fixedCostNs': 'neuroncore.md §3.8 [PD]',
    'dma.descriptorOverheadNs':
      'calibration.md §3 [PP, PB]: ~70 % utilisation at 2 KiB per partition → 2048 / 23 x (1/0.7 - 1) ns',
    'dma.overheadBoundBytesPerPartition': 'neuroncore.md §3.8 [PB]',
    'dma.minEfficientBytesPerPartition': 'neuroncore.md §3.8 [PB]',
    'dma.saturatingBytesPerPartition': 'neuroncore.md §3.8 [PB, PD]',
    'dma.partitionsPerEngine': 'neuroncore.md §3.8 [PD]',
    'dma.hwdge.instances': 'neuroncore.md §3.8 [PG]',
    'dma.hwdge.instructionCostNs': 'neuroncore.md §3.8 [PG], §2.2 [IL]',
    'tensor.clockGHz': 'neuroncore.md §3.2 [A2]',
    'tensor.rows': 'neuroncore.md §3.3 [A2]',
    'tensor.cols': 'neuroncore.md §3.3 [A2]',
    'tensor.minInitiationInterval': 'neuroncore.md §3.3 [IL], §3.9 (v2 figure)',
    'tensor.fp32Slowdown': 'neuroncore.md §3.2 [A2], §3.3 [IL]',
    'tensor.loadStationarySpeedup': 'neuroncore.md §3.3 [PP]',
    'tensor.fp8Speedup': 'neuroncore.md §3.2, §3.3 [A2] (double-row)',
    'tensor.onezeroSpeedup': 'neuroncore.md §2.1 [IL]',
    'tensor.transposeFp32Speedup': 'neuroncore.md §2.1 [IN], §3.3 [A2]',
    'tensor.stationaryFmax': 'neuroncore.md §1.5 [PT]',
    'tensor.movingFmax': 'neuroncore.md §1.5 [PT]',
    'tensor.throttle.startFraction': 'neuroncore.md §3.3 [EXS]',
    'tensor.throttle.rampNs': 'neuroncore.md §3.3 [EXS]',
    'tensor.throttle.windowNs': 'neuroncore.md §3.3 [EXS]',
    'tensor.throttle.minUtilization': 'neuroncore.md §3.3 [EXS]',
    'vector.clockGHz': 'neuroncore.md §3.2 [A2]',
    'vector.lanes': 'neuroncore.md §3.4 [A1, A2]',
    'vector.minInitiationInterval': 'neuroncore.md §2.1, §3.4 [IL] (v2 figure)',
    'vector.staticOverheadCycles': 'neuroncore.md §3.4 [A1] (v2 figure)',
    'vector.dependencyLatencyCycles':
      'calibration.md §3 [PP]: the ACT figure, assumed the same for DVE (v2 figure)',
    'vector.perfModes.copyScalar': 'neuroncore.md §3.4 [A2, EXS]',
    'vector.perfModes.tensorTensor': 'neuroncore.md §3.4 [A2, EXS]',
    'vector.perfModes.nonContiguous': 'neuroncore.md §3.4 [A2, EXS]',
    'vector.perfModes.psumOperand': 'neuroncore.md §3.4 [A2, EXS]',
    'scalar.clockGHz': 'neuroncore.md §3.2 [A2]',
    'scalar.lanes': 'neuroncore.md §3.2 [A2]',
    'scalar.minInitiationInterval': 'neuroncore.md §3.5 [IL] (v2 figure)',
    'scalar.staticOverheadCycles': 'calibration.md §3 [PP] (v2 figure)',
    'scalar.dependencyLatencyCycles':
      'calibration.md §3 [PP]: dependent 1-element ACT instructions issue every 264 cycles = MIN_II 64 + static overhead 100 + this (v2 figure)',
    'scalar.accumulatorReadCycles': 'neuroncore.md §3.5 [IL] (v2 figure)',
    'scalar.reduceAddOnly': 'neuroncore.md §3.5 [A1, A2]',
    'gpsimd.clockGHz': 'neuroncore.md §3.2 [A2]',
    'gpsimd.lanes': 'neuroncore.md §3.6 [A1, A2]',
    'gpsimd.startupCycles': 'neuroncore.md §3.6 [A1], §2.1 [IL] (v2 figure)',
    'gpsimd.cores': 'neuroncore.md §3.6 [A1, A2]',
    'access.maxFreeElementsSbuf': 'neuroncore.md §1.4 [A1] (v2 figure)',
    'access.maxFreeElementsPsum': 'neuroncore.md §1.4 [A1] (v2 figure)',
    'access.maxFreeDims': 'neuroncore.md §1.7 [A1, PA]',
    'access.wideStrideBytes': 'neuroncore.md §3.7 [A1] (v2 figure)',
    'access.wideStrideSlowdown': 'neuroncore.md §3.7 [A1] (v2 figure)',
    'access.conflicts.vectorGpsimdSbuf': 'neuroncore.md §3.7 [A2]',
    'access.conflicts.vectorScalarPsum': 'neuroncore.md §3.7 [A2]',
  } satisfies Partial<Record<ChipLeafPath, string>>,
});
