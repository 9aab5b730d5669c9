import { DTYPES, type DType, roundTo } from '../../ir/dtypes.ts';
import type { HostArray } from '../../ir/host.ts';
import { numel } from '../../ir/types.ts';
import { activeTrace, raise, type TraceContext } from '../../tracer/context.ts';
import { allocate, type BufferKind, checkDType, checkShape, fullTensor } from '../alloc.ts';
import * as nisa from '../nisa.ts';
import { tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';

/** Tensor creation (neuroncore.md §1.6 [LL]). */

export interface NdarrayOptions {
  readonly buffer?: BufferKind;
  readonly name?: string;
}

/** A new tensor, uninitialised (fresh memory reads as NaN in the simulator). Default buffer: SBUF. */
export function ndarray(shape: readonly number[], dtype: DType, opts?: NdarrayOptions): Tensor {
  return allocate(
    checkShape(shape),
    checkDType(dtype),
    opts?.buffer ?? 'sbuf',
    opts?.name ?? (opts?.buffer === 'sharedHbm' ? 'out' : 'tensor'),
  );
}

/** A new on-chip tensor filled with `value` (HBM tensors cannot be created with a value). */
export function full(shape: readonly number[], value: number, dtype: DType, opts?: NdarrayOptions): Tensor {
  const kind = opts?.buffer ?? 'sbuf';
  if (kind === 'hbm' || kind === 'sharedHbm') {
    raise(
      'TK0110',
      'HBM tensors cannot be created with an initial value; fill an SBUF tile and store it, or use nl.sharedConstant',
    );
  }
  const t = allocate(checkShape(shape), checkDType(dtype), kind, opts?.name ?? 'full');
  return nisa.memset(t, value);
}

export function zeros(shape: readonly number[], dtype: DType, opts?: NdarrayOptions): Tensor {
  return full(shape, 0, dtype, { ...opts, name: opts?.name ?? 'zeros' });
}

export function ones(shape: readonly number[], dtype: DType, opts?: NdarrayOptions): Tensor {
  return full(shape, 1, dtype, { ...opts, name: opts?.name ?? 'ones' });
}

export interface LikeOptions extends NdarrayOptions {
  /** Default: the tensor's dtype. */
  readonly dtype?: DType;
}

/** A new tile of `x`'s shape and dtype (default buffer: SBUF, as NKI's `*_like`). */
export function fullLike(x: Tensor, value: number, opts?: LikeOptions): Tensor {
  const t = tensorArg(x, 'fullLike operand');
  return full(t.shape, value, opts?.dtype ?? t.dtype, opts);
}

export function zerosLike(x: Tensor, opts?: LikeOptions): Tensor {
  return fullLike(x, 0, opts);
}

export function onesLike(x: Tensor, opts?: LikeOptions): Tensor {
  return fullLike(x, 1, opts);
}

/** An uninitialised tile of `x`'s shape and dtype. */
export function emptyLike(x: Tensor, opts?: LikeOptions): Tensor {
  const t = tensorArg(x, 'emptyLike operand');
  return ndarray(t.shape, opts?.dtype ?? t.dtype, opts);
}

/** Nested number arrays (`[[1, 2], [3, 4]]`) or a flat list with an explicit shape. */
export type NestedNumbers = number | readonly NestedNumbers[];

export interface ConstantOptions {
  /** Default: the host array's dtype, else float32. */
  readonly dtype?: DType;
  /** For a flat list: the tensor's shape (default: the nesting of the list). */
  readonly shape?: readonly number[];
  readonly name?: string;
}

/** Constants of each trace by content, so equal constants (and every SPMD program's copy) share one HBM buffer. */
const constantsOf = new WeakMap<TraceContext, Map<string, number>>();

function flatten(values: NestedNumbers): { flat: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let v: NestedNumbers = values; Array.isArray(v); v = (v as readonly NestedNumbers[])[0]) {
    shape.push((v as readonly NestedNumbers[]).length);
  }
  const flat: number[] = [];
  const walk = (v: NestedNumbers, d: number) => {
    if (d === shape.length) {
      if (typeof v !== 'number') raise('TK0111', 'constant data must be numbers nested as a regular array');
      flat.push(v as number);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d]) {
      raise('TK0111', `constant data is ragged at depth ${d}: every row must have ${shape[d]} entries`);
    }
    for (const x of v as readonly NestedNumbers[]) walk(x, d + 1);
  };
  walk(values, 0);
  return { flat, shape };
}

/**
 * A host array baked into the kernel as a read-only HBM tensor (NKI `shared_constant`). The values travel in the IR
 * (a `constant` buffer); the simulator writes them to HBM before the kernel runs. Load it like an input.
 */
export function sharedConstant(values: HostArray | NestedNumbers, opts?: ConstantOptions): Tensor {
  const host =
    typeof values === 'object' && values !== null && 'data' in values ? (values as HostArray) : undefined;
  const dtype = checkDType(opts?.dtype ?? host?.dtype ?? 'float32');
  let flat: number[];
  let shape: readonly number[];
  if (host) {
    flat = Array.from(host.data);
    shape = opts?.shape ?? host.shape;
  } else {
    const f = flatten(values as NestedNumbers);
    flat = f.flat;
    shape = opts?.shape ?? (f.shape.length ? f.shape : [1]);
  }
  checkShape(shape);
  if (numel(shape) !== flat.length) {
    raise('TK0111', `constant has ${flat.length} values but shape [${shape}] holds ${numel(shape)}`);
  }
  const init = Object.freeze(flat.map((v) => roundTo(dtype, v)));
  const ctx = activeTrace();
  let constants = constantsOf.get(ctx);
  if (!constants) constantsOf.set(ctx, (constants = new Map()));
  const key = `${dtype}[${shape}]:${init.join(',')}`;
  const existing = constants.get(key);
  if (existing !== undefined) return fullTensor(existing);
  const t = allocate(shape, dtype, 'hbm', opts?.name ?? 'const');
  const b = ctx.buffers[t.view.buffer];
  b.role = 'constant';
  b.init = init;
  constants.set(key, b.id);
  return t;
}

/** The n×n identity as a shared HBM constant (NKI `shared_identity_matrix`). */
export function sharedIdentityMatrix(n: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(n) || n <= 0) raise('TK0105', `identity size ${n} must be a positive integer`);
  const values = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return sharedConstant(values, { dtype, shape: [n, n], name: 'identity' });
}

/** Seed the on-chip random number generators `nl.rand` draws from (NKI `random_seed`; default seed 0). */
export function randomSeed(seed: number | Tensor): void {
  nisa.setRngSeed(seed);
}

export interface RandOptions {
  /** Seed the generators first (as `randomSeed`). */
  readonly seed?: number;
  readonly name?: string;
}

/**
 * A new SBUF tile of uniform random values in [0, 1) (NKI `rand`), from the seeded on-chip generators (`nisa.rand2`):
 * the same kernel and seed give the same numbers.
 */
export function rand(shape: readonly number[], dtype: DType = 'float32', opts?: RandOptions): Tensor {
  checkDType(dtype);
  if (DTYPES[dtype].kind !== 'float')
    raise('TK0206', `nl.rand makes values in [0, 1): use a float dtype, not ${dtype}`);
  if (opts?.seed !== undefined) nisa.setRngSeed(opts.seed);
  return nisa.rand2(shape, 0, 1, { dtype, name: opts?.name ?? 'rand' });
}
