import type { PhysAccess, ProgInstr } from '../../codegen/program.ts';
import type { AluOp } from '../../ir/alu.ts';
import type { AttrsOf, OpName } from '../../ir/ops/index.ts';
import type { Engine } from '../../ir/types.ts';
import type { ChipConfig } from '../chips/types.ts';

/**
 * Per-op cost rules: engine cycles for one instruction, from the legacy ISA cost estimates (neuroncore.md §2.1 [IL])
 * and the engine timing notes (§3.3–3.9). Every number comes from the chip config; no rule looks at a kernel's name.
 */
export type CostRule =
  | { readonly kind: 'engine'; readonly cycles: (i: ProgInstr, chip: ChipConfig) => number }
  | { readonly kind: 'dma' };

/** Elements per partition an instruction streams: the largest free size among its operands. */
export function streamLength(i: ProgInstr): number {
  let n = 1;
  for (const a of [...i.ins, ...i.outs]) n = Math.max(n, freeElems(a));
  return n;
}

/** Elements per partition (HBM: all elements). */
export function freeElems(a: PhysAccess): number {
  let n = 1;
  for (const [, size] of a.dims) n *= size;
  return n;
}

const is16 = (a: PhysAccess) => a.dtype === 'bfloat16' || a.dtype === 'float16';
const isFp32 = (a: PhysAccess) => a.dtype === 'float32';
export const innerContiguous = (a: PhysAccess) => a.dims.length === 0 || a.dims[a.dims.length - 1][0] === 1;

function minII(i: ProgInstr, chip: ChipConfig): number {
  const e = i.engine;
  return e === 'scalar' ? chip.scalar.minInitiationInterval : chip.vector.minInitiationInterval;
}

/** ACT/DVE/POOL streaming cost: max(MIN_II, k·N / speedup) (neuroncore.md §3.9). */
function streaming(i: ProgInstr, chip: ChipConfig, k: number, speedup = 1): number {
  return Math.max(minII(i, chip), Math.ceil((k * streamLength(i)) / speedup));
}

/** trn2 VectorE performance modes (neuroncore.md §3.4 [A2]): 4x copy/tensor_scalar, 2x when strided or PSUM. */
function vectorPerfMode(i: ProgInstr, chip: ChipConfig, kind: 'copyScalar' | 'tensorTensor'): number {
  const modes = chip.vector.perfModes;
  if (!modes || i.engine !== 'vector') return 1;
  const all = [...i.ins, ...i.outs];
  if (!all.every(is16)) return 1;
  if (kind === 'tensorTensor') return i.ins.every((a) => a.space === 'sbuf') ? modes.tensorTensor : 1;
  if (all.some((a) => a.space === 'psum')) return modes.psumOperand;
  return all.every(innerContiguous) ? modes.copyScalar : modes.nonContiguous;
}

const FAST_TT: ReadonlySet<AluOp> = new Set(['add', 'multiply', 'subtract']);

/** GpSimd: GPSIMD_START + N (neuroncore.md §3.6 [A1], iota/affine_select [IL]). */
function gpsimdStream(i: ProgInstr, chip: ChipConfig): number {
  return chip.gpsimd.startupCycles + streamLength(i);
}

function randomCost(i: ProgInstr, chip: ChipConfig): number {
  return i.engine === 'gpsimd' ? gpsimdStream(i, chip) : streaming(i, chip, 1);
}

export const COSTS = {
  ncMatmul: {
    kind: 'engine',
    // MultiplyMoving: max(MIN_II, N_moving); background LoadStationary: M / speedup; fp32 at a quarter rate (§3.3).
    // onezero: an fp32 operand flagged 0/1 runs onezeroSpeedup faster; transpose mode: fp32 transposeFp32Speedup
    // faster; doubleRow: 2x K in the cycles of K (the free sizes count both rows); tiling: a [rows, cols] PE tile
    // charges its share of the array, as parallel tiles overlap on it (§2.1 nc_matmul [IL, IN], §3.3 [A2]).
    cycles: (i, chip) => {
      const [stat, mov] = i.ins;
      const a = i.attrs as AttrsOf<'ncMatmul'>;
      let slow = isFp32(stat) || isFp32(mov) ? chip.tensor.fp32Slowdown : 1;
      const onezero = (a.isStationaryOnezero && isFp32(stat)) || (a.isMovingOnezero && isFp32(mov));
      if (slow > 1 && onezero) slow /= chip.tensor.onezeroSpeedup;
      if (slow > 1 && a.isTranspose) slow /= chip.tensor.transposeFp32Speedup;
      const depth = a.perfMode === 'doubleRow' ? 2 : 1;
      const mm = Math.max(chip.tensor.minInitiationInterval, freeElems(mov) / depth);
      const ls = Math.ceil(freeElems(stat) / depth / chip.tensor.loadStationarySpeedup);
      const share = a.tileSize ? (a.tileSize[0] * a.tileSize[1]) / (chip.tensor.rows * chip.tensor.cols) : 1;
      return Math.ceil(Math.max(mm, ls) * slow * share);
    },
  },
  ncTranspose: {
    kind: 'engine',
    // PE: max(P, min(64, F)); DVE: max(MIN_II, N) (§2.1 nc_transpose [IL]).
    cycles: (i, chip) => {
      const src = i.ins[0];
      if (i.engine === 'tensor')
        return Math.max(src.partitions, Math.min(chip.tensor.minInitiationInterval, freeElems(src)));
      return streaming(i, chip, 1);
    },
  },
  activation: {
    kind: 'engine',
    // max(MIN_II, N), plus ActReadAccumulator when reducing (§2.1 activation / activation_reduce [IL]).
    cycles: (i, chip) =>
      streaming(i, chip, 1) +
      ((i.attrs as AttrsOf<'activation'>).acc?.reduceRes !== undefined
        ? chip.scalar.accumulatorReadCycles
        : 0),
  },
  tensorTensor: {
    kind: 'engine',
    // N when one input is PSUM and one SBUF, or all bf16 add/mul/sub in SBUF contiguous; else 2N (§2.1 [IL]).
    cycles: (i, chip) => {
      const [a, b] = i.ins;
      const mixed = (a.space === 'psum') !== (b.space === 'psum');
      const fast16 =
        FAST_TT.has((i.attrs as AttrsOf<'tensorTensor'>).op) &&
        [...i.ins, ...i.outs].every((x) => is16(x) && x.space === 'sbuf' && innerContiguous(x));
      return streaming(i, chip, mixed || fast16 ? 1 : 2, vectorPerfMode(i, chip, 'tensorTensor'));
    },
  },
  tensorScalar: {
    kind: 'engine',
    cycles: (i, chip) => streaming(i, chip, 1, vectorPerfMode(i, chip, 'copyScalar')),
  },
  tensorReduce: {
    kind: 'engine',
    // N/2 for bf16 in and out with add or max; else N (§2.1 tensor_reduce [IL]).
    cycles: (i, chip) => {
      const op = (i.attrs as AttrsOf<'tensorReduce'>).op;
      const half = is16(i.ins[0]) && is16(i.outs[0]) && (op === 'add' || op === 'maximum');
      return streaming(i, chip, half ? 0.5 : 1);
    },
  },
  tensorCopy: {
    kind: 'engine',
    cycles: (i, chip) => streaming(i, chip, 1, vectorPerfMode(i, chip, 'copyScalar')),
  },
  memset: {
    kind: 'engine',
    // N/2 for zero in bf16/fp16, else N (§2.1 memset [IL]).
    cycles: (i, chip) =>
      streaming(i, chip, (i.attrs as AttrsOf<'memset'>).value === 0 && is16(i.outs[0]) ? 0.5 : 1),
  },
  iota: { kind: 'engine', cycles: (i, chip) => chip.gpsimd.startupCycles + streamLength(i) },
  activationReduce: {
    kind: 'engine',
    // max(MIN_II, N) + ActReadAccumulator (§2.1 activation_reduce [IL]).
    cycles: (i, chip) => streaming(i, chip, 1) + chip.scalar.accumulatorReadCycles,
  },
  scalarTensorTensor: {
    kind: 'engine',
    // N when data and operand1 are bf16, op0 subtract, op1 multiply and N even; else 2N (§2.1 [IL]).
    cycles: (i, chip) => {
      const a = i.attrs as AttrsOf<'scalarTensorTensor'>;
      const [d, d1] = i.ins;
      const n = streamLength(i);
      const fast =
        d.dtype === 'bfloat16' && d1.dtype === 'bfloat16' && a.op0 === 'subtract' && a.op1 === 'multiply';
      return streaming(i, chip, fast && n % 2 === 0 ? 1 : 2);
    },
  },
  // max(MIN_II, N) + MIN_II: the reduction read-out (§2.1 tensor_scalar_reduce [IL]).
  tensorScalarReduce: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) + minII(i, chip) },
  // No documented cost; tilekit charges a one-input stream like tensor_scalar (§3.4).
  tensorScalarCumulative: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  // max(MIN_II, 2N) (§2.1 tensor_tensor_scan [IL]).
  tensorTensorScan: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 2) },
  // No documented cost; tilekit: GPSIMD_START + N per partition share of a core (§3.6).
  tensorPartitionReduce: {
    kind: 'engine',
    cycles: (i, chip) =>
      chip.gpsimd.startupCycles + Math.ceil((streamLength(i) * i.ins[0].partitions) / chip.gpsimd.cores),
  },
  tensorCopyPredicated: {
    kind: 'engine',
    // N when src or predicate is in PSUM, 2N when both are in SBUF (§2.1 tensor_copy_predicated [IL]).
    cycles: (i, chip) => streaming(i, chip, i.ins.some((a) => a.space === 'psum') ? 1 : 2),
  },
  // DVE max(MIN_II, 8N); ACT max(MIN_II, N) (§2.1 reciprocal [IL]).
  reciprocal: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, i.engine === 'vector' ? 8 : 1) },
  // GPSIMD_START + N (§2.1 affine_select [IL]).
  affineSelect: { kind: 'engine', cycles: (i, chip) => gpsimdStream(i, chip) },
  // max(MIN_II, N) (§2.1 range_select [IL]); select_reduce has no documented cost and is charged the same.
  rangeSelect: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  selectReduce: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  // max(MIN_II, N) and max(MIN_II, 13·N/3) (§2.1 bn_stats, bn_aggr [IL]).
  bnStats: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  bnAggr: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 13 / 3) },
  // max(MIN_II, N) (§2.1 dropout [IL]); the RNG ops have no documented cost and are charged a one-input stream
  // (GPSIMD_START + N on GpSimd).
  dropout: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  rng: { kind: 'engine', cycles: (i, chip) => randomCost(i, chip) },
  rand2: { kind: 'engine', cycles: (i, chip) => randomCost(i, chip) },
  setRngSeed: { kind: 'engine', cycles: (i, chip) => randomCost(i, chip) },
  randGetState: { kind: 'engine', cycles: (i, chip) => randomCost(i, chip) },
  randSetState: { kind: 'engine', cycles: (i, chip) => randomCost(i, chip) },
  // N (§2.1 max8, nc_find_index8 [IL]); max(MIN_II, N) for nc_match_replace8.
  max8: { kind: 'engine', cycles: (i) => freeElems(i.ins[0]) },
  ncFindIndex8: { kind: 'engine', cycles: (i) => freeElems(i.ins[0]) },
  ncMatchReplace8: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  localGather: {
    kind: 'engine',
    // 150 + valid·e / C, C = ((28 + 4e) / (4e)) / min(4 / dtype_bytes, e) (§2.1 local_gather [IL]).
    cycles: (i, chip) => {
      const a = i.attrs as AttrsOf<'localGather'>;
      const e = a.numElemPerIdx;
      const c = (28 + 4 * e) / (4 * e) / Math.min(4 / i.ins[0].elemBytes, e);
      return chip.gpsimd.startupCycles + Math.ceil((a.numValidIndices * e) / c);
    },
  },
  // ceil(F / 512) instructions (§2.1 nc_n_gather [IN]): each GPSIMD_START, plus one cycle per index.
  ncNGather: {
    kind: 'engine',
    cycles: (i, chip) =>
      chip.gpsimd.startupCycles * Math.ceil(freeElems(i.ins[0]) / 512) + freeElems(i.ins[1]),
  },
  // max(MIN_II, N) (§2.1 nc_stream_shuffle [IL]).
  ncStreamShuffle: { kind: 'engine', cycles: (i, chip) => streaming(i, chip, 1) },
  // No documented cost; GPSIMD_START + N as the other GpSimd streams (§3.6).
  nonzeroWithCount: { kind: 'engine', cycles: (i, chip) => gpsimdStream(i, chip) },
  sequenceBounds: { kind: 'engine', cycles: (i, chip) => gpsimdStream(i, chip) },
  dmaCopy: { kind: 'dma' },
  // Costed by shape like a copy (index values are not needed, so timing-only runs work).
  dmaTranspose: { kind: 'dma' },
  // Simulation-only output: no engine time.
  devicePrint: { kind: 'engine', cycles: () => 0 },
} as const satisfies Record<OpName, CostRule>;

export function clockGHz(engine: Engine, chip: ChipConfig): number {
  switch (engine) {
    case 'tensor':
      return chip.tensor.clockGHz;
    case 'vector':
      return chip.vector.clockGHz;
    case 'scalar':
      return chip.scalar.clockGHz;
    case 'gpsimd':
      return chip.gpsimd.clockGHz;
    default:
      return chip.scalar.clockGHz;
  }
}

/**
 * Exposed per-instruction overhead on DVE/ACT (neuroncore.md §3.4 [A1], calibration.md §3 [PP]): the static overhead
 * is hidden by pipelining unless the instruction reads its predecessor's result or streams fewer elements than
 * there are lanes; a read-after-write on the same engine also waits for the result to drain.
 */
export function dependencyOverheadCycles(i: ProgInstr, chip: ChipConfig): number {
  const eng = i.engine === 'vector' ? chip.vector : i.engine === 'scalar' ? chip.scalar : undefined;
  if (!eng) return 0;
  const small = streamLength(i) < eng.lanes;
  return (i.chained || small ? eng.staticOverheadCycles : 0) + (i.chained ? eng.dependencyLatencyCycles : 0);
}

/** Innermost stride of at least `wideStrideBytes` halves the access bandwidth (§3.7 [A1]). */
export function wideStrideFactor(i: ProgInstr, chip: ChipConfig): number {
  for (const a of [...i.ins, ...i.outs]) {
    if (a.space === 'hbm' || a.dims.length === 0) continue;
    const stride = Math.abs(a.dims[a.dims.length - 1][0]) * a.elemBytes;
    if (stride >= chip.access.wideStrideBytes) return chip.access.wideStrideSlowdown;
  }
  return 1;
}
