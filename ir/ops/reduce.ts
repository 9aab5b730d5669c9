import { ALU_OPS, type AluOp, type AluOpInfo, isAluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { type AluNumerics, alu, checkAluTypes, checkNumerics, finish } from './alu-rules.ts';
import { elemsPerPartition, partitions, requireSpace } from './checks.ts';

export interface TensorReduceAttrs extends AluNumerics {
  readonly op: AluOp;
  /** Input dims reduced: free dims, trailing and contiguous (neuroncore.md §2.1 tensor_reduce [IL]). */
  readonly axes: readonly number[];
  readonly negate: boolean;
}

/**
 * Reduce trailing free axes of each partition (neuroncore.md §2.1 tensor_reduce [IL]). Reduction-legal ops of §2.3:
 * add, subtract, multiply, maximum, minimum, absMax, logicalAnd/Or/Xor, bitwiseAnd/Or/Xor. Arithmetic reductions run
 * in fp32 and may be negated for free; bitvec reductions need integer tiles and work on the bit patterns.
 */
export const tensorReduce = defineOp<TensorReduceAttrs>({
  summary: 'reduce trailing free axes per partition',
  engines: ['vector'],
  check: ({ ins: [data], outs: [out], attrs, engine }) => {
    if (!isAluOp(attrs.op) || !ALU_OPS[attrs.op].reducible) {
      fail('TK0209', `tensorReduce: '${String(attrs.op)}' is not a reduction op`);
    }
    requireSpace(data, ['sbuf', 'psum'], 'tensorReduce input');
    requireSpace(out, ['sbuf', 'psum'], 'tensorReduce destination');
    const rank = data.shape.length;
    const axes = [...attrs.axes].sort((a, b) => a - b);
    if (axes.length === 0 || axes[0] < 1 || axes[axes.length - 1] !== rank - 1) {
      fail(
        'TK0209',
        `tensorReduce axes [${attrs.axes}] must be trailing free axes of a rank-${rank} tile (include ${rank - 1})`,
      );
    }
    for (let i = 1; i < axes.length; i++) {
      if (axes[i] !== axes[i - 1] + 1) fail('TK0209', `tensorReduce axes [${attrs.axes}] must be contiguous`);
    }
    const kept = data.shape.slice(0, axes[0]);
    if (partitions(out) !== partitions(data) || numel(out.shape) !== numel(kept)) {
      fail(
        'TK0205',
        `tensorReduce result is [${kept}] (or with size-1 dims) but the destination is [${out.shape}]`,
      );
    }
    checkAluTypes([attrs.op], [data, out], 'tensorReduce');
    if (attrs.negate && ALU_OPS[attrs.op].class !== 'arithmetic') {
      fail('TK0209', `tensorReduce: negate applies to arithmetic reductions only, not '${attrs.op}'`);
    }
    checkNumerics(attrs, out, engine, 'tensorReduce');
  },
  evaluate: ({ ins: [data], inShapes: [shape], outs: [out], attrs }) => {
    let group = 1;
    for (const a of attrs.axes) group *= shape[a];
    const identity = (ALU_OPS[attrs.op] as AluOpInfo).identity ?? 0;
    for (let o = 0; o < out.length; o++) {
      let acc = identity;
      const base = o * group;
      for (let i = 0; i < group; i++) acc = alu(attrs.op, acc, data[base + i], attrs);
      out[o] = finish(attrs, attrs.negate ? -acc : acc);
    }
  },
  flops: ([data]) => numel(data.shape),
  describe: (a) => `${a.op} axes=[${a.axes}]${a.negate ? ' negate' : ''}`,
});

/** The reductions GpSimd runs across partitions (neuroncore.md §2.1 tensor_partition_reduce [IL]). */
export const PARTITION_REDUCE_OPS: readonly AluOp[] = ['add', 'maximum', 'bitwiseOr', 'bitwiseAnd'];

export interface TensorPartitionReduceAttrs extends AluNumerics {
  readonly op: AluOp;
}

/**
 * out[0, f] = op over p of data[p, f]: a reduction across partitions on GpSimd, SBUF only
 * (neuroncore.md §2.1 tensor_partition_reduce [IL]). Partitions are folded in order 0, 1, ..., P-1 in fp32
 * (bitvec ops on integer bit patterns).
 */
export const tensorPartitionReduce = defineOp<TensorPartitionReduceAttrs>({
  summary: 'reduce across partitions (GpSimd)',
  engines: ['gpsimd'],
  check: ({ ins: [data], outs: [out], attrs, engine }) => {
    if (!PARTITION_REDUCE_OPS.includes(attrs.op)) {
      fail(
        'TK0209',
        `tensorPartitionReduce: op '${String(attrs.op)}' is not one of ${PARTITION_REDUCE_OPS.join(', ')}`,
      );
    }
    requireSpace(data, ['sbuf'], 'tensorPartitionReduce input (GpSimd reaches SBUF only)');
    requireSpace(out, ['sbuf'], 'tensorPartitionReduce destination');
    if (partitions(out) !== 1 || elemsPerPartition(out) !== elemsPerPartition(data)) {
      fail(
        'TK0205',
        `tensorPartitionReduce of [${data.shape}] is [1, ${elemsPerPartition(data)}], destination is [${out.shape}]`,
      );
    }
    checkAluTypes([attrs.op], [data, out], 'tensorPartitionReduce');
    checkNumerics(attrs, out, engine, 'tensorPartitionReduce');
  },
  evaluate: ({ ins: [data], inShapes: [shape], outs: [out], attrs }) => {
    const P = shape[0];
    const F = data.length / P;
    for (let f = 0; f < F; f++) {
      let acc = data[f];
      if (ALU_OPS[attrs.op].class !== 'bitvec') acc = Math.fround(acc);
      for (let p = 1; p < P; p++) acc = alu(attrs.op, acc, data[p * F + f], attrs);
      out[f] = finish(attrs, acc);
    }
  },
  flops: ([data]) => numel(data.shape),
  describe: (a) => a.op,
});
