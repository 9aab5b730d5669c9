import type { DType } from '../../ir/dtypes.ts';
import { RNG_STATE_WORDS } from '../../ir/ops/random.ts';
import type { View } from '../../ir/types.ts';
import { PARTITIONS } from '../../tracer/rules.ts';
import { checkDType, checkShape } from '../alloc.ts';
import { destination, emit, type InstrOptions, scalarOperand, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { rngState } from './state.ts';

/**
 * nki.isa random numbers (neuroncore.md §2.1 rng/rand2/dropout): a seeded, deterministic per-partition xorshift128
 * generator whose state is an SBUF tile (see ir/ops/random.ts). Without setRngSeed the generator starts from seed 0.
 */

type RngEngine = { readonly engine?: 'vector' | 'gpsimd' };

/** Seed the generators: a number for every partition, or a [P, 1] tile of per-partition seeds. */
export function setRngSeed(seed: number | Tensor, opts?: RngEngine): void {
  const ins: View[] = [];
  const s = scalarOperand(seed, ins, 'setRngSeed seed');
  const P = typeof seed === 'number' ? PARTITIONS : seed.shape[0];
  emit('setRngSeed', ins, [rngState(P).view], { seed: s }, opts?.engine);
}

/** Random bits into a new integer tile of `shape` (default uint32). */
export function rng(
  shape: readonly number[],
  dtype: DType = 'uint32',
  opts?: Omit<InstrOptions, 'engine' | 'dtype'> & RngEngine,
): Tensor {
  checkShape(shape);
  const dst = destination(opts, shape, checkDType(dtype), 'sbuf', 'rng');
  const state = rngState(dst.shape[0]).view;
  emit('rng', [state], [dst.view, state], { outDType: dst.dtype }, opts?.engine);
  return dst;
}

/** Uniform random values in [min, max) (numbers or [P, 1] tiles) into a new tile of `shape` (default float32). */
export function rand2(
  shape: readonly number[],
  min: number | Tensor,
  max: number | Tensor,
  opts?: Omit<InstrOptions, 'engine'>,
): Tensor {
  checkShape(shape);
  const dst = destination(opts, shape, checkDType(opts?.dtype ?? 'float32'), 'sbuf', 'rand');
  const state = rngState(dst.shape[0]).view;
  const ins: View[] = [state];
  const lo = scalarOperand(min, ins, 'rand2 min');
  const hi = scalarOperand(max, ins, 'rand2 max');
  emit('rand2', ins, [dst.view, state], { min: lo, max: hi });
  return dst;
}

/** Zero each element with probability prob (a number or [P, 1] tile); kept values are not rescaled. */
export function dropout(data: Tensor, prob: number | Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(data, 'dropout data');
  const state = rngState(x.shape[0]).view;
  const ins: View[] = [x.view, state];
  const p = scalarOperand(prob, ins, 'dropout prob');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'dropout');
  emit('dropout', ins, [dst.view, state], { prob: p });
  return dst;
}

/** The generator state of the first `partitions` lanes as a uint32 [P, 4] tile. */
export function randGetState(
  partitions: number = PARTITIONS,
  opts?: Omit<InstrOptions, 'engine' | 'dtype'> & RngEngine,
): Tensor {
  const dst = destination(opts, [partitions, RNG_STATE_WORDS], 'uint32', 'sbuf', 'rng_state_copy');
  emit('randGetState', [rngState(dst.shape[0]).view], [dst.view], {}, opts?.engine);
  return dst;
}

/** Load the generator state of the first P lanes from a uint32 [P, 4] tile. */
export function randSetState(src: Tensor, opts?: RngEngine): void {
  const s = tensorArg(src, 'randSetState src');
  emit('randSetState', [s.view], [rngState(s.shape[0]).view], {}, opts?.engine);
}
