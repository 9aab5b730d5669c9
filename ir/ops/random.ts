import { wrapToDType } from '../alu.ts';
import { DTYPES, type DType } from '../dtypes.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel, type View } from '../types.ts';
import { elemsPerPartition, requireDType, requireSpace, samePartitions, sameTile } from './checks.ts';
import { checkScalarOperand, ON_CHIP } from './elementwise.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

/**
 * The engines' pseudo-random generator (neuroncore.md §2.1 rng/rand2/dropout, §2.2 [IL, IN]). The chip uses an LFSR
 * before NeuronCore-v4 and XORWOW on v4, neither specified bit for bit, so tilekit defines its own, deterministic:
 * - state: one xorshift128 generator per partition lane p, four uint32 words (x, y, z, w), held in an SBUF tile
 *   (`RNG_STATE_WORDS` per partition) that RNG instructions read and write, so their order is data dependence;
 * - step (Marsaglia 2003, xorshift128): t = x ^ (x << 11); x = y; y = z; z = w; w = w ^ (w >>> 19) ^ t ^ (t >>> 8);
 *   the output is w; each instruction steps lane p once per element, in row-major element order;
 * - seeding with s: lane p gets words splitmix32(s ^ (p+1)·0x85EBCA6B + k) for k = 0..3 (w = 1 if all are 0);
 * - uniform: u = (bits >>> 8) · 2^-24 in [0, 1).
 * nisa seeds the state with 0 before the first RNG instruction of a kernel that did not set a seed.
 */
export const RNG_STATE_WORDS = 4;

function splitmix32(seed: number): number {
  let a = (seed + 0x9e3779b9) | 0;
  a = Math.imul(a ^ (a >>> 16), 0x21f0aaad);
  a = Math.imul(a ^ (a >>> 15), 0x735a2d97);
  return (a ^ (a >>> 15)) >>> 0;
}

export function seedLane(seed: number, lane: number, out: Float64Array, at: number): void {
  const s = (seed >>> 0) ^ Math.imul(lane + 1, 0x85ebca6b);
  let any = 0;
  for (let k = 0; k < RNG_STATE_WORDS; k++) {
    out[at + k] = splitmix32(s + k);
    any |= out[at + k];
  }
  if (any === 0) out[at + 3] = 1;
}

/** One lane's generator over a copy of its state words. */
export class Lane {
  private x: number;
  private y: number;
  private z: number;
  private w: number;
  constructor(state: Float64Array, at: number) {
    [this.x, this.y, this.z, this.w] = [state[at], state[at + 1], state[at + 2], state[at + 3]].map(
      (v) => v >>> 0,
    );
  }
  next(): number {
    const t = this.x ^ (this.x << 11);
    this.x = this.y;
    this.y = this.z;
    this.z = this.w;
    this.w = (this.w ^ (this.w >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    return this.w;
  }
  uniform(): number {
    return (this.next() >>> 8) * 2 ** -24;
  }
  save(out: Float64Array, at: number): void {
    out.set([this.x >>> 0, this.y >>> 0, this.z >>> 0, this.w >>> 0], at);
  }
}

const RNG_ENGINES = ['vector', 'gpsimd'] as const;

/** The state tile: uint32 [P, 4] covering the instruction's partitions. */
export function checkState(state: View, P: number, what: string): void {
  requireSpace(state, ['sbuf'], `${what} RNG state`);
  if (state.dtype !== 'uint32' || elemsPerPartition(state) !== RNG_STATE_WORDS || state.shape[0] !== P) {
    fail(
      'TK0209',
      `${what}: the RNG state is a uint32 [P, ${RNG_STATE_WORDS}] tile; got ${state.dtype} [${state.shape}]`,
    );
  }
}

/** Run each lane of `P` over `F` elements; `fn` gets the lane, partition and flat element index. */
function perLane(
  state: Float64Array,
  newState: Float64Array,
  P: number,
  F: number,
  fn: (lane: Lane, p: number, i: number) => void,
): void {
  for (let p = 0; p < P; p++) {
    const lane = new Lane(state, p * RNG_STATE_WORDS);
    for (let f = 0; f < F; f++) fn(lane, p, p * F + f);
    lane.save(newState, p * RNG_STATE_WORDS);
  }
}

export interface SetRngSeedAttrs {
  /** An immediate seed, or a [P, 1] tile of per-partition seeds (input 0). */
  readonly seed: ScalarOperand;
}

/** Seed every lane's generator (see RNG_STATE_WORDS). ins = [(seed vector)], outs = [state]. */
export const setRngSeed = defineOp<SetRngSeedAttrs>({
  summary: 'seed the per-partition random generators',
  engines: [...RNG_ENGINES],
  check: ({ ins, outs: [state], attrs }) => {
    checkState(state, state.shape[0], 'setRngSeed');
    if (attrs.seed.kind === 'vec') {
      const v = ins[attrs.seed.index];
      requireSpace(v, ON_CHIP, 'setRngSeed seeds');
      samePartitions(v, state, 'setRngSeed seeds');
      if (elemsPerPartition(v) !== 1) fail('TK0205', `setRngSeed seeds must be [P, 1], got [${v.shape}]`);
    }
  },
  evaluate: ({ ins, outs: [state], outShapes: [shape], attrs }) => {
    for (let p = 0; p < shape[0]; p++) seedLane(scalarAt(attrs.seed, ins, p), p, state, p * RNG_STATE_WORDS);
  },
  flops: () => 0,
  describe: (a) => `seed=${describeScalar(a.seed)}`,
});

export interface RngAttrs {
  /** The destination dtype the random bits wrap to. */
  readonly outDType: DType;
}

/** Random bits into an integer tile: each element gets the low bits of one generator output. ins = [state], outs = [dst, state]. */
export const rng = defineOp<RngAttrs>({
  summary: 'random bits per element',
  engines: [...RNG_ENGINES],
  check: ({ ins: [state], outs: [dst, stateOut], attrs }) => {
    requireSpace(dst, ON_CHIP, 'rng destination');
    if (DTYPES[dst.dtype].kind === 'float') {
      fail(
        'TK0206',
        `rng writes random bits to integer tiles, not ${dst.dtype}; use rand2 for uniform floats`,
      );
    }
    if (attrs.outDType !== dst.dtype) fail('TK0209', 'rng: recorded dtype differs from the destination');
    checkState(state, dst.shape[0], 'rng');
    checkState(stateOut, dst.shape[0], 'rng');
  },
  // The state tile is read-modify-written (an accumulation, not a clash, across affine iterations).
  readsOutputs: () => true,
  evaluate: ({ ins: [state], outs: [dst, stateOut], outShapes: [shape], attrs }) => {
    const P = shape[0];
    perLane(state, stateOut, P, dst.length / P, (lane, _p, i) => {
      dst[i] = wrapToDType(attrs.outDType, lane.next() | 0);
    });
  },
  flops: () => 0,
});

export interface Rand2Attrs {
  readonly min: ScalarOperand;
  readonly max: ScalarOperand;
}

/**
 * Uniform fp32 values in [min, max): min + (max - min)·u per element; min/max immediates or [P, 1] vectors.
 * ins = [state, (min), (max)], outs = [dst, state]. (On hardware rand2 is documented for NeuronCore-v4; tilekit
 * offers it on every chip with its own generator.)
 */
export const rand2 = defineOp<Rand2Attrs>({
  summary: 'uniform random floats in [min, max)',
  engines: ['vector'],
  check: ({ ins, outs: [dst, stateOut], attrs }) => {
    requireSpace(dst, ON_CHIP, 'rand2 destination');
    checkState(ins[0], dst.shape[0], 'rand2');
    checkState(stateOut, dst.shape[0], 'rand2');
    checkScalarOperand(attrs.min, ins, 'rand2 min');
    checkScalarOperand(attrs.max, ins, 'rand2 max');
    if (attrs.min.kind === 'imm' && attrs.max.kind === 'imm' && !(attrs.min.value < attrs.max.value)) {
      fail('TK0225', `rand2 needs min < max, got [${attrs.min.value}, ${attrs.max.value}]`);
    }
  },
  // The state tile is read-modify-written (an accumulation, not a clash, across affine iterations).
  readsOutputs: () => true,
  evaluate: ({ ins, outs: [dst, stateOut], outShapes: [shape], attrs }) => {
    const P = shape[0];
    perLane(ins[0], stateOut, P, dst.length / P, (lane, p, i) => {
      const lo = Math.fround(scalarAt(attrs.min, ins, p));
      const hi = Math.fround(scalarAt(attrs.max, ins, p));
      dst[i] = Math.fround(lo + Math.fround(Math.fround(hi - lo) * lane.uniform()));
    });
  },
  flops: ([state]) => 2 * state.shape[0],
  describe: (a) => `min=${describeScalar(a.min)} max=${describeScalar(a.max)}`,
});

export interface DropoutAttrs {
  /** Drop probability: an immediate or a [P, 1] vector. */
  readonly prob: ScalarOperand;
}

/**
 * out = u < prob ? 0 : data per element, u the lane's next uniform: prob 1 drops everything, 0 keeps everything; kept
 * values are not rescaled (neuroncore.md §2.1 dropout [IL]). ins = [data, state, (prob)], outs = [dst, state].
 * Integer data needs an fp32 prob vector and an integer destination of the same dtype.
 */
export const dropout = defineOp<DropoutAttrs>({
  summary: 'zero elements at random with a drop probability',
  engines: ['vector'],
  check: ({ ins, outs: [dst, stateOut], attrs }) => {
    const [data, state] = ins;
    requireSpace(data, ON_CHIP, 'dropout input');
    requireSpace(dst, ON_CHIP, 'dropout destination');
    sameTile(dst, data, 'dropout destination');
    checkState(state, data.shape[0], 'dropout');
    checkState(stateOut, data.shape[0], 'dropout');
    checkScalarOperand(attrs.prob, ins, 'dropout prob');
    if (DTYPES[data.dtype].kind !== 'float') {
      if (attrs.prob.kind === 'vec')
        requireDType(ins[attrs.prob.index], ['float32'], 'dropout prob for integer data');
      if (dst.dtype !== data.dtype)
        fail('TK0206', `dropout of ${data.dtype} data must write ${data.dtype}, not ${dst.dtype}`);
    }
  },
  // The state tile is read-modify-written (an accumulation, not a clash, across affine iterations).
  readsOutputs: () => true,
  evaluate: ({ ins, inShapes, outs: [dst, stateOut], attrs }) => {
    const data = ins[0];
    const P = inShapes[0][0];
    perLane(ins[1], stateOut, P, data.length / P, (lane, p, i) => {
      dst[i] = lane.uniform() < scalarAt(attrs.prob, ins, p) ? 0 : data[i];
    });
  },
  flops: ([data]) => numel(data.shape),
  describe: (a) => `prob=${describeScalar(a.prob)}`,
});

/** Copy the generator state out: ins = [state], outs = [dst uint32 [P, 4]]. */
export const randGetState = defineOp<Record<string, never>>({
  summary: 'read the random generator state',
  engines: [...RNG_ENGINES],
  check: ({ ins: [state], outs: [dst] }) => {
    checkState(state, state.shape[0], 'randGetState');
    requireSpace(dst, ON_CHIP, 'randGetState destination');
    requireDType(dst, ['uint32'], 'randGetState destination');
    sameTile(dst, state, 'randGetState destination');
  },
  evaluate: ({ ins: [state], outs: [dst] }) => dst.set(state),
  flops: () => 0,
});

/** Load the generator state: ins = [src uint32 [P, 4]], outs = [state]. */
export const randSetState = defineOp<Record<string, never>>({
  summary: 'load the random generator state',
  engines: [...RNG_ENGINES],
  check: ({ ins: [src], outs: [state] }) => {
    checkState(state, state.shape[0], 'randSetState');
    requireSpace(src, ON_CHIP, 'randSetState source');
    requireDType(src, ['uint32'], 'randSetState source');
    sameTile(src, state, 'randSetState source');
  },
  evaluate: ({ ins: [src], outs: [state] }) => state.set(src),
  flops: () => 0,
});
