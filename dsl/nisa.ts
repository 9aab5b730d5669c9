import type { ActivationFn } from '../ir/activation.ts';
import type { AluOp } from '../ir/alu.ts';
import type { DType } from '../ir/dtypes.ts';
import { aluNumerics } from '../ir/ops/alu-rules.ts';
import type { MatmulAttrs } from '../ir/ops/matmul.ts';
import type { ScalarOperand } from '../ir/ops/operand.ts';
import { freeSize, type View } from '../ir/types.ts';
import { activeTrace, raise } from '../tracer/context.ts';
import { checkDType, checkShape } from './alloc.ts';
import { accumulatorAttrs, defined, type ReduceOptionsBase } from './nisa/state.ts';
import { destination, emit, type InstrOptions, scalarOperand, tensorArg } from './operands.ts';
import type { Tensor } from './tensor.ts';

/** nki.isa in TypeScript: one call, one ISA instruction (neuroncore.md §2.1–2.2). */

export interface MatmulOptions extends Omit<InstrOptions, 'engine' | 'dtype'> {
  /**
   * Add into `dst` instead of overwriting. Default: accumulate when the last instruction that touched `dst` was a
   * matmul into it (a running accumulation group), otherwise overwrite.
   */
  readonly accumulate?: boolean;
  /** PE-array tiling: [row, column] of the tile (multiples of 32); give with tileSize. */
  readonly tilePosition?: readonly [number, number];
  /** PE-array tiling: [rows, columns] of the tile (multiples of 32); give with tilePosition. */
  readonly tileSize?: readonly [number, number];
  /** Transpose mode: moving is the identity; the result keeps the stationary dtype, bit-exact. */
  readonly isTranspose?: boolean;
  /** Hints: the fp32 operand holds only 0/1 (2x faster). */
  readonly isStationaryOnezero?: boolean;
  readonly isMovingOnezero?: boolean;
  /** 'doubleRow': fp8 with K up to 256, operands laid out [K, 2, ...] (NeuronCore-v3+). */
  readonly perfMode?: 'none' | 'doubleRow';
}

/**
 * result[M, N] = stationary[K, M]ᵀ · moving[K, N] into PSUM fp32 (transpose mode: the stationary dtype).
 * doubleRow: stationary [K, 2, M], moving [K, 2, N].
 */
export function ncMatmul(stationary: Tensor, moving: Tensor, opts?: MatmulOptions): Tensor {
  const s = tensorArg(stationary, 'ncMatmul stationary');
  const m = tensorArg(moving, 'ncMatmul moving');
  const depth = opts?.perfMode === 'doubleRow' ? 2 : 1;
  const shape = [freeSize(s.shape) / depth, freeSize(m.shape) / depth].map(Math.floor);
  const dtype = opts?.isTranspose ? s.dtype : 'float32';
  const dst = destination(opts, shape, dtype, 'psum', 'matmul');
  const accumulate = opts?.accumulate ?? (opts?.isTranspose ? false : continuesGroup(dst.view));
  const attrs: MatmulAttrs = {
    accumulate,
    ...(opts?.tilePosition !== undefined ? { tilePosition: opts.tilePosition } : {}),
    ...(opts?.tileSize !== undefined ? { tileSize: opts.tileSize } : {}),
    ...(opts?.isTranspose ? { isTranspose: true } : {}),
    ...(opts?.isStationaryOnezero ? { isStationaryOnezero: true } : {}),
    ...(opts?.isMovingOnezero ? { isMovingOnezero: true } : {}),
    ...(opts?.perfMode !== undefined && opts.perfMode !== 'none' ? { perfMode: opts.perfMode } : {}),
  };
  emit('ncMatmul', [s.view, m.view], [dst.view], attrs);
  return dst;
}

function continuesGroup(dst: View): boolean {
  const last = activeTrace().lastTouch.get(dst.buffer);
  if (last?.op !== 'ncMatmul') return false;
  const o = last.outs[0];
  return o.buffer === dst.buffer && o.offset === dst.offset && o.shape.join() === dst.shape.join();
}

/** Swap partition and free axes: TensorE (default, into PSUM, up to 128x128) or VectorE (32x32). */
export function ncTranspose(data: Tensor, opts?: InstrOptions & { engine?: 'tensor' | 'vector' }): Tensor {
  const src = tensorArg(data, 'ncTranspose data');
  const engine = opts?.engine ?? 'tensor';
  const kind = engine === 'tensor' ? 'psum' : 'sbuf';
  const dst = destination(
    opts,
    [freeSize(src.shape), src.shape[0]],
    opts?.dtype ?? src.dtype,
    kind,
    'transpose',
  );
  emit('ncTranspose', [src.view], [dst.view], {}, engine);
  return dst;
}

export interface ActivationOptions extends InstrOptions, ReduceOptionsBase {
  readonly bias?: Tensor | number;
  readonly scale?: Tensor | number;
  /** prelu's negative slope. */
  readonly alpha?: number;
}

/**
 * out = op(data * scale + bias) on ScalarE. With `reduceRes` (a [P, 1] tile) the results are also reduced along the
 * free axes (`reduceOp`, default add); an explicit `reduceCmd` drives the ACT accumulator registers across
 * instructions (see ir/ops/accumulator.ts), e.g. 'resetReduce' on the first chunk and 'reduce' on the rest.
 */
export function activation(op: ActivationFn, data: Tensor, opts?: ActivationOptions): Tensor {
  const x = tensorArg(data, 'activation data');
  const ins: View[] = [x.view];
  const scale = scalarOperand(opts?.scale ?? 1, ins, 'activation scale');
  const bias: ScalarOperand | undefined =
    opts?.bias === undefined ? undefined : scalarOperand(opts.bias, ins, 'activation bias');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', op);
  const outs = [dst.view];
  const acc = accumulatorAttrs('scalar', x.shape[0], ins, outs, opts, 'add');
  emit(
    'activation',
    ins,
    outs,
    {
      func: op,
      scale,
      bias,
      ...(opts?.alpha !== undefined ? { alpha: opts.alpha } : {}),
      ...(acc ? { acc } : {}),
    },
    opts?.engine,
  );
  return dst;
}

/** out = a op b elementwise. */
export function tensorTensor(a: Tensor, b: Tensor, op: AluOp, opts?: InstrOptions): Tensor {
  const x = tensorArg(a, 'tensorTensor data1');
  const y = tensorArg(b, 'tensorTensor data2');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', op);
  const engine = opts?.engine ?? 'vector';
  const numerics = aluNumerics([op], engine, [x.view, y.view, dst.view]);
  emit('tensorTensor', [x.view, y.view], [dst.view], { op, ...defined(numerics) }, opts?.engine);
  return dst;
}

export interface TensorScalarOptions extends InstrOptions {
  readonly reverse0?: boolean;
  readonly op1?: AluOp;
  readonly operand1?: number | Tensor;
  readonly reverse1?: boolean;
}

/** out = (data op0 operand0) op1 operand1; operands are numbers or [P, 1] tiles. */
export function tensorScalar(
  data: Tensor,
  op0: AluOp,
  operand0: number | Tensor,
  opts?: TensorScalarOptions,
): Tensor {
  const x = tensorArg(data, 'tensorScalar data');
  const ins: View[] = [x.view];
  const o0 = scalarOperand(operand0, ins, 'tensorScalar operand0');
  if ((opts?.op1 === undefined) !== (opts?.operand1 === undefined))
    raise('TK0209', 'tensorScalar: give op1 and operand1 together');
  const o1 =
    opts?.operand1 === undefined ? undefined : scalarOperand(opts.operand1, ins, 'tensorScalar operand1');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', op0);
  const numerics = aluNumerics([op0, opts?.op1], opts?.engine ?? 'vector', [...ins, dst.view]);
  const attrs = {
    op0,
    operand0: o0,
    reverse0: opts?.reverse0 ?? false,
    op1: opts?.op1,
    operand1: o1,
    reverse1: opts?.reverse1 ?? false,
    ...defined(numerics),
  };
  emit('tensorScalar', ins, [dst.view], attrs, opts?.engine);
  return dst;
}

export interface ReduceOptions extends InstrOptions {
  readonly negate?: boolean;
  /** Keep reduced dims as size 1 (on-chip results always keep at least [P, 1]). */
  readonly keepdims?: boolean;
}

/** Reduce trailing free axes of each partition. `axis` counts from 0 (the partition dim) and may be negative. */
export function tensorReduce(
  op: AluOp,
  data: Tensor,
  axis: number | readonly number[],
  opts?: ReduceOptions,
): Tensor {
  const x = tensorArg(data, 'tensorReduce data');
  const rank = x.shape.length;
  const axes = (typeof axis === 'number' ? [axis] : [...axis]).map((a) => (a < 0 ? rank + a : a));
  const shape = x.shape.map((n, d) => (axes.includes(d) ? (opts?.keepdims ? 1 : 0) : n)).filter((n) => n > 0);
  if (shape.length < 2) shape.push(1);
  const dst = destination(opts, shape, opts?.dtype ?? x.dtype, 'sbuf', `reduce_${op}`);
  const numerics = aluNumerics([op], 'vector', [x.view, dst.view]);
  emit(
    'tensorReduce',
    [x.view],
    [dst.view],
    { op, axes, negate: opts?.negate ?? false, ...defined(numerics) },
    opts?.engine,
  );
  return dst;
}

/** Copy (and cast to `dtype`/the destination's dtype). */
export function tensorCopy(src: Tensor, opts?: InstrOptions): Tensor {
  const x = tensorArg(src, 'tensorCopy src');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'copy');
  emit('tensorCopy', [x.view], [dst.view], {}, opts?.engine);
  return dst;
}

/** Fill `dst` (a tile) or a new SBUF tile of `shape` with `value`. */
export function memset(
  dstOrShape: Tensor | readonly number[],
  value: number,
  dtype?: DType,
  opts?: InstrOptions,
): Tensor {
  const dst = Array.isArray(dstOrShape)
    ? destination(opts, checkShape(dstOrShape), checkDType(dtype ?? 'float32'), 'sbuf', 'memset')
    : tensorArg(dstOrShape, 'memset dst');
  emit('memset', [], [dst.view], { value }, opts?.engine);
  return dst;
}

export interface IotaOptions extends Omit<InstrOptions, 'dtype' | 'engine'> {
  readonly offset?: number;
  /** Added per partition: value += partition * channelMultiplier. */
  readonly channelMultiplier?: number;
  /** [step, count] pairs over the free dims, outermost first; default: the flat free index. */
  readonly pattern?: readonly (readonly [number, number])[];
}

/** Write offset + p * channelMultiplier + Σ step·i into a new SBUF tile (GpSimd). */
export function iota(shape: readonly number[], dtype: DType, opts?: IotaOptions): Tensor {
  checkShape(shape);
  const dst = destination(opts, shape, checkDType(dtype), 'sbuf', 'iota');
  const pattern = opts?.pattern ?? [[1, freeSize(dst.shape)] as const];
  emit('iota', [], [dst.view], {
    offset: opts?.offset ?? 0,
    channelMultiplier: opts?.channelMultiplier ?? 0,
    pattern,
  });
  return dst;
}

export * from './nisa/compute.ts';
export * from './nisa/gather.ts';
export * from './nisa/random.ts';
export * from './nisa/select.ts';
export * from './nisa-dma.ts';
