import type { ChipSpec } from './types.ts';

/** Dotted paths of the number and boolean leaves of T (optional groups included). */
type LeafPaths<T, P extends string = ''> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends number | boolean
    ? `${P}${K}`
    : NonNullable<T[K]> extends string
      ? never
      : LeafPaths<NonNullable<T[K]>, `${P}${K}.`>;
}[keyof T & string];

/** Every settable number/boolean of a chip, e.g. 'dma.engines' (not the derived peaks, not name/core). */
export type ChipLeafPath = LeafPaths<Omit<ChipSpec, 'name' | 'core' | 'sources'>>;

/** What a leaf may hold. `text` reads after "must be": "must be a positive integer". */
export interface LeafRule {
  readonly kind: 'integer' | 'number' | 'boolean';
  readonly min?: number;
  /** min is exclusive (value > min). */
  readonly above?: boolean;
  readonly max?: number;
  readonly multipleOf?: number;
  readonly text: string;
}

const PMAX = 128; // tile_size.pmax: neuroncore.md §1.5 [PT]

const positiveInt: LeafRule = { kind: 'integer', min: 1, text: 'a positive integer' };
const nonNegativeInt: LeafRule = { kind: 'integer', min: 0, text: 'a non-negative integer' };
const positive: LeafRule = { kind: 'number', min: 0, above: true, text: 'a positive number' };
const nonNegative: LeafRule = { kind: 'number', min: 0, text: 'a non-negative number' };
const factor: LeafRule = { kind: 'number', min: 1, text: 'a number >= 1 (a speed-up or slow-down factor)' };
const fractionAbove0: LeafRule = { kind: 'number', min: 0, above: true, max: 1, text: 'a number in (0, 1]' };
const fraction: LeafRule = { kind: 'number', min: 0, max: 1, text: 'a number in [0, 1]' };
const flag: LeafRule = { kind: 'boolean', text: 'true or false' };
const partitionCount: LeafRule = {
  kind: 'integer',
  min: 1,
  max: PMAX,
  text: `an integer from 1 to ${PMAX} (the architecture's partition limit, neuroncore.md §1.5)`,
};
const alignment: LeafRule = { kind: 'integer', min: 1, text: 'a positive integer (bytes)' };
const wordMultiple: LeafRule = {
  kind: 'integer',
  min: 4,
  multipleOf: 4,
  text: 'a positive multiple of 4 bytes',
};

/** The value rule of every leaf. Adding a field to ChipConfig without a rule here is a compile error. */
export const LEAF_RULES = {
  generation: positiveInt,
  'sbuf.partitions': partitionCount,
  'sbuf.bytesPerPartition': positiveInt,
  'sbuf.reservedBytesPerPartition': nonNegativeInt,
  'sbuf.minAlignBytes': alignment,
  'psum.partitions': partitionCount,
  'psum.banks': positiveInt,
  'psum.bankBytesPerPartition': wordMultiple,
  'psum.minAlignBytes': alignment,
  'hbm.bytesPerCore': positiveInt,
  'hbm.bandwidthBytesPerNs': positive,
  'dma.engines': positiveInt,
  'dma.queuesPerEngine': positiveInt,
  'dma.bytesPerNsPerEngine': positive,
  'dma.fixedCostNs': nonNegative,
  'dma.descriptorOverheadNs': nonNegative,
  'dma.overheadBoundBytesPerPartition': positiveInt,
  'dma.minEfficientBytesPerPartition': positiveInt,
  'dma.saturatingBytesPerPartition': positiveInt,
  'dma.partitionsPerEngine': partitionCount,
  'dma.hwdge.instances': positiveInt,
  'dma.hwdge.instructionCostNs': nonNegative,
  'tensor.clockGHz': positive,
  'tensor.rows': partitionCount,
  'tensor.cols': partitionCount,
  'tensor.minInitiationInterval': positiveInt,
  'tensor.fp32Slowdown': factor,
  'tensor.loadStationarySpeedup': factor,
  'tensor.fp8Speedup': factor,
  'tensor.onezeroSpeedup': factor,
  'tensor.transposeFp32Speedup': factor,
  'tensor.stationaryFmax': positiveInt,
  'tensor.movingFmax': positiveInt,
  'tensor.throttle.startFraction': fractionAbove0,
  'tensor.throttle.rampNs': nonNegative,
  'tensor.throttle.windowNs': positive,
  'tensor.throttle.minUtilization': fraction,
  'vector.clockGHz': positive,
  'vector.lanes': positiveInt,
  'vector.minInitiationInterval': positiveInt,
  'vector.staticOverheadCycles': nonNegative,
  'vector.dependencyLatencyCycles': nonNegative,
  'vector.perfModes.copyScalar': factor,
  'vector.perfModes.tensorTensor': factor,
  'vector.perfModes.nonContiguous': factor,
  'vector.perfModes.psumOperand': factor,
  'scalar.clockGHz': positive,
  'scalar.lanes': positiveInt,
  'scalar.minInitiationInterval': positiveInt,
  'scalar.staticOverheadCycles': nonNegative,
  'scalar.dependencyLatencyCycles': nonNegative,
  'scalar.accumulatorReadCycles': nonNegative,
  'scalar.reduceAddOnly': flag,
  'gpsimd.clockGHz': positive,
  'gpsimd.lanes': positiveInt,
  'gpsimd.startupCycles': nonNegative,
  'gpsimd.cores': positiveInt,
  'access.maxFreeElementsSbuf': positiveInt,
  'access.maxFreeElementsPsum': positiveInt,
  'access.maxFreeDims': positiveInt,
  'access.wideStrideBytes': positiveInt,
  'access.wideStrideSlowdown': factor,
  'access.conflicts.vectorGpsimdSbuf': flag,
  'access.conflicts.vectorScalarPsum': flag,
} as const satisfies Record<ChipLeafPath, LeafRule>;

/** Groups that a chip may leave out entirely (a key of the config type marked `?`). */
export const OPTIONAL_GROUPS: readonly string[] = ['dma.hwdge', 'tensor.throttle', 'vector.perfModes'];

/** Why `value` breaks `rule`, or undefined when it does not. */
export function ruleViolation(rule: LeafRule, value: unknown): string | undefined {
  if (rule.kind === 'boolean') return typeof value === 'boolean' ? undefined : `must be ${rule.text}`;
  if (typeof value !== 'number') return `must be a number (${rule.text})`;
  if (!Number.isFinite(value)) return `must be a finite number (${rule.text})`;
  if (rule.kind === 'integer' && !Number.isInteger(value)) return `must be ${rule.text}`;
  if (rule.min !== undefined && (rule.above ? value <= rule.min : value < rule.min))
    return `must be ${rule.text}`;
  if (rule.max !== undefined && value > rule.max) return `must be ${rule.text}`;
  if (rule.multipleOf !== undefined && value % rule.multipleOf !== 0) return `must be ${rule.text}`;
  return undefined;
}
