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

export const COSTS = {
  ncMatmul: {
    kind: 'engine',
    // MultiplyMoving: max(MIN_II, N_moving); background LoadStationary: M / speedup; fp32 at a quarter rate (§3.3).
    cycles: (i, chip) => {
      const [stat, mov] = i.ins;
      const slow = isFp32(stat) || isFp32(mov) ? chip.tensor.fp32Slowdown : 1;
      const mm = Math.max(chip.tensor.minInitiationInterval, freeElems(mov));
      const ls = Math.ceil(freeElems(stat) / chip.tensor.loadStationarySpeedup);
      return Math.max(mm, ls) * slow;
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
    cycles: (i, chip) => streaming(i, chip, 1) + (i.outs.length > 1 ? chip.scalar.accumulatorReadCycles : 0),
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
  dmaCopy: { kind: 'dma' },
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

/** Extra cycles an ACT/DVE/POOL instruction pays when it reads its queue predecessor's result (§3.4, §3.5 [A1, PP]). */
export function dependencyOverheadCycles(i: ProgInstr, chip: ChipConfig): number {
  if (!i.chained) return 0;
  if (i.engine === 'vector') return chip.vector.staticOverheadCycles;
  if (i.engine === 'scalar') return chip.scalar.staticOverheadCycles;
  return 0;
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
