/**
 * A NeuronCore as data: every number the simulator's memories, allocator and timing model use. Values and their
 * sources live in the per-chip files (`trn1.ts`, `trn2.ts`); `define.ts` validates them; `rules.ts` says what
 * each value may be. Units are in the names: bytes, ns, GHz, cycles (of the engine's own clock), elements.
 * 1 B/ns = 1 GB/s; FLOP/ns x 1e-3 = TFLOP/s.
 */
export interface ChipConfig {
  /** Short name used on the command line: 'trn1', 'trn2'. */
  readonly name: string;
  /** NeuronCore generation name: 'NeuronCore-v2', 'NeuronCore-v3'. */
  readonly core: string;
  /** NeuronCore generation number (2 for trn1/inf2, 3 for trn2). */
  readonly generation: number;
  readonly sbuf: SbufConfig;
  readonly psum: PsumConfig;
  readonly hbm: HbmConfig;
  readonly dma: DmaConfig;
  readonly tensor: TensorConfig;
  readonly vector: VectorConfig;
  readonly scalar: ScalarConfig;
  readonly gpsimd: GpsimdConfig;
  readonly access: AccessConfig;
  /** Derived by `defineChip` from the fields above (see `derived.ts`); never set directly. */
  readonly peaks: PeaksConfig;
  /** Dotted key (e.g. 'sbuf.bytesPerPartition') -> where the value comes from (e.g. 'neuroncore.md §1.3 [A1]'). */
  readonly sources: Readonly<Record<string, string>>;
}

export interface SbufConfig {
  readonly partitions: number;
  readonly bytesPerPartition: number;
  /** Bytes per partition the compiler/runtime keep; usable = bytesPerPartition - reservedBytesPerPartition. */
  readonly reservedBytesPerPartition: number;
  /** Minimum byte alignment of a free-dim address. */
  readonly minAlignBytes: number;
}

export interface PsumConfig {
  readonly partitions: number;
  readonly banks: number;
  /** One accumulation bank, per partition (512 fp32). */
  readonly bankBytesPerPartition: number;
  /** Minimum byte alignment of a free-dim address. */
  readonly minAlignBytes: number;
}

export interface HbmConfig {
  /** This core's share of the chip's HBM capacity. */
  readonly bytesPerCore: number;
  /** This core's share of the chip's HBM bandwidth. */
  readonly bandwidthBytesPerNs: number;
}

export interface DmaConfig {
  /** DMA engines serving one core; a transfer is split across them. */
  readonly engines: number;
  readonly queuesPerEngine: number;
  /** Peak bandwidth of one engine. */
  readonly bytesPerNsPerEngine: number;
  /** Descriptor setup plus semaphore-to-start, per transfer: latency before data moves (overlaps other transfers). */
  readonly fixedCostNs: number;
  /** Engine time per descriptor (one contiguous chunk); sets the size-efficiency curve chunk / (chunk + overhead x BW). */
  readonly descriptorOverheadNs: number;
  /** Below this many bytes per partition a transfer is overhead-bound. */
  readonly overheadBoundBytesPerPartition: number;
  /** Recommended minimum bytes per partition (approaches peak). */
  readonly minEfficientBytesPerPartition: number;
  /** At or above this many bytes per partition a transfer runs at peak. */
  readonly saturatingBytesPerPartition: number;
  /** Partitions one engine usually covers (128 / 16); engines used = ceil(P / partitionsPerEngine). */
  readonly partitionsPerEngine: number;
  /** Hardware descriptor generation (NeuronCore-v3 on); absent where there is none. */
  readonly hwdge?: HwdgeConfig;
}

export interface HwdgeConfig {
  readonly instances: number;
  /** Issue cost of one hardware-DGE DMA instruction on its triggering engine. */
  readonly instructionCostNs: number;
}

export interface TensorConfig {
  readonly clockGHz: number;
  /** Systolic array rows (contraction K, on partitions). */
  readonly rows: number;
  /** Systolic array columns (stationary free size M = output partitions). */
  readonly cols: number;
  /** Minimum MultiplyMoving initiation interval in PE cycles (MM_INIT_LATENCY). */
  readonly minInitiationInterval: number;
  /** fp32 (and fp32-pair) matmuls take this many times the cycles of bf16. */
  readonly fp32Slowdown: number;
  /** LoadStationary runs this much faster than a MultiplyMoving of the same free size. */
  readonly loadStationarySpeedup: number;
  /** fp8 FLOP rate relative to bf16 (double-row mode does 2x K in the same cycles). */
  readonly fp8Speedup: number;
  /** Speed-up when an fp32 operand is flagged as holding only 0/1 (`is_*_onezero`). */
  readonly onezeroSpeedup: number;
  /** Speed-up of fp32 transposes in `is_transpose` mode (1 = no transpose mode). */
  readonly transposeFp32Speedup: number;
  /** Largest stationary free size (M) of one matmul. */
  readonly stationaryFmax: number;
  /** Largest moving free size (N) of one matmul. */
  readonly movingFmax: number;
  /** Power throttling after idle; absent where the engine starts at full rate. */
  readonly throttle?: ThrottleConfig;
}

export interface ThrottleConfig {
  /** Fraction of peak the engine runs at right after idle. */
  readonly startFraction: number;
  /** Time to ramp from startFraction to full rate. */
  readonly rampNs: number;
  /** Length of the sliding window in which utilisation is watched. */
  readonly windowNs: number;
  /** Utilisation in a window below which the limit re-engages. */
  readonly minUtilization: number;
}

export interface VectorConfig {
  readonly clockGHz: number;
  /** Lanes (one per partition); fewer-lane instructions cost the same. */
  readonly lanes: number;
  /** MIN_II: minimum cycles of any instruction. */
  readonly minInitiationInterval: number;
  /** Extra cycles when back-to-back instructions are tiny or each depends on the previous one. */
  readonly staticOverheadCycles: number;
  /** Further cycles before an instruction can consume its predecessor's result (read-after-write on one engine). */
  readonly dependencyLatencyCycles: number;
  /** Automatic performance-mode speed-ups (NeuronCore-v3 on); absent where there are none. */
  readonly perfModes?: VectorPerfModes;
}

export interface VectorPerfModes {
  /** tensor_copy / tensor_scalar, SBUF -> SBUF, bf16/fp16, contiguous innermost dim. */
  readonly copyScalar: number;
  /** tensor_tensor with both inputs in SBUF, all bf16/fp16. */
  readonly tensorTensor: number;
  /** copy / tensor_scalar as above but with a non-contiguous innermost dim. */
  readonly nonContiguous: number;
  /** copy / tensor_scalar as above but with one side in PSUM. */
  readonly psumOperand: number;
}

export interface ScalarConfig {
  readonly clockGHz: number;
  readonly lanes: number;
  /** MIN_II: minimum cycles of any instruction. */
  readonly minInitiationInterval: number;
  /** Static per-instruction overhead when instructions depend on each other. */
  readonly staticOverheadCycles: number;
  /** Further cycles before an instruction can consume its predecessor's result (read-after-write on one engine). */
  readonly dependencyLatencyCycles: number;
  /** ActReadAccumulator: reading the per-partition reduce accumulators out to [P,1]. */
  readonly accumulatorReadCycles: number;
  /** The fused free-axis reduction supports only add. */
  readonly reduceAddOnly: boolean;
}

export interface GpsimdConfig {
  readonly clockGHz: number;
  /** Effective 32-bit lanes. */
  readonly lanes: number;
  /** GPSIMD_START: fixed cycles before the first element. */
  readonly startupCycles: number;
  /** Programmable cores; core i serves partitions [i*P/cores, (i+1)*P/cores). */
  readonly cores: number;
}

export interface AccessConfig {
  /** Largest free size (elements per partition) of one Vector/Scalar instruction reading SBUF. */
  readonly maxFreeElementsSbuf: number;
  /** Same, reading PSUM. */
  readonly maxFreeElementsPsum: number;
  /** Free dims of one access pattern (plus the partition dim). */
  readonly maxFreeDims: number;
  /** An innermost stride of at least this many bytes runs at reduced bandwidth. */
  readonly wideStrideBytes: number;
  /** How much slower an instruction with a wide innermost stride runs. */
  readonly wideStrideSlowdown: number;
  /** Pairs of engines that cannot access a memory at the same time (the compiler serialises them). */
  readonly conflicts: AccessConflicts;
}

export interface AccessConflicts {
  /** VectorE and GpSimdE cannot access SBUF at the same time. */
  readonly vectorGpsimdSbuf: boolean;
  /** VectorE and ScalarE cannot access PSUM at the same time. */
  readonly vectorScalarPsum: boolean;
}

export interface PeaksConfig {
  /** TensorE peak FLOP/ns per input dtype class (x 1e-3 = TFLOP/s). */
  readonly tensorFlopsPerNs: { readonly bf16: number; readonly fp8: number; readonly fp32: number };
  /** HBM <-> SBUF roof: min(all DMA engines at peak, the core's HBM share). */
  readonly dmaBytesPerNs: number;
}

/** What a chip file passes to `defineChip`: everything but the derived peaks. */
export type ChipSpec = Omit<ChipConfig, 'peaks'>;
