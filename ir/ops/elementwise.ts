import { ACTIVATIONS, type ActivationFn, isActivationFn } from '../activation.ts';
import { ALU_OPS, type AluOp, applyAlu, isAluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel, type View } from '../types.ts';
import {
  elemsPerPartition,
  engineReaches,
  notBothPsum,
  requirePartitionVector,
  requireSpace,
  sameTile,
} from './checks.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

const ON_CHIP = ['sbuf', 'psum'] as const;

function checkAlu(op: AluOp, engine: string, what: string): void {
  if (!isAluOp(op)) fail('TK0209', `${what}: unknown ALU op '${String(op)}'`);
  const cls = ALU_OPS[op].class;
  if (cls !== 'arithmetic' && engine !== 'vector') {
    fail('TK0208', `${what}: ${cls} op '${op}' runs only on the vector engine`);
  }
}

function checkScalarOperand(s: ScalarOperand | undefined, ins: readonly View[], what: string): void {
  if (s?.kind === 'vec') requirePartitionVector(ins[s.index], ins[0], what);
}

export interface TensorTensorAttrs {
  readonly op: AluOp;
}

/** out = a op b elementwise, same partitions and elements per partition (neuroncore.md §2.1 tensor_tensor [IL]). */
export const tensorTensor = defineOp<TensorTensorAttrs>({
  summary: 'elementwise binary ALU op of two tiles',
  engines: ['vector', 'gpsimd'],
  check: ({ ins: [a, b], outs: [out], attrs, engine }) => {
    checkAlu(attrs.op, engine, 'tensorTensor');
    for (const v of [a, b, out]) requireSpace(v, ON_CHIP, 'tensorTensor operand');
    sameTile(b, a, 'tensorTensor inputs');
    sameTile(out, a, 'tensorTensor destination');
    notBothPsum(a, b, 'tensorTensor');
    engineReaches(engine, [a, b, out], 'tensorTensor');
  },
  evaluate: ({ ins: [a, b], outs: [out], attrs }) => {
    const op = attrs.op;
    for (let i = 0; i < out.length; i++) out[i] = applyAlu(op, a[i], b[i]);
  },
  flops: (_ins, [out]) => numel(out.shape),
  describe: (a) => a.op,
});

export interface TensorScalarAttrs {
  readonly op0: AluOp;
  readonly operand0: ScalarOperand;
  readonly reverse0: boolean;
  readonly op1?: AluOp;
  readonly operand1?: ScalarOperand;
  readonly reverse1: boolean;
}

/** out = (data op0 s0) op1 s1 with immediates or [P, 1] vectors; reverse swaps the operand order (§2.1 [IL]). */
export const tensorScalar = defineOp<TensorScalarAttrs>({
  summary: 'one or two ALU ops of a tile with scalars or per-partition [P,1] vectors',
  engines: ['vector', 'scalar', 'gpsimd'],
  check: ({ ins, outs: [out], attrs, engine }) => {
    checkAlu(attrs.op0, engine, 'tensorScalar op0');
    if (attrs.op1 !== undefined) {
      checkAlu(attrs.op1, engine, 'tensorScalar op1');
      if (attrs.operand1 === undefined) fail('TK0209', 'tensorScalar: op1 needs operand1');
    }
    for (const v of [...ins, out]) requireSpace(v, ON_CHIP, 'tensorScalar operand');
    checkScalarOperand(attrs.operand0, ins, 'tensorScalar operand0');
    checkScalarOperand(attrs.operand1, ins, 'tensorScalar operand1');
    sameTile(out, ins[0], 'tensorScalar destination');
    engineReaches(engine, [...ins, out], 'tensorScalar');
  },
  evaluate: ({ ins, inShapes, outs: [out], attrs }) => {
    const data = ins[0];
    const P = inShapes[0][0];
    const F = data.length / P;
    const { op0, operand0, reverse0, op1, operand1, reverse1 } = attrs;
    for (let p = 0; p < P; p++) {
      const s0 = scalarAt(operand0, ins, p);
      const s1 = operand1 ? scalarAt(operand1, ins, p) : 0;
      for (let f = 0, i = p * F; f < F; f++, i++) {
        let v = reverse0 ? applyAlu(op0, s0, data[i]) : applyAlu(op0, data[i], s0);
        if (op1 !== undefined) v = reverse1 ? applyAlu(op1, s1, v) : applyAlu(op1, v, s1);
        out[i] = v;
      }
    }
  },
  flops: ([data], _outs, a) => numel(data.shape) * (a.op1 ? 2 : 1),
  describe: (a) =>
    `${a.op0}${a.reverse0 ? '(rev)' : ''} ${describeScalar(a.operand0)}` +
    (a.op1 && a.operand1 ? `, ${a.op1}${a.reverse1 ? '(rev)' : ''} ${describeScalar(a.operand1)}` : ''),
});

export interface ActivationAttrs {
  readonly func: ActivationFn;
  readonly scale: ScalarOperand;
  readonly bias?: ScalarOperand;
  /** Add-reduce f(x) along the free axes into a second [P, 1] output. */
  readonly reduce: boolean;
}

/** out = f(data * scale + bias), optional add-reduction along free axes (neuroncore.md §2.1 activation, §3.5 [IL]). */
export const activation = defineOp<ActivationAttrs>({
  summary: 'ScalarE func(data * scale + bias) with optional add-reduce',
  engines: ['scalar'],
  check: ({ ins, outs, attrs }) => {
    if (!isActivationFn(attrs.func)) fail('TK0209', `activation: unknown function '${String(attrs.func)}'`);
    for (const v of [...ins, ...outs]) requireSpace(v, ON_CHIP, 'activation operand');
    checkScalarOperand(attrs.scale, ins, 'activation scale');
    checkScalarOperand(attrs.bias, ins, 'activation bias');
    if (attrs.scale.kind === 'vec' && ins[attrs.scale.index].dtype !== 'float32') {
      fail('TK0206', 'activation scale vector must be float32');
    }
    sameTile(outs[0], ins[0], 'activation destination');
    if (attrs.reduce) {
      if (outs.length !== 2) fail('TK0209', 'activation with reduce needs a reduce result tile');
      requirePartitionVector(outs[1], ins[0], 'activation reduce result');
    }
  },
  evaluate: ({ ins, inShapes, outs, attrs }) => {
    const data = ins[0];
    const P = inShapes[0][0];
    const F = data.length / P;
    const fn = ACTIVATIONS[attrs.func].fn;
    const out = outs[0];
    for (let p = 0; p < P; p++) {
      const scale = scalarAt(attrs.scale, ins, p);
      const bias = attrs.bias ? scalarAt(attrs.bias, ins, p) : 0;
      let acc = 0;
      for (let f = 0, i = p * F; f < F; f++, i++) {
        const x = Math.fround(Math.fround(data[i] * scale) + bias);
        const y = Math.fround(fn(x));
        out[i] = y;
        acc = Math.fround(acc + y);
      }
      if (attrs.reduce) outs[1][p] = acc;
    }
  },
  flops: ([data], _outs, a) => numel(data.shape) * (a.reduce ? 2 : 1),
  describe: (a) =>
    `${a.func} scale=${describeScalar(a.scale)}${a.bias ? ` bias=${describeScalar(a.bias)}` : ''}${a.reduce ? ' reduce=add' : ''}`,
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
