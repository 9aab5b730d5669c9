import type { AluOp } from '../../ir/alu.ts';
import type { ScalarOperand } from '../../ir/ops/operand.ts';
import { FP32_MIN } from '../../ir/ops/select.ts';
import { freeSize, type View } from '../../ir/types.ts';
import { destination, emit, type InstrOptions, scalarOperand, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { accumulatorAttrs, defined, type ReduceOptionsBase } from './state.ts';

/** nki.isa selection instructions (neuroncore.md §2.1): predicated copies and selects. */

type Scalar = number | Tensor;

/** dst = src where predicate (reversePred: where not); dst keeps its other elements. NKI order: dst first. */
export function tensorCopyPredicated(
  dst: Tensor,
  src: Tensor,
  predicate: Tensor,
  opts?: { readonly reversePred?: boolean; readonly engine?: InstrOptions['engine'] },
): Tensor {
  const d = tensorArg(dst, 'tensorCopyPredicated dst');
  const s = tensorArg(src, 'tensorCopyPredicated src');
  const p = tensorArg(predicate, 'tensorCopyPredicated predicate');
  emit(
    'tensorCopyPredicated',
    [s.view, p.view],
    [d.view],
    { reversePred: opts?.reversePred ?? false },
    opts?.engine,
  );
  return d;
}

export interface AffineSelectOptions extends Omit<InstrOptions, 'engine'> {
  /** [step, count] pairs over the free dims, outermost first; default the flat free index. */
  readonly pattern?: readonly (readonly [number, number])[];
  readonly offset?: number;
  readonly channelMultiplier?: number;
  /** Compares the affine value with 0; default 'equal' (NKI's default). */
  readonly cmpOp?: AluOp;
}

/** out = cmpOp(offset + p·channelMultiplier + Σ step·i, 0) ? onTrue : onFalseValue (GpSimd). */
export function affineSelect(onTrue: Tensor, onFalseValue: number, opts?: AffineSelectOptions): Tensor {
  const x = tensorArg(onTrue, 'affineSelect onTrue');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'affine_select');
  emit('affineSelect', [x.view], [dst.view], {
    pattern: opts?.pattern ?? [[1, freeSize(x.shape)]],
    offset: opts?.offset ?? 0,
    channelMultiplier: opts?.channelMultiplier ?? 0,
    cmpOp: opts?.cmpOp ?? 'equal',
    onFalseValue,
  });
  return dst;
}

export interface RangeSelectOptions
  extends Omit<InstrOptions, 'engine'>,
    Omit<ReduceOptionsBase, 'reduceOp'> {
  readonly rangeStart?: number;
  /** Default fp32 min. */
  readonly onFalseValue?: number;
}

/** Keep onTrue[p, i] where (i + rangeStart) compOp0 bound0[p] and compOp1 bound1[p]; optional max into reduceRes. */
export function rangeSelect(
  onTrue: Tensor,
  compOp0: AluOp,
  compOp1: AluOp,
  bound0: Tensor,
  bound1: Tensor,
  opts?: RangeSelectOptions,
): Tensor {
  const x = tensorArg(onTrue, 'rangeSelect onTrue');
  const ins: View[] = [
    x.view,
    tensorArg(bound0, 'rangeSelect bound0').view,
    tensorArg(bound1, 'rangeSelect bound1').view,
  ];
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'range_select');
  const outs = [dst.view];
  const acc = accumulatorAttrs('vector', x.shape[0], ins, outs, { ...opts, reduceOp: 'maximum' }, 'maximum');
  const attrs = defined({
    compOp0,
    compOp1,
    rangeStart: opts?.rangeStart ?? 0,
    onFalseValue: opts?.onFalseValue ?? FP32_MIN,
    acc,
  });
  emit('rangeSelect', ins, outs, attrs);
  return dst;
}

export interface SelectReduceOptions
  extends Omit<InstrOptions, 'engine'>,
    Omit<ReduceOptionsBase, 'reduceOp'> {
  readonly reversePred?: boolean;
}

/** out = predicate ? onTrue : onFalse (number or [P, 1] tile); optional max into reduceRes. */
export function selectReduce(
  predicate: Tensor,
  onTrue: Tensor,
  onFalse: Scalar,
  opts?: SelectReduceOptions,
): Tensor {
  const p = tensorArg(predicate, 'selectReduce predicate');
  const x = tensorArg(onTrue, 'selectReduce onTrue');
  const ins: View[] = [p.view, x.view];
  const f: ScalarOperand = scalarOperand(onFalse, ins, 'selectReduce onFalse');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'select');
  const outs = [dst.view];
  const acc = accumulatorAttrs('vector', x.shape[0], ins, outs, { ...opts, reduceOp: 'maximum' }, 'maximum');
  emit('selectReduce', ins, outs, defined({ onFalse: f, reversePred: opts?.reversePred ?? false, acc }));
  return dst;
}
