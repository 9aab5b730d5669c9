import type { ActivationFn } from '../ir/activation.ts';
import type { AluOp } from '../ir/alu.ts';
import type { DType } from '../ir/dtypes.ts';
import type { ScalarOperand } from '../ir/ops/operand.ts';
import { freeSize, type View } from '../ir/types.ts';
import { activeTrace, raise } from '../tracer/context.ts';
import { checkDType, checkShape } from './alloc.ts';
import { destination, emit, type InstrOptions, scalarOperand, tensorArg } from './operands.ts';
import type { Tensor } from './tensor.ts';

/** nki.isa in TypeScript: one call, one ISA instruction (neuroncore.md §2.1–2.2). */

export interface MatmulOptions extends Omit<InstrOptions, 'engine' | 'dtype'> {
  /**
   * Add into `dst` instead of overwriting. Default: accumulate when the last instruction that touched `dst` was a
   * matmul into it (a running accumulation group), otherwise overwrite.
   */
  readonly accumulate?: boolean;
}

/** result[M, N] = stationary[K, M]ᵀ · moving[K, N] into PSUM fp32. */
export function ncMatmul(stationary: Tensor, moving: Tensor, opts?: MatmulOptions): Tensor {
  const s = tensorArg(stationary, 'ncMatmul stationary');
  const m = tensorArg(moving, 'ncMatmul moving');
  const dst = destination(opts, [freeSize(s.shape), freeSize(m.shape)], 'float32', 'psum', 'matmul');
  const accumulate = opts?.accumulate ?? continuesGroup(dst.view);
  emit('ncMatmul', [s.view, m.view], [dst.view], { accumulate });
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

export interface ActivationOptions extends InstrOptions {
  readonly bias?: Tensor | number;
  readonly scale?: Tensor | number;
  /** A [P, 1] tile that receives the add-reduction of the results along the free axes. */
  readonly reduceRes?: Tensor;
}

/** out = op(data * scale + bias) on ScalarE. */
export function activation(op: ActivationFn, data: Tensor, opts?: ActivationOptions): Tensor {
  const x = tensorArg(data, 'activation data');
  const ins: View[] = [x.view];
  const scale = scalarOperand(opts?.scale ?? 1, ins, 'activation scale');
  const bias: ScalarOperand | undefined =
    opts?.bias === undefined ? undefined : scalarOperand(opts.bias, ins, 'activation bias');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', op);
  const outs = [dst.view];
  if (opts?.reduceRes !== undefined) outs.push(tensorArg(opts.reduceRes, 'activation reduceRes').view);
  emit(
    'activation',
    ins,
    outs,
    { func: op, scale, bias, reduce: opts?.reduceRes !== undefined },
    opts?.engine,
  );
  return dst;
}

/** out = a op b elementwise. */
export function tensorTensor(a: Tensor, b: Tensor, op: AluOp, opts?: InstrOptions): Tensor {
  const x = tensorArg(a, 'tensorTensor data1');
  const y = tensorArg(b, 'tensorTensor data2');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', op);
  emit('tensorTensor', [x.view, y.view], [dst.view], { op }, opts?.engine);
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
  const attrs = {
    op0,
    operand0: o0,
    reverse0: opts?.reverse0 ?? false,
    op1: opts?.op1,
    operand1: o1,
    reverse1: opts?.reverse1 ?? false,
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
  emit('tensorReduce', [x.view], [dst.view], { op, axes, negate: opts?.negate ?? false }, opts?.engine);
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

/** DMA `src` into `dst` (HBM↔SBUF, HBM→HBM, SBUF→SBUF), casting through fp32. NKI order: destination first. */
export function dmaCopy(dst: Tensor, src: Tensor): Tensor {
  const d = tensorArg(dst, 'dmaCopy dst');
  const s = tensorArg(src, 'dmaCopy src');
  emit('dmaCopy', [s.view], [d.view], {});
  return d;
}
