import { ALU_OPS, type AluOp, isAluOp } from '../alu.ts';
import { DTYPES } from '../dtypes.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { type AccumulatorAttrs, accumulate, checkAccumulator, describeAccumulator } from './accumulator.ts';
import { isIntDType } from './alu-rules.ts';
import { elemsPerPartition, notBothPsum, requireDType, requireSpace, sameTile } from './checks.ts';
import { checkScalarOperand, ON_CHIP } from './elementwise.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

/** fp32's most negative finite value (nl.fp32.min, neuroncore.md §1.11 [LL]). */
export const FP32_MIN = -3.4028234663852886e38;

const COMPARES: readonly AluOp[] = ['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'];

function checkCompare(op: unknown, allowed: readonly AluOp[], what: string): void {
  if (!isAluOp(op) || !allowed.includes(op)) {
    fail('TK0209', `${what}: '${String(op)}' is not a comparison; use ${allowed.join(', ')}`);
  }
}

export interface AffineSelectAttrs {
  /** [step, num] pairs over the free dims, outermost first, as iota's. */
  readonly pattern: readonly (readonly [number, number])[];
  readonly offset: number;
  readonly channelMultiplier: number;
  /** Compares the affine value with 0. */
  readonly cmpOp: AluOp;
  readonly onFalseValue: number;
}

/**
 * out[p, i] = cmpOp(offset + p·channelMultiplier + Σ step_k·i_k, 0) ? onTrue[p, i] : onFalseValue, the affine
 * value in int32 maths, on GpSimd, SBUF in and out (neuroncore.md §2.1 affine_select [IL, IN]). Tiles may be any float
 * or 8/16-bit integer dtype; onFalseValue is an fp32 immediate. The legacy `pred > 0` form is cmpOp 'greater'.
 */
export const affineSelect = defineOp<AffineSelectAttrs>({
  summary: 'select tile values or a constant by an affine predicate of the indices (GpSimd)',
  engines: ['gpsimd'],
  check: ({ ins: [onTrue], outs: [out], attrs }) => {
    checkCompare(attrs.cmpOp, COMPARES, 'affineSelect cmpOp');
    requireSpace(onTrue, ['sbuf'], 'affineSelect on-true tile');
    requireSpace(out, ['sbuf'], 'affineSelect destination');
    sameTile(out, onTrue, 'affineSelect destination');
    for (const v of [onTrue, out]) {
      if (v.dtype === 'int32' || v.dtype === 'uint32') {
        fail('TK0206', `affineSelect takes float or 8/16-bit integer tiles, got ${v.dtype}`);
      }
    }
    const n = attrs.pattern.reduce((acc, [, num]) => acc * num, 1);
    if (attrs.pattern.length > 4 || n !== elemsPerPartition(out)) {
      fail(
        'TK0205',
        `affineSelect pattern (<= 4 dims) covers ${n} elements per partition, the tile has ${elemsPerPartition(out)}`,
      );
    }
  },
  evaluate: ({ ins: [onTrue], inShapes: [shape], outs: [out], attrs }) => {
    const P = shape[0];
    const F = onTrue.length / P;
    const dims = attrs.pattern;
    const idx = new Array<number>(dims.length).fill(0);
    const cmp = ALU_OPS[attrs.cmpOp].fn;
    const onFalse = Math.fround(attrs.onFalseValue);
    for (let p = 0; p < P; p++) {
      idx.fill(0);
      for (let f = 0; f < F; f++) {
        let v = attrs.offset + p * attrs.channelMultiplier;
        for (let d = 0; d < dims.length; d++) v += dims[d][0] * idx[d];
        out[p * F + f] = cmp(v | 0, 0) ? onTrue[p * F + f] : onFalse;
        for (let d = dims.length - 1; d >= 0; d--) {
          if (++idx[d] < dims[d][1]) break;
          idx[d] = 0;
        }
      }
    }
  },
  flops: () => 0,
  describe: (a) =>
    `${a.cmpOp} offset=${a.offset} channel=${a.channelMultiplier} pattern=${JSON.stringify(a.pattern)} else=${a.onFalseValue}`,
});

/** range_select keeps an index only while index + rangeStart stays below 2^24 (neuroncore.md §2.1 [IL]). */
export const RANGE_INDEX_LIMIT = 2 ** 24;
const RANGE_COMPARES: readonly AluOp[] = ['equal', 'greater', 'greaterEqual', 'less', 'lessEqual'];

export interface RangeSelectAttrs {
  readonly compOp0: AluOp;
  readonly compOp1: AluOp;
  readonly rangeStart: number;
  readonly onFalseValue: number;
  /** Max-reduction of the selected values into the DVE accumulators, when requested. */
  readonly acc?: AccumulatorAttrs;
}

/**
 * out[p, i] = (i + rangeStart) compOp0 bound0[p] and (i + rangeStart) compOp1 bound1[p] ? onTrue[p, i] : onFalseValue,
 * i the flattened free index, bounds fp32 [P, 1]; optional max-reduce of the result into [P, 1]
 * (neuroncore.md §2.1 range_select [IL, IN]). ins = [onTrue, bound0, bound1, (state)]. onFalseValue defaults to
 * fp32 min (the legacy default). Generation rule, not checked at trace time: NeuronCore-v3 and newer only.
 */
export const rangeSelect = defineOp<RangeSelectAttrs>({
  summary: 'keep elements whose free index lies within per-partition bounds (VectorE)',
  engines: ['vector'],
  check: ({ ins, outs, attrs }) => {
    const [onTrue, b0, b1] = ins;
    checkCompare(attrs.compOp0, RANGE_COMPARES, 'rangeSelect compOp0');
    checkCompare(attrs.compOp1, RANGE_COMPARES, 'rangeSelect compOp1');
    for (const v of [...ins, ...outs]) requireSpace(v, ON_CHIP, 'rangeSelect operand');
    for (const [v, what] of [
      [b0, 'rangeSelect bound0'],
      [b1, 'rangeSelect bound1'],
    ] as const) {
      checkScalarOperand({ kind: 'vec', index: ins.indexOf(v) }, ins, what);
      requireDType(v, ['float32'], what);
    }
    sameTile(outs[0], onTrue, 'rangeSelect destination');
    if (attrs.rangeStart + elemsPerPartition(onTrue) > RANGE_INDEX_LIMIT) {
      fail(
        'TK0225',
        `rangeSelect: index + rangeStart reaches ${attrs.rangeStart + elemsPerPartition(onTrue)}; it must stay below 2^24`,
      );
    }
    if (attrs.acc) checkAccumulator(attrs.acc, ins, outs, onTrue, ['maximum'], 'rangeSelect');
  },
  // The accumulator state is read-modify-written (see accumulator.ts).
  readsOutputs: (a) => a.acc?.state !== undefined,
  evaluate: ({ ins, inShapes, outs, attrs }) => {
    const [onTrue, b0, b1] = ins;
    const P = inShapes[0][0];
    const F = onTrue.length / P;
    const c0 = ALU_OPS[attrs.compOp0].fn;
    const c1 = ALU_OPS[attrs.compOp1].fn;
    const onFalse = Math.fround(attrs.onFalseValue);
    const out = outs[0];
    for (let p = 0; p < P; p++) {
      for (let f = 0, i = p * F; f < F; f++, i++) {
        const idx = Math.fround(f + attrs.rangeStart);
        out[i] = c0(idx, b0[p]) && c1(idx, b1[p]) ? Math.fround(onTrue[i]) : onFalse;
      }
    }
    if (attrs.acc) accumulate(attrs.acc, ins, outs, out, P);
  },
  flops: ([data]) => numel(data.shape),
  describe: (a) =>
    `${a.compOp0} %in1, ${a.compOp1} %in2 start=${a.rangeStart} else=${a.onFalseValue}${a.acc ? describeAccumulator(a.acc) : ''}`,
});

const PREDICATE_DTYPES = ['int8', 'uint8', 'int16', 'uint16'] as const;

export interface SelectReduceAttrs {
  /** An fp32 immediate or a [P, 1] vector (input 2). */
  readonly onFalse: ScalarOperand;
  readonly reversePred: boolean;
  readonly acc?: AccumulatorAttrs;
}

/**
 * out = where(predicate, onTrue, onFalse) (reversePred negates the predicate), optional max-reduce into [P, 1]
 * sharing the DVE accumulators (neuroncore.md §2.1 select_reduce [IL, IN]). ins = [predicate, onTrue, (onFalse
 * vector), (state)]. predicate int8/uint8/int16/uint16 (nonzero = true); onTrue not tfloat32/int32/uint32;
 * onTrue and predicate not both in PSUM; reduce result float.
 */
export const selectReduce = defineOp<SelectReduceAttrs>({
  summary: 'predicated select with optional max-reduction (VectorE)',
  engines: ['vector'],
  check: ({ ins, outs, attrs }) => {
    const [pred, onTrue] = ins;
    for (const v of [...ins, ...outs]) requireSpace(v, ON_CHIP, 'selectReduce operand');
    requireDType(pred, PREDICATE_DTYPES, 'selectReduce predicate');
    if (['tfloat32', 'int32', 'uint32'].includes(onTrue.dtype)) {
      fail(
        'TK0206',
        `selectReduce on-true tile cannot be ${onTrue.dtype}; use a float or 8/16-bit integer tile`,
      );
    }
    sameTile(pred, onTrue, 'selectReduce predicate');
    sameTile(outs[0], onTrue, 'selectReduce destination');
    notBothPsum(pred, onTrue, 'selectReduce');
    checkScalarOperand(attrs.onFalse, ins, 'selectReduce onFalse');
    if (attrs.acc) {
      checkAccumulator(attrs.acc, ins, outs, onTrue, ['maximum'], 'selectReduce');
      if (attrs.acc.reduceRes !== undefined && DTYPES[outs[attrs.acc.reduceRes].dtype].kind !== 'float') {
        fail('TK0206', 'selectReduce reduce result must be a float tile');
      }
    }
  },
  // The accumulator state is read-modify-written (see accumulator.ts).
  readsOutputs: (a) => a.acc?.state !== undefined,
  evaluate: ({ ins, inShapes, outs, attrs }) => {
    const [pred, onTrue] = ins;
    const P = inShapes[0][0];
    const F = onTrue.length / P;
    const out = outs[0];
    for (let p = 0; p < P; p++) {
      const f0 = Math.fround(scalarAt(attrs.onFalse, ins, p));
      for (let f = 0, i = p * F; f < F; f++, i++) {
        const t = (pred[i] !== 0) !== attrs.reversePred;
        out[i] = t ? Math.fround(onTrue[i]) : f0;
      }
    }
    if (attrs.acc) accumulate(attrs.acc, ins, outs, out, P);
  },
  flops: ([, data]) => numel(data.shape),
  describe: (a) =>
    `else=${describeScalar(a.onFalse)}${a.reversePred ? ' reversePred' : ''}${a.acc ? describeAccumulator(a.acc) : ''}`,
});

export interface TensorCopyPredicatedAttrs {
  readonly reversePred: boolean;
}

/**
 * dst[i] = src[i] where predicate[i] is nonzero (zero with reversePred); elsewhere dst keeps its contents
 * (neuroncore.md §2.1 tensor_copy_predicated [IL]). ins = [src, predicate]; predicate an integer tile; src and dst the
 * same dtype (a bit-exact copy); src and predicate not both in PSUM.
 */
export const tensorCopyPredicated = defineOp<TensorCopyPredicatedAttrs>({
  summary: 'copy where a predicate is set (VectorE)',
  engines: ['vector'],
  check: ({ ins: [src, pred], outs: [dst] }) => {
    for (const v of [src, pred, dst]) requireSpace(v, ON_CHIP, 'tensorCopyPredicated operand');
    if (!isIntDType(pred.dtype)) {
      fail(
        'TK0206',
        `tensorCopyPredicated predicate must be an integer tile (uint8/uint16/uint32), got ${pred.dtype}`,
      );
    }
    if (src.dtype !== dst.dtype) {
      fail('TK0206', `tensorCopyPredicated copies bits: src ${src.dtype} and dst ${dst.dtype} must match`);
    }
    sameTile(pred, src, 'tensorCopyPredicated predicate');
    sameTile(dst, src, 'tensorCopyPredicated destination');
    notBothPsum(src, pred, 'tensorCopyPredicated');
  },
  readsOutputs: () => true,
  evaluate: ({ ins: [src, pred], outs: [dst], attrs }) => {
    for (let i = 0; i < dst.length; i++) if ((pred[i] !== 0) !== attrs.reversePred) dst[i] = src[i];
  },
  flops: () => 0,
  describe: (a) => (a.reversePred ? 'reversePred' : ''),
});
