import { ALU_OPS, type AluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { type AccumulatorAttrs, accumulate, checkAccumulator, describeAccumulator } from './accumulator.ts';
import { type AluNumerics, alu, checkAluOp, checkAluTypes, checkNumerics, finish } from './alu-rules.ts';
import { notBothPsum, requireSpace, sameTile } from './checks.ts';
import { checkScalarOperand, ON_CHIP } from './elementwise.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

export interface ScalarTensorTensorAttrs extends AluNumerics {
  readonly op0: AluOp;
  /** Immediate or [P, 1] vector; the second tensor is always input 1. */
  readonly operand0: ScalarOperand;
  readonly reverse0: boolean;
  readonly op1: AluOp;
  readonly reverse1: boolean;
}

/**
 * out = (data op0 operand0) op1 data1 on VectorE (neuroncore.md §2.1 scalar_tensor_tensor [IL]): operand0 is an
 * immediate or a [P, 1] vector, data1 has data's shape; reverse0/1 put the scalar / data1 on the left. data and data1
 * cannot both be in PSUM. ins = [data, data1, (operand0 vector)].
 */
export const scalarTensorTensor = defineOp<ScalarTensorTensorAttrs>({
  summary: '(data op0 scalar) op1 tensor on VectorE',
  engines: ['vector'],
  check: ({ ins, outs: [out], attrs, engine }) => {
    const [data, data1] = ins;
    checkAluOp(attrs.op0, engine, 'scalarTensorTensor op0');
    checkAluOp(attrs.op1, engine, 'scalarTensorTensor op1', { binary: true });
    for (const v of [...ins, out]) requireSpace(v, ON_CHIP, 'scalarTensorTensor operand');
    checkScalarOperand(attrs.operand0, ins, 'scalarTensorTensor operand0');
    sameTile(data1, data, 'scalarTensorTensor operand1');
    sameTile(out, data, 'scalarTensorTensor destination');
    notBothPsum(data, data1, 'scalarTensorTensor');
    checkAluTypes([attrs.op0, attrs.op1], [...ins, out], 'scalarTensorTensor');
    checkNumerics(attrs, out, engine, 'scalarTensorTensor');
  },
  evaluate: ({ ins, inShapes, outs: [out], attrs }) => {
    const [data, data1] = ins;
    const P = inShapes[0][0];
    const F = data.length / P;
    for (let p = 0; p < P; p++) {
      const s = scalarAt(attrs.operand0, ins, p);
      for (let f = 0, i = p * F; f < F; f++, i++) {
        const v = attrs.reverse0 ? alu(attrs.op0, s, data[i], attrs) : alu(attrs.op0, data[i], s, attrs);
        const r = attrs.reverse1 ? alu(attrs.op1, data1[i], v, attrs) : alu(attrs.op1, v, data1[i], attrs);
        out[i] = finish(attrs, r);
      }
    }
  },
  flops: ([data]) => 2 * numel(data.shape),
  describe: (a) =>
    `${a.op0}${a.reverse0 ? '(rev)' : ''} ${describeScalar(a.operand0)}, ${a.op1}${a.reverse1 ? '(rev)' : ''} %in1`,
});

/** reduce ops of tensor_scalar_reduce (neuroncore.md §2.1 [IL]). */
export const DVE_REDUCE_OPS: readonly AluOp[] = ['add', 'subtract', 'multiply', 'maximum', 'minimum'];

export interface TensorScalarReduceAttrs extends AccumulatorAttrs {
  readonly op0: AluOp;
  readonly operand0: ScalarOperand;
  readonly reverse0: boolean;
}

/**
 * out = data op0 operand0 (one arithmetic op), and the results reduced along all free axes into the DVE
 * accumulators and read out as [P, 1] (neuroncore.md §2.1 tensor_scalar_reduce [IL]). outs = [out, reduce result,
 * (state)]; reduce op add, subtract, multiply, maximum or minimum.
 */
export const tensorScalarReduce = defineOp<TensorScalarReduceAttrs>({
  summary: 'tensor_scalar with one op plus a free-axis reduction into [P,1]',
  engines: ['vector'],
  check: ({ ins, outs, attrs, engine }) => {
    checkAluOp(attrs.op0, engine, 'tensorScalarReduce op0');
    if (ALU_OPS[attrs.op0].class !== 'arithmetic') {
      fail(
        'TK0209',
        `tensorScalarReduce: op0 must be arithmetic, not ${ALU_OPS[attrs.op0].class} '${attrs.op0}'`,
      );
    }
    for (const v of [...ins, ...outs]) requireSpace(v, ON_CHIP, 'tensorScalarReduce operand');
    checkScalarOperand(attrs.operand0, ins, 'tensorScalarReduce operand0');
    sameTile(outs[0], ins[0], 'tensorScalarReduce destination');
    checkAccumulator(attrs, ins, outs, ins[0], DVE_REDUCE_OPS, 'tensorScalarReduce');
  },
  // The accumulator state is read-modify-written (see accumulator.ts).
  readsOutputs: (a) => a.state !== undefined,
  evaluate: ({ ins, inShapes, outs, attrs }) => {
    const data = ins[0];
    const P = inShapes[0][0];
    const F = data.length / P;
    const values = new Float64Array(data.length);
    for (let p = 0; p < P; p++) {
      const s = scalarAt(attrs.operand0, ins, p);
      for (let f = 0, i = p * F; f < F; f++, i++) {
        values[i] = attrs.reverse0 ? alu(attrs.op0, s, data[i], {}) : alu(attrs.op0, data[i], s, {});
      }
    }
    outs[0].set(values);
    accumulate(attrs, ins, outs, values, P);
  },
  flops: ([data]) => 2 * numel(data.shape),
  describe: (a) =>
    `${a.op0}${a.reverse0 ? '(rev)' : ''} ${describeScalar(a.operand0)}${describeAccumulator(a)}`,
});
