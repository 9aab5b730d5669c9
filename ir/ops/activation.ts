import { ACTIVATIONS, type ActivationFn, isActivationFn } from '../activation.ts';
import type { AluOp } from '../alu.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel, type View } from '../types.ts';
import { type AccumulatorAttrs, accumulate, checkAccumulator, describeAccumulator } from './accumulator.ts';
import { requireSpace, sameTile } from './checks.ts';
import { checkScalarOperand, ON_CHIP } from './elementwise.ts';
import { describeScalar, type ScalarOperand, scalarAt } from './operand.ts';

/** Reductions the ACT accumulators implement; NeuronCore-v2 has add only (neuroncore.md §2.1, §3.5 [IL, A1]). */
export const ACT_REDUCE_OPS: readonly AluOp[] = ['add', 'maximum', 'minimum'];
const BIAS_DTYPES = ['float32', 'float16', 'bfloat16'];

export interface ActivationAttrs {
  readonly func: ActivationFn;
  readonly scale: ScalarOperand;
  readonly bias?: ScalarOperand;
  /** prelu's negative slope. */
  readonly alpha?: number;
  /** The fused free-axis reduction into the ACT accumulators, when requested. */
  readonly acc?: AccumulatorAttrs;
}

function checkActivation(
  ins: readonly View[],
  outs: readonly View[],
  a: ActivationAttrs,
  what: string,
): void {
  if (!isActivationFn(a.func)) fail('TK0209', `${what}: unknown function '${String(a.func)}'`);
  if (a.func === 'prelu' && (a.alpha === undefined || !Number.isFinite(a.alpha))) {
    fail('TK0209', `${what}: prelu needs alpha, its negative slope (e.g. { alpha: 0.01 })`);
  }
  for (const v of [...ins, ...outs]) requireSpace(v, ON_CHIP, `${what} operand`);
  checkScalarOperand(a.scale, ins, `${what} scale`);
  checkScalarOperand(a.bias, ins, `${what} bias`);
  if (a.scale.kind === 'vec' && ins[a.scale.index].dtype !== 'float32') {
    fail('TK0206', `${what} scale vector must be float32, got ${ins[a.scale.index].dtype}`);
  }
  if (a.bias?.kind === 'vec' && !BIAS_DTYPES.includes(ins[a.bias.index].dtype)) {
    fail(
      'TK0206',
      `${what} bias vector must be float32, float16 or bfloat16, got ${ins[a.bias.index].dtype}`,
    );
  }
  sameTile(outs[0], ins[0], `${what} destination`);
  if (a.acc) checkAccumulator(a.acc, ins, outs, ins[0], ACT_REDUCE_OPS, what);
}

function evaluateActivation(
  ins: readonly Float64Array[],
  P: number,
  outs: readonly Float64Array[],
  a: ActivationAttrs,
): void {
  const data = ins[0];
  const F = data.length / P;
  const fn = ACTIVATIONS[a.func].fn;
  const alpha = a.alpha ?? 0;
  const out = outs[0];
  const values = a.acc ? new Float64Array(data.length) : out;
  for (let p = 0; p < P; p++) {
    const scale = scalarAt(a.scale, ins, p);
    const bias = a.bias ? scalarAt(a.bias, ins, p) : 0;
    for (let f = 0, i = p * F; f < F; f++, i++) {
      const x = Math.fround(Math.fround(Math.fround(data[i]) * scale) + bias);
      values[i] = Math.fround(fn(x, alpha));
    }
  }
  if (a.acc) {
    out.set(values);
    accumulate(a.acc, ins, outs, values, P);
  }
}

const describeActivation = (a: ActivationAttrs): string =>
  `${a.func} scale=${describeScalar(a.scale)}${a.bias ? ` bias=${describeScalar(a.bias)}` : ''}` +
  `${a.alpha !== undefined ? ` alpha=${a.alpha}` : ''}${a.acc ? describeAccumulator(a.acc) : ''}`;

/**
 * out = f(data * scale + bias) on ScalarE, fp32 maths (neuroncore.md §2.1 activation, §2.4, §3.5 [IL, SH]), with an
 * optional reduction of the results along all free axes into the ACT accumulators (`acc`, see accumulator.ts), read
 * out into a [P, 1] tile. scale: immediate or fp32 [P, 1]; bias: immediate or fp32/fp16/bf16 [P, 1].
 * Generation rules, not checked at trace time: on NeuronCore-v2 the reduction must be add and reciprocal takes no
 * bias (neuroncore.md §2.4 [SH]).
 */
export const activation = defineOp<ActivationAttrs>({
  summary: 'ScalarE func(data * scale + bias) with optional free-axis reduction',
  engines: ['scalar'],
  check: ({ ins, outs, attrs }) => checkActivation(ins, outs, attrs, 'activation'),
  // The accumulator state is read-modify-written (see accumulator.ts).
  readsOutputs: (a) => a.acc?.state !== undefined,
  evaluate: ({ ins, inShapes, outs, attrs }) => evaluateActivation(ins, inShapes[0][0], outs, attrs),
  flops: ([data], _outs, a) => numel(data.shape) * (a.acc ? 2 : 1),
  describe: describeActivation,
});

export interface ActivationReduceAttrs {
  readonly func: ActivationFn;
  readonly scale: ScalarOperand;
  readonly bias?: ScalarOperand;
  readonly alpha?: number;
  readonly reduceOp: AluOp;
}

const asActivation = (a: ActivationReduceAttrs): ActivationAttrs => ({
  ...a,
  acc: { reduceOp: a.reduceOp, reduceCmd: 'resetReduce', reduceRes: 1 },
});

/**
 * activation plus a reduction of its results along all free axes into a [P, 1] tile: the legacy
 * `activation_reduce`, i.e. activation with reduce_cmd=reset_reduce, issued as Activate + ActReadAccumulator
 * (neuroncore.md §2.1 activation_reduce [IL]). outs = [elementwise result, reduce result].
 */
export const activationReduce = defineOp<ActivationReduceAttrs>({
  summary: 'activation with a reset-and-reduce of its results into [P,1]',
  engines: ['scalar'],
  check: ({ ins, outs, attrs }) => {
    if (outs.length !== 2) fail('TK0209', 'activationReduce writes the result and a [P, 1] reduce result');
    checkActivation(ins, outs, asActivation(attrs), 'activationReduce');
  },
  evaluate: ({ ins, inShapes, outs, attrs }) =>
    evaluateActivation(ins, inShapes[0][0], outs, asActivation(attrs)),
  flops: ([data]) => numel(data.shape) * 2,
  describe: (a) => describeActivation(asActivation(a)),
});
