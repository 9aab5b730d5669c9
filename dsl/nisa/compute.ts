import type { ActivationFn } from '../../ir/activation.ts';
import type { AluOp } from '../../ir/alu.ts';
import { aluNumerics } from '../../ir/ops/alu-rules.ts';
import type { View } from '../../ir/types.ts';
import { destination, emit, type InstrOptions, scalarOperand, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { accumulatorAttrs, defined, type ReduceOptionsBase } from './state.ts';

/** nki.isa compute instructions beyond the core set (neuroncore.md §2.1): one call, one instruction. */

type Scalar = number | Tensor;

export interface ActivationReduceOptions extends InstrOptions {
  /** The [P, 1] tile that receives the reduction. */
  readonly reduceRes: Tensor;
  /** Default add (the only reduction on NeuronCore-v2). */
  readonly reduceOp?: AluOp;
  readonly bias?: Scalar;
  readonly scale?: Scalar;
  readonly alpha?: number;
}

/** out = op(data * scale + bias) and reduceRes = reduceOp over the free axes of out (legacy activation_reduce). */
export function activationReduce(op: ActivationFn, data: Tensor, opts: ActivationReduceOptions): Tensor {
  const x = tensorArg(data, 'activationReduce data');
  const ins: View[] = [x.view];
  const scale = scalarOperand(opts.scale ?? 1, ins, 'activationReduce scale');
  const bias = opts.bias === undefined ? undefined : scalarOperand(opts.bias, ins, 'activationReduce bias');
  const dst = destination(opts, x.shape, opts.dtype ?? x.dtype, 'sbuf', op);
  const res = tensorArg(opts.reduceRes, 'activationReduce reduceRes');
  const attrs = defined({ func: op, scale, bias, alpha: opts.alpha, reduceOp: opts.reduceOp ?? 'add' });
  emit('activationReduce', ins, [dst.view, res.view], attrs, opts.engine);
  return dst;
}

export interface ScalarTensorTensorOptions extends InstrOptions {
  readonly reverse0?: boolean;
  readonly reverse1?: boolean;
}

/** out = (data op0 operand0) op1 operand1; operand0 a number or [P, 1] tile, operand1 a tile of data's shape. */
export function scalarTensorTensor(
  data: Tensor,
  op0: AluOp,
  operand0: Scalar,
  op1: AluOp,
  operand1: Tensor,
  opts?: ScalarTensorTensorOptions,
): Tensor {
  const x = tensorArg(data, 'scalarTensorTensor data');
  const y = tensorArg(operand1, 'scalarTensorTensor operand1');
  const ins: View[] = [x.view, y.view];
  const o0 = scalarOperand(operand0, ins, 'scalarTensorTensor operand0');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'stt');
  const numerics = aluNumerics([op0, op1], 'vector', [...ins, dst.view]);
  const attrs = {
    op0,
    operand0: o0,
    reverse0: opts?.reverse0 ?? false,
    op1,
    reverse1: opts?.reverse1 ?? false,
    ...defined(numerics),
  };
  emit('scalarTensorTensor', ins, [dst.view], attrs, opts?.engine);
  return dst;
}

export interface TensorScalarReduceOptions extends InstrOptions, ReduceOptionsBase {
  readonly reverse0?: boolean;
}

/** out = data op0 operand0 and reduceRes = reduceOp (default add) of out over the free axes. */
export function tensorScalarReduce(
  data: Tensor,
  op0: AluOp,
  operand0: Scalar,
  opts: TensorScalarReduceOptions,
): Tensor {
  const x = tensorArg(data, 'tensorScalarReduce data');
  const ins: View[] = [x.view];
  const o0 = scalarOperand(operand0, ins, 'tensorScalarReduce operand0');
  const dst = destination(opts, x.shape, opts.dtype ?? x.dtype, 'sbuf', 'tsr');
  const outs = [dst.view];
  const acc = accumulatorAttrs('vector', x.shape[0], ins, outs, opts, 'add');
  emit(
    'tensorScalarReduce',
    ins,
    outs,
    {
      op0,
      operand0: o0,
      reverse0: opts.reverse0 ?? false,
      ...(acc ?? { reduceOp: 'add', reduceCmd: 'resetReduce' }),
    },
    opts.engine,
  );
  return dst;
}

export interface TensorScalarCumulativeOptions extends InstrOptions {
  readonly reverse0?: boolean;
  /** Default 'resetReduce'; 'loadReduce' starts from imm1; 'reduce' continues the DVE accumulators. */
  readonly reduceCmd?: ReduceOptionsBase['reduceCmd'];
  /** loadReduce's starting value. */
  readonly imm1?: number;
  readonly reduceRes?: Tensor;
}

/** Running reduction: out[i] = reg = op1(data[i] op0 imm0, reg) per partition. */
export function tensorScalarCumulative(
  src: Tensor,
  op0: AluOp,
  imm0: Scalar,
  op1: AluOp,
  opts?: TensorScalarCumulativeOptions,
): Tensor {
  const x = tensorArg(src, 'tensorScalarCumulative src');
  const ins: View[] = [x.view];
  const o0 = scalarOperand(imm0, ins, 'tensorScalarCumulative imm0');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'cumulative');
  const outs = [dst.view];
  const acc = accumulatorAttrs(
    'vector',
    x.shape[0],
    ins,
    outs,
    { reduceRes: opts?.reduceRes, reduceOp: op1, reduceCmd: opts?.reduceCmd, reduceInit: opts?.imm1 },
    op1,
  ) ?? { reduceOp: op1, reduceCmd: 'resetReduce' };
  emit(
    'tensorScalarCumulative',
    ins,
    outs,
    { op0, operand0: o0, reverse0: opts?.reverse0 ?? false, ...acc },
    opts?.engine,
  );
  return dst;
}

export interface ScanOptions extends InstrOptions {
  readonly reverse0?: boolean;
  readonly reverse1?: boolean;
}

/** r[i] = op1(op0(data0[i], r[i-1]), data1[i]) per partition, r[-1] = initial (number or [P, 1] tile). */
export function tensorTensorScan(
  data0: Tensor,
  data1: Tensor,
  initial: Scalar,
  op0: AluOp,
  op1: AluOp,
  opts?: ScanOptions,
): Tensor {
  const a = tensorArg(data0, 'tensorTensorScan data0');
  const b = tensorArg(data1, 'tensorTensorScan data1');
  const ins: View[] = [a.view, b.view];
  const init = scalarOperand(initial, ins, 'tensorTensorScan initial');
  const dst = destination(opts, a.shape, opts?.dtype ?? a.dtype, 'sbuf', 'scan');
  const attrs = {
    op0,
    op1,
    initial: init,
    reverse0: opts?.reverse0 ?? false,
    reverse1: opts?.reverse1 ?? false,
  };
  emit('tensorTensorScan', ins, [dst.view], attrs, opts?.engine);
  return dst;
}

/** out[0, f] = op over partitions of data[:, f] (GpSimd; add, maximum, bitwiseOr, bitwiseAnd). */
export function tensorPartitionReduce(op: AluOp, data: Tensor, opts?: InstrOptions): Tensor {
  const x = tensorArg(data, 'tensorPartitionReduce data');
  const dst = destination(opts, [1, ...x.shape.slice(1)], opts?.dtype ?? x.dtype, 'sbuf', `preduce_${op}`);
  const numerics = aluNumerics([op], 'gpsimd', [x.view, dst.view]);
  emit('tensorPartitionReduce', [x.view], [dst.view], { op, ...defined(numerics) }, opts?.engine);
  return dst;
}

/** 1/x per element (VectorE by default: fp32-accurate; engine 'scalar' is 8x faster for large tiles). */
export function reciprocal(data: Tensor, opts?: InstrOptions): Tensor {
  const x = tensorArg(data, 'reciprocal data');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'reciprocal');
  emit('reciprocal', [x.view], [dst.view], {}, opts?.engine);
  return dst;
}

/** [P, 6] statistics (count, mean, var·count of even then odd elements) of a tile with <= 512 elements per partition. */
export function bnStats(data: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(data, 'bnStats data');
  const dst = destination(opts, [x.shape[0], 6], opts?.dtype ?? x.dtype, 'sbuf', 'bn_stats');
  emit('bnStats', [x.view], [dst.view], {});
  return dst;
}

/** [P, 2] (mean, variance) from bnStats triples. */
export function bnAggr(data: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(data, 'bnAggr data');
  const dst = destination(opts, [x.shape[0], 2], opts?.dtype ?? x.dtype, 'sbuf', 'bn_aggr');
  emit('bnAggr', [x.view], [dst.view], {});
  return dst;
}
