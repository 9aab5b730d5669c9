import { type AluOp, aluInfo, applyAlu } from '../alu.ts';
import { fail } from '../op-def.ts';
import type { View } from '../types.ts';
import { elemsPerPartition, requireSpace, samePartitions } from './checks.ts';

/**
 * The per-partition accumulator registers of ACT (activation*) and DVE (tensorScalarReduce, selectReduce,
 * rangeSelect, tensorScalarCumulative), driven by `reduceCmd` (neuroncore.md §2.2 reduce_cmd [IL, IN]):
 * - `idle`: leave the registers alone and fold nothing;
 * - `reset`: reset the registers to the reduce op's identity, fold nothing;
 * - `reduce`: fold this instruction's results into the registers as they are;
 * - `resetReduce`: reset, then fold (what legacy `activation_reduce` / `tensor_scalar_reduce` do);
 * - `loadReduce`: load the registers from an immediate, then fold.
 * The registers are engine state that outlives an instruction. tilekit models them as an SBUF tile (`state`) that the
 * instruction reads and writes, so ordering between instructions that share them is ordinary data dependence. Lane p of
 * the registers is the instruction's partition p (tilekit does not model physical partition offsets here). When no
 * state tile is attached the instruction behaves as `resetReduce` on private registers.
 */
export type ReduceCmd = 'idle' | 'reset' | 'reduce' | 'resetReduce' | 'loadReduce';
export const REDUCE_CMDS: readonly ReduceCmd[] = ['idle', 'reset', 'reduce', 'resetReduce', 'loadReduce'];

export interface AccumulatorAttrs {
  readonly reduceOp: AluOp;
  readonly reduceCmd: ReduceCmd;
  /** loadReduce's starting value. */
  readonly reduceInit?: number;
  /** Output index of the [P, 1] reduce result, when requested. */
  readonly reduceRes?: number;
  /** The modeled accumulator registers: input and output index of the state tile. */
  readonly state?: { readonly in: number; readonly out: number };
}

/** Rules shared by every accumulator-using op; `allowed` lists the legal reduce ops. */
export function checkAccumulator(
  a: AccumulatorAttrs,
  ins: readonly View[],
  outs: readonly View[],
  data: View,
  allowed: readonly AluOp[],
  what: string,
): void {
  if (!allowed.includes(a.reduceOp)) {
    fail('TK0209', `${what}: reduce op '${String(a.reduceOp)}' is not supported; use ${allowed.join(', ')}`);
  }
  if (!REDUCE_CMDS.includes(a.reduceCmd)) {
    fail('TK0209', `${what}: unknown reduceCmd '${String(a.reduceCmd)}'; use ${REDUCE_CMDS.join(', ')}`);
  }
  if (a.reduceCmd === 'loadReduce' && a.reduceInit === undefined) {
    fail('TK0209', `${what}: reduceCmd 'loadReduce' needs a reduceInit value to load`);
  }
  if (a.reduceRes !== undefined) {
    const r = outs[a.reduceRes];
    requireSpace(r, ['sbuf', 'psum'], `${what} reduce result`);
    if (elemsPerPartition(r) !== 1)
      fail('TK0205', `${what} reduce result must have shape [P, 1], got [${r.shape}]`);
    samePartitions(r, data, `${what} reduce result`);
  }
  if (a.state) {
    const s = ins[a.state.in];
    if (s.dtype !== 'float32' || elemsPerPartition(s) !== 1 || s.shape[0] < data.shape[0]) {
      fail(
        'TK0209',
        `${what}: accumulator state must be a float32 [P, 1] tile covering the data's partitions`,
      );
    }
  }
}

/** The registers at the start of the instruction, per the command. */
export function startRegister(a: AccumulatorAttrs, ins: readonly Float64Array[], p: number): number {
  const identity = aluInfo(a.reduceOp).identity ?? 0;
  switch (a.reduceCmd) {
    case 'reset':
    case 'resetReduce':
      return identity;
    case 'loadReduce':
      return Math.fround(a.reduceInit ?? 0);
    default:
      return a.state ? ins[a.state.in][p] : identity;
  }
}

export function folds(a: AccumulatorAttrs): boolean {
  return a.reduceCmd === 'reduce' || a.reduceCmd === 'resetReduce' || a.reduceCmd === 'loadReduce';
}

/** Fold `values[p*F .. p*F+F)` into the registers and write the reduce result and the state. */
export function accumulate(
  a: AccumulatorAttrs,
  ins: readonly Float64Array[],
  outs: readonly Float64Array[],
  values: Float64Array,
  P: number,
): void {
  const F = values.length / P;
  for (let p = 0; p < P; p++) {
    let reg = startRegister(a, ins, p);
    if (folds(a)) for (let f = 0, i = p * F; f < F; f++, i++) reg = applyAlu(a.reduceOp, reg, values[i]);
    if (a.reduceRes !== undefined) outs[a.reduceRes][p] = reg;
    if (a.state) outs[a.state.out][p] = reg;
  }
  if (a.state) {
    // Lanes beyond P keep their value.
    const s = outs[a.state.out];
    const prev = ins[a.state.in];
    for (let p = P; p < s.length; p++) s[p] = prev[p];
  }
}

export function describeAccumulator(a: AccumulatorAttrs): string {
  if (a.reduceRes === undefined && !a.state) return '';
  return ` reduce=${a.reduceOp}/${a.reduceCmd}${a.reduceCmd === 'loadReduce' ? `(${a.reduceInit})` : ''}`;
}
