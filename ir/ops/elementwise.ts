import { ALU_OPS, type AluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel, type View } from '../types.ts';
import { type AluNumerics, alu, checkAluOp, checkAluTypes, checkNumerics, finish } from './alu-rules.ts';
import {
  elemsPerPartition,
  engineReaches,
  notBothPsum,
  requirePartitionVector,
  requireSpace,
  sameTile,
} from './checks.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

export const ON_CHIP = ['sbuf', 'psum'] as const;

export function checkScalarOperand(s: ScalarOperand | undefined, ins: readonly View[], what: string): void {
  if (s?.kind === 'vec') requirePartitionVector(ins[s.index], ins[0], what);
}

/** Plain fp32 arithmetic (no bitvec wrap, not GpSimd integer mode): what EvalKernels.binary computes. */
function plainFp32(n: AluNumerics): boolean {
  return n.outDType === undefined && !n.intExact;
}

/** A scalar operand as a [P, F] tile (each partition's value repeated F times). */
function broadcast(s: ScalarOperand, ins: readonly Float64Array[], P: number, F: number): Float64Array {
  const t = new Float64Array(P * F);
  for (let p = 0; p < P; p++) t.fill(scalarAt(s, ins, p), p * F, (p + 1) * F);
  return t;
}

export interface TensorTensorAttrs extends AluNumerics {
  readonly op: AluOp;
}

/**
 * out = a op b elementwise, same partitions and elements per partition (neuroncore.md §2.1 tensor_tensor [IL]):
 * every binary ALU op of §2.3 on the engines that implement it (GpSimd: power, and add/subtract/multiply, exact on
 * 32-bit integers); bitvec ops need integer tiles and work on their bit patterns.
 */
export const tensorTensor = defineOp<TensorTensorAttrs>({
  summary: 'elementwise binary ALU op of two tiles',
  engines: ['vector', 'gpsimd'],
  check: ({ ins: [a, b], outs: [out], attrs, engine }) => {
    checkAluOp(attrs.op, engine, 'tensorTensor', { binary: true });
    for (const v of [a, b, out]) requireSpace(v, ON_CHIP, 'tensorTensor operand');
    sameTile(b, a, 'tensorTensor inputs');
    sameTile(out, a, 'tensorTensor destination');
    notBothPsum(a, b, 'tensorTensor');
    engineReaches(engine, [a, b, out], 'tensorTensor');
    checkAluTypes([attrs.op], [a, b, out], 'tensorTensor');
    checkNumerics(attrs, out, engine, 'tensorTensor');
  },
  evaluate: ({ ins: [a, b], outs: [out], attrs, kernels }) => {
    const op = attrs.op;
    const bin = plainFp32(attrs) ? kernels?.binary : undefined;
    if (bin?.ops.has(op)) return bin.run(op, a, b, out);
    for (let i = 0; i < out.length; i++) out[i] = finish(attrs, alu(op, a[i], b[i], attrs));
  },
  flops: (_ins, [out]) => numel(out.shape),
  describe: (a) => a.op,
});

export interface TensorScalarAttrs extends AluNumerics {
  readonly op0: AluOp;
  readonly operand0: ScalarOperand;
  readonly reverse0: boolean;
  readonly op1?: AluOp;
  readonly operand1?: ScalarOperand;
  readonly reverse1: boolean;
}

/** The (op0, op1) forms ACT runs for tensor_scalar (neuroncore.md §2.1, §3.5 [IL, A2]). */
const ACT_FORMS: readonly string[] = ['multiply,add', 'multiply,', 'add,'];

/**
 * out = (data op0 s0) op1 s1 with immediates or [P, 1] vectors; reverse swaps the operand order (§2.1 [IL]).
 * Both ops are bitvec (DVE only, integer tiles) or both not. ACT runs only (multiply, add), (multiply), (add).
 * Unary ops (rsqrt, reciprocal, abs, invert, logicalNot, bypass) apply to the tensor side and ignore their scalar.
 * Generation rule, not checked at trace time: ACT runs tensor_scalar only from NeuronCore-v3 (trn2) [SH §2.3].
 */
export const tensorScalar = defineOp<TensorScalarAttrs>({
  summary: 'one or two ALU ops of a tile with scalars or per-partition [P,1] vectors',
  engines: ['vector', 'scalar', 'gpsimd'],
  check: ({ ins, outs: [out], attrs, engine }) => {
    checkAluOp(attrs.op0, engine, 'tensorScalar op0');
    if (attrs.op1 !== undefined) {
      checkAluOp(attrs.op1, engine, 'tensorScalar op1');
      if (attrs.operand1 === undefined) fail('TK0209', 'tensorScalar: op1 needs operand1');
    }
    if (
      (attrs.reverse0 && ALU_OPS[attrs.op0].arity === 1) ||
      (attrs.reverse1 && attrs.op1 && ALU_OPS[attrs.op1].arity === 1)
    ) {
      fail('TK0209', 'tensorScalar: a unary op has no operand order to reverse; drop reverse');
    }
    if (engine === 'scalar' && !ACT_FORMS.includes(`${attrs.op0},${attrs.op1 ?? ''}`)) {
      fail(
        'TK0208',
        `tensorScalar on the scalar engine runs only (multiply, add), (multiply) or (add), not (${attrs.op0}${attrs.op1 ? `, ${attrs.op1}` : ''}); use the vector engine`,
      );
    }
    for (const v of [...ins, out]) requireSpace(v, ON_CHIP, 'tensorScalar operand');
    checkScalarOperand(attrs.operand0, ins, 'tensorScalar operand0');
    checkScalarOperand(attrs.operand1, ins, 'tensorScalar operand1');
    sameTile(out, ins[0], 'tensorScalar destination');
    engineReaches(engine, [...ins, out], 'tensorScalar');
    checkAluTypes([attrs.op0, attrs.op1], [...ins, out], 'tensorScalar');
    checkNumerics(attrs, out, engine, 'tensorScalar');
  },
  evaluate: ({ ins, inShapes, outs: [out], attrs, kernels }) => {
    const data = ins[0];
    const P = inShapes[0][0];
    const F = data.length / P;
    const { op0, operand0, reverse0, op1, operand1, reverse1 } = attrs;
    const bin = plainFp32(attrs) ? kernels?.binary : undefined;
    if (bin?.ops.has(op0) && (op1 === undefined || bin.ops.has(op1))) {
      // the same two roundings as the loop below, one op at a time over the whole tile (scalars broadcast)
      const s0 = broadcast(operand0, ins, P, F);
      bin.run(op0, reverse0 ? s0 : data, reverse0 ? data : s0, out);
      if (op1 !== undefined) {
        const s1 = operand1 ? broadcast(operand1, ins, P, F) : new Float64Array(P * F);
        bin.run(op1, reverse1 ? s1 : out, reverse1 ? out : s1, out);
      }
      return;
    }
    for (let p = 0; p < P; p++) {
      const s0 = scalarAt(operand0, ins, p);
      const s1 = operand1 ? scalarAt(operand1, ins, p) : 0;
      for (let f = 0, i = p * F; f < F; f++, i++) {
        let v = reverse0 ? alu(op0, s0, data[i], attrs) : alu(op0, data[i], s0, attrs);
        if (op1 !== undefined) v = reverse1 ? alu(op1, s1, v, attrs) : alu(op1, v, s1, attrs);
        out[i] = finish(attrs, v);
      }
    }
  },
  flops: ([data], _outs, a) => numel(data.shape) * (a.op1 ? 2 : 1),
  describe: (a) =>
    `${a.op0}${a.reverse0 ? '(rev)' : ''} ${describeScalar(a.operand0)}` +
    (a.op1 && a.operand1 ? `, ${a.op1}${a.reverse1 ? '(rev)' : ''} ${describeScalar(a.operand1)}` : ''),
});

/** Copy a tile, converting to the destination dtype on write (neuroncore.md §2.1 tensor_copy [IL]). */
export const tensorCopy = defineOp<Record<string, never>>({
  summary: 'copy a tile, casting to the destination dtype',
  engines: ['vector', 'scalar', 'gpsimd'],
  check: ({ ins: [src], outs: [out], engine }) => {
    requireSpace(src, ON_CHIP, 'tensorCopy source');
    requireSpace(out, ON_CHIP, 'tensorCopy destination');
    sameTile(out, src, 'tensorCopy destination');
    engineReaches(engine, [src, out], 'tensorCopy');
  },
  evaluate: ({ ins: [src], outs: [out] }) => {
    out.set(src);
  },
  flops: () => 0,
});

export interface MemsetAttrs {
  readonly value: number;
}

/** Fill a tile with a constant (neuroncore.md §2.1 memset [IL]). */
export const memset = defineOp<MemsetAttrs>({
  summary: 'fill a tile with a constant',
  engines: ['vector', 'gpsimd'],
  check: ({ outs: [out], engine }) => {
    requireSpace(out, ON_CHIP, 'memset destination');
    engineReaches(engine, [out], 'memset');
  },
  evaluate: ({ outs: [out], attrs }) => {
    out.fill(attrs.value);
  },
  flops: () => 0,
  describe: (a) => String(a.value),
});

export interface IotaAttrs {
  readonly offset: number;
  readonly channelMultiplier: number;
  /** [step, num] pairs over the free dims, outermost first; the product of nums is the free size. */
  readonly pattern: readonly (readonly [number, number])[];
}

/** value(p, i1..in) = offset + p * channelMultiplier + sum(step_k * i_k), int32 maths (§2.1 iota [IL, IN]). */
export const iota = defineOp<IotaAttrs>({
  summary: 'write an affine index pattern (int32 maths, cast on write)',
  engines: ['gpsimd'],
  check: ({ outs: [out], attrs }) => {
    requireSpace(out, ['sbuf'], 'iota destination');
    const n = attrs.pattern.reduce((acc, [, num]) => acc * num, 1);
    if (n !== elemsPerPartition(out)) {
      fail(
        'TK0205',
        `iota pattern covers ${n} elements per partition, destination has ${elemsPerPartition(out)}`,
      );
    }
  },
  evaluate: ({ outs: [out], outShapes: [shape], attrs }) => {
    const P = shape[0];
    const F = out.length / P;
    const dims = attrs.pattern;
    const idx = new Array<number>(dims.length).fill(0);
    for (let p = 0; p < P; p++) {
      idx.fill(0);
      for (let f = 0; f < F; f++) {
        let v = attrs.offset + p * attrs.channelMultiplier;
        for (let d = 0; d < dims.length; d++) v += dims[d][0] * idx[d];
        out[p * F + f] = v | 0;
        for (let d = dims.length - 1; d >= 0; d--) {
          if (++idx[d] < dims[d][1]) break;
          idx[d] = 0;
        }
      }
    }
  },
  flops: () => 0,
  describe: (a) => `offset=${a.offset} channel=${a.channelMultiplier} pattern=${JSON.stringify(a.pattern)}`,
});

/**
 * 1/x per element (neuroncore.md §2.1 reciprocal [IL]). DVE computes it to fp32 rounding (more accurate, 8x slower
 * for large tiles); ACT also runs it (its piecewise polynomial is close but not exact; tilekit rounds the exact value).
 */
export const reciprocal = defineOp<Record<string, never>>({
  summary: 'elementwise 1/x',
  engines: ['vector', 'scalar'],
  check: ({ ins: [src], outs: [out] }) => {
    requireSpace(src, ON_CHIP, 'reciprocal source');
    requireSpace(out, ON_CHIP, 'reciprocal destination');
    sameTile(out, src, 'reciprocal destination');
  },
  evaluate: ({ ins: [src], outs: [out] }) => {
    for (let i = 0; i < out.length; i++) out[i] = Math.fround(1 / Math.fround(src[i]));
  },
  flops: ([src]) => numel(src.shape),
});
