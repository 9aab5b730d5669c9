import { ALU_OPS, type AluOp, type AluOpInfo, applyAlu, isAluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { partitions, requireSpace } from './checks.ts';

export interface TensorReduceAttrs {
  readonly op: AluOp;
  /** Input dims reduced: free dims, trailing and contiguous (neuroncore.md §2.1 tensor_reduce [IL]). */
  readonly axes: readonly number[];
  readonly negate: boolean;
}

/** Reduce trailing free axes of each partition; negate is free (neuroncore.md §2.1 tensor_reduce [IL]). */
export const tensorReduce = defineOp<TensorReduceAttrs>({
  summary: 'reduce trailing free axes per partition',
  engines: ['vector'],
  check: ({ ins: [data], outs: [out], attrs }) => {
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
  },
  evaluate: ({ ins: [data], inShapes: [shape], outs: [out], attrs }) => {
    let group = 1;
    for (const a of attrs.axes) group *= shape[a];
    const identity = (ALU_OPS[attrs.op] as AluOpInfo).identity ?? 0;
    for (let o = 0; o < out.length; o++) {
      let acc = identity;
      const base = o * group;
      for (let i = 0; i < group; i++) acc = applyAlu(attrs.op, acc, data[base + i]);
      out[o] = attrs.negate ? -acc : acc;
    }
  },
  flops: ([data]) => numel(data.shape),
  describe: (a) => `${a.op} axes=[${a.axes}]${a.negate ? ' negate' : ''}`,
});
