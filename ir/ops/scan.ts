import { ALU_OPS, type AluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { type AccumulatorAttrs, checkAccumulator, startRegister } from './accumulator.ts';
import { alu, checkAluOp } from './alu-rules.ts';
import { notBothPsum, requireSpace, sameTile } from './checks.ts';
import { checkScalarOperand, ON_CHIP } from './elementwise.ts';
import { DVE_REDUCE_OPS } from './fused.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

function requireArithmetic(op: AluOp, what: string): void {
  const info = ALU_OPS[op];
  if (info.class !== 'arithmetic' || info.arity !== 2) {
    fail('TK0209', `${what}: '${op}' is not a binary arithmetic op`);
  }
}

export interface TensorTensorScanAttrs {
  readonly op0: AluOp;
  readonly op1: AluOp;
  /** The scan's starting value: an immediate or a [P, 1] vector (input 2). */
  readonly initial: ScalarOperand;
  readonly reverse0: boolean;
  readonly reverse1: boolean;
}

/**
 * Per partition, over the flattened free elements i (neuroncore.md §2.1 tensor_tensor_scan [IL]):
 * r[i] = op1(op0(d0[i], r[i-1]), d1[i]) with r[-1] = initial. reverse0 puts d0 on the right of op0; reverse1 puts
 * d1 on the left of op1. fp32 maths, binary arithmetic ops only, d0 and d1 not both in PSUM.
 */
export const tensorTensorScan = defineOp<TensorTensorScanAttrs>({
  summary: 'running scan of two tiles along the free axis',
  engines: ['vector'],
  check: ({ ins, outs: [out], attrs, engine }) => {
    const [d0, d1] = ins;
    for (const [op, what] of [
      [attrs.op0, 'tensorTensorScan op0'],
      [attrs.op1, 'tensorTensorScan op1'],
    ] as const) {
      checkAluOp(op, engine, what, { binary: true });
      requireArithmetic(op, what);
    }
    for (const v of [...ins, out]) requireSpace(v, ON_CHIP, 'tensorTensorScan operand');
    sameTile(d1, d0, 'tensorTensorScan data1');
    sameTile(out, d0, 'tensorTensorScan destination');
    notBothPsum(d0, d1, 'tensorTensorScan');
    checkScalarOperand(attrs.initial, ins, 'tensorTensorScan initial');
  },
  evaluate: ({ ins, inShapes, outs: [out], attrs }) => {
    const [d0, d1] = ins;
    const P = inShapes[0][0];
    const F = d0.length / P;
    const n = {};
    for (let p = 0; p < P; p++) {
      let r = Math.fround(scalarAt(attrs.initial, ins, p));
      for (let f = 0, i = p * F; f < F; f++, i++) {
        const t = attrs.reverse0 ? alu(attrs.op0, r, d0[i], n) : alu(attrs.op0, d0[i], r, n);
        r = attrs.reverse1 ? alu(attrs.op1, d1[i], t, n) : alu(attrs.op1, t, d1[i], n);
        out[i] = r;
      }
    }
  },
  flops: ([d0]) => 2 * numel(d0.shape),
  describe: (a) =>
    `${a.op0}${a.reverse0 ? '(rev)' : ''}, ${a.op1}${a.reverse1 ? '(rev)' : ''} initial=${describeScalar(a.initial)}`,
});

const CUMULATIVE_DTYPES_EXCLUDED = ['int32', 'uint32', 'tfloat32'];

export interface TensorScalarCumulativeAttrs extends AccumulatorAttrs {
  readonly op0: AluOp;
  readonly operand0: ScalarOperand;
  readonly reverse0: boolean;
}

/**
 * Per partition: reg = reduceOp(op0(x[i], operand0), reg); out[i] = reg (reverse0: op0(operand0, x[i])), with the DVE
 * accumulator register started per reduceCmd: resetReduce from the op's identity (0, 1, -inf, +inf), loadReduce from
 * reduceInit (NKI imm1), reduce from the registers' current value (neuroncore.md §2.1 tensor_scalar_cumulative [IN]).
 * op0 arithmetic; reduce op add/subtract/multiply/maximum/minimum; no int32/uint32/tfloat32 tensors.
 */
export const tensorScalarCumulative = defineOp<TensorScalarCumulativeAttrs>({
  summary: 'tensor_scalar op followed by a running (cumulative) reduction',
  engines: ['vector'],
  check: ({ ins, outs, attrs, engine }) => {
    checkAluOp(attrs.op0, engine, 'tensorScalarCumulative op0');
    if (ALU_OPS[attrs.op0].class !== 'arithmetic') {
      fail('TK0209', `tensorScalarCumulative: op0 must be arithmetic, not '${attrs.op0}'`);
    }
    for (const v of [...ins, ...outs]) requireSpace(v, ON_CHIP, 'tensorScalarCumulative operand');
    for (const v of [ins[0], outs[0]]) {
      if (CUMULATIVE_DTYPES_EXCLUDED.includes(v.dtype)) {
        fail(
          'TK0206',
          `tensorScalarCumulative does not take ${v.dtype} tensors (ISA limit); cast to float32 first`,
        );
      }
    }
    checkScalarOperand(attrs.operand0, ins, 'tensorScalarCumulative operand0');
    sameTile(outs[0], ins[0], 'tensorScalarCumulative destination');
    checkAccumulator(attrs, ins, outs, ins[0], DVE_REDUCE_OPS, 'tensorScalarCumulative');
  },
  // The accumulator state is read-modify-written (see accumulator.ts).
  readsOutputs: (a) => a.state !== undefined,
  evaluate: ({ ins, inShapes, outs, attrs }) => {
    const data = ins[0];
    const P = inShapes[0][0];
    const F = data.length / P;
    const out = outs[0];
    const folds = attrs.reduceCmd !== 'idle' && attrs.reduceCmd !== 'reset';
    for (let p = 0; p < P; p++) {
      const s = scalarAt(attrs.operand0, ins, p);
      let reg = startRegister(attrs, ins, p);
      for (let f = 0, i = p * F; f < F; f++, i++) {
        const v = attrs.reverse0 ? alu(attrs.op0, s, data[i], {}) : alu(attrs.op0, data[i], s, {});
        if (folds) reg = alu(attrs.reduceOp, v, reg, {});
        out[i] = folds ? reg : v;
      }
      if (attrs.reduceRes !== undefined) outs[attrs.reduceRes][p] = reg;
      if (attrs.state) outs[attrs.state.out][p] = reg;
    }
  },
  flops: ([data]) => 2 * numel(data.shape),
  describe: (a) =>
    `${a.op0}${a.reverse0 ? '(rev)' : ''} ${describeScalar(a.operand0)} then ${a.reduceOp}/${a.reduceCmd}` +
    `${a.reduceCmd === 'loadReduce' ? `(${a.reduceInit})` : ''}${a.state ? ' +state' : ''}`,
});
