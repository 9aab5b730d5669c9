import { erf, sigmoid, softplus } from './math.ts';

/**
 * ScalarE activation functions (neuroncore.md §2.4 [SH]). The chip evaluates them with piecewise polynomials; tilekit
 * evaluates the exact function in double precision and rounds the result to fp32, so results agree with the chip to
 * within its polynomial error, not bit for bit. `range` is the documented valid input range (outside it the chip
 * returns unspecified values; tilekit returns the exact value).
 */
export interface ActivationInfo {
  /** f(x); `alpha` is the instruction's alpha (prelu's negative slope). */
  readonly fn: (x: number, alpha: number) => number;
  readonly range?: readonly [number, number];
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
const geluTanh = (x: number): number =>
  0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
const geluDx = (x: number): number =>
  0.5 * (1 + erf(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI);

const SIGMOID_GELU = 1.702;
/** d/dx of x·sigmoid(1.702x). */
const geluSigmoidDx = (x: number): number => {
  const s = sigmoid(SIGMOID_GELU * x);
  return s + SIGMOID_GELU * x * s * (1 - s);
};

/**
 * `prelu` takes its negative slope from the instruction (`alpha`); every other function ignores it. The list is
 * neuroncore.md §2.4 [SH] plus `identity` (an alias of copy) and `bypass` (new NKI's name for it).
 */
export const ACTIVATIONS = {
  copy: { fn: (x) => x },
  identity: { fn: (x) => x },
  bypass: { fn: (x) => x },
  square: { fn: (x) => x * x },
  exp: { fn: Math.exp },
  log: { fn: Math.log, range: [2 ** -64, 2 ** 64] },
  relu: { fn: (x) => (x > 0 ? x : 0) },
  prelu: { fn: (x, alpha) => (x > 0 ? x : alpha * x) },
  sigmoid: { fn: sigmoid },
  tanh: { fn: Math.tanh },
  gelu: { fn: gelu },
  geluDx: { fn: geluDx },
  geluApprxTanh: { fn: geluTanh },
  geluApprxSigmoid: { fn: (x) => x * sigmoid(SIGMOID_GELU * x) },
  geluApprxSigmoidDx: { fn: geluSigmoidDx },
  silu: { fn: (x) => x * sigmoid(x) },
  siluDx: { fn: (x) => sigmoid(x) * (1 + x * (1 - sigmoid(x))) },
  softplus: { fn: softplus },
  mish: { fn: (x) => x * Math.tanh(softplus(x)) },
  erf: { fn: erf },
  erfDx: { fn: (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) },
  sqrt: { fn: Math.sqrt, range: [2 ** -116, 2 ** 118] },
  rsqrt: { fn: (x) => 1 / Math.sqrt(x), range: [2 ** -87, 2 ** 97] },
  reciprocal: { fn: (x) => 1 / x, range: [2 ** -42, 2 ** 42] },
  sin: { fn: Math.sin, range: [-Math.PI, Math.PI] },
  arctan: { fn: Math.atan, range: [-Math.PI / 2, Math.PI / 2] },
  sign: { fn: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0) },
  abs: { fn: Math.abs },
} as const satisfies Record<string, ActivationInfo>;

export type ActivationFn = keyof typeof ACTIVATIONS;

export function isActivationFn(s: unknown): s is ActivationFn {
  return typeof s === 'string' && Object.hasOwn(ACTIVATIONS, s);
}
