// Test tables for the `nl` language level: each case names the nl function it covers, builds a one-function kernel
// body over SBUF tiles, and computes the expected output on the host with plain Math (not tilekit's tables).
import type { HostArray } from '../index.ts';
import { hostArray, nl, randomArray, roundTo, type Tensor } from '../index.ts';
import type { DType } from '../ir/dtypes.ts';

export interface NlCase {
  /** The nl function under test (coverage is checked against the nl namespace). */
  readonly fn: string;
  readonly name: string;
  readonly inputs: readonly HostArray[];
  /** Kernel body: the inputs are already loaded into SBUF. */
  readonly body: (...tiles: Tensor[]) => Tensor;
  /** Expected output values (before rounding to the output dtype). */
  readonly expected: (...x: HostArray[]) => ArrayLike<number>;
  readonly outDType?: DType;
  readonly outShape?: readonly number[];
  /** Absolute and relative tolerance; default: exact. */
  readonly tol?: readonly [atol: number, rtol: number];
}

export const P = 8;
export const F = 16;
const f = Math.fround;
const rnd = (dtype: DType, seed: number, lo = -2, hi = 2, shape = [P, F]) =>
  randomArray(shape, dtype, seed, lo, hi);
const map1 = (g: (v: number) => number) => (x: HostArray) => Array.from(x.data, (v) => g(v));
const map2 = (g: (a: number, b: number) => number) => (x: HostArray, y: HostArray) =>
  Array.from(x.data, (v, i) => g(v, y.data[i]));
/** Column p of a [P, 1] array broadcast over F. */
const col = (v: HostArray, i: number, width = F) => v.data[Math.floor(i / width)];
const TRANSCENDENTAL = [1e-6, 1e-5] as const;

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7): an independent erf for the references. */
function erfAS(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return x < 0 ? -y : y;
}
const sigm = (x: number) => 1 / (1 + Math.exp(-x));
const softplusRef = (x: number) => Math.log(1 + Math.exp(x));

const ints = (dtype: DType, seed: number, lo: number, hi: number, shape = [P, F]) =>
  randomArray(shape, dtype, seed, lo, hi);
const bools = (seed: number) => ints('uint8', seed, 0, 2);

type Bin = (a: number, b: number) => number;
type Pred = (a: number, b: number) => boolean;

const binaryCases = (
  [
    ['add', (a, b) => a + b],
    ['subtract', (a, b) => a - b],
    ['multiply', (a, b) => a * b],
    ['divide', (a, b) => a / b],
    ['maximum', (a, b) => Math.max(a, b)],
    ['minimum', (a, b) => Math.min(a, b)],
    ['absMax', (a, b) => Math.max(Math.abs(a), Math.abs(b))],
    ['absMin', (a, b) => Math.min(Math.abs(a), Math.abs(b))],
    ['mod', (a, b) => a - Math.floor(a / b) * b],
  ] as [string, Bin][]
).map(
  ([fn, g], k): NlCase => ({
    fn,
    name: `${fn} fp32 tile, tile`,
    inputs: [rnd('float32', 10 + k), rnd('float32', 30 + k, 0.5, 2)],
    body: (a, b) => (nl as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[fn](a, b),
    expected: map2((a, b) => f(g(a, b))),
  }),
);

const activationRefs: [string, (x: number) => number, number?, number?][] = [
  ['exp', Math.exp],
  ['log', Math.log, 0.1, 4],
  ['sqrt', Math.sqrt, 0.1, 4],
  ['rsqrt', (x) => 1 / Math.sqrt(x), 0.1, 4],
  ['reciprocal', (x) => 1 / x, 0.5, 4],
  ['square', (x) => x * x],
  ['abs', Math.abs],
  ['sign', Math.sign],
  ['relu', (x) => Math.max(x, 0)],
  ['sigmoid', sigm],
  ['tanh', Math.tanh],
  ['gelu', (x) => 0.5 * x * (1 + erfAS(x / Math.SQRT2))],
  [
    'geluDx',
    (x) => 0.5 * (1 + erfAS(x / Math.SQRT2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI),
  ],
  ['geluApprxTanh', (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))],
  ['geluApprxSigmoid', (x) => x * sigm(1.702 * x)],
  ['geluApprxSigmoidDx', (x) => sigm(1.702 * x) * (1 + 1.702 * x * (1 - sigm(1.702 * x)))],
  ['silu', (x) => x * sigm(x)],
  ['siluDx', (x) => sigm(x) * (1 + x * (1 - sigm(x)))],
  ['erf', erfAS],
  ['erfDx', (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)],
  ['softplus', softplusRef],
  ['mish', (x) => x * Math.tanh(softplusRef(x))],
  ['sin', Math.sin],
  ['arctan', Math.atan, -1.5, 1.5],
  ['cos', Math.cos, -3, 3],
  ['tan', Math.tan, -1.2, 1.2],
  ['negative', (x) => -x],
  ['floor', Math.floor, -5, 5],
  ['ceil', Math.ceil, -5, 5],
  ['trunc', Math.trunc, -5, 5],
];

const unaryCases = activationRefs.map(
  ([fn, g, lo, hi], k): NlCase => ({
    fn,
    name: `${fn} fp32`,
    inputs: [rnd('float32', 100 + k, lo ?? -2, hi ?? 2)],
    body: (x) => (nl as unknown as Record<string, (x: Tensor) => Tensor>)[fn](x),
    expected: map1((v) => g(v)),
    tol: ['negative', 'floor', 'ceil', 'trunc', 'abs', 'sign', 'relu', 'square'].includes(fn)
      ? undefined
      : TRANSCENDENTAL,
  }),
);

const compareCases = (
  [
    ['equal', (a, b) => a === b],
    ['notEqual', (a, b) => a !== b],
    ['greater', (a, b) => a > b],
    ['greaterEqual', (a, b) => a >= b],
    ['less', (a, b) => a < b],
    ['lessEqual', (a, b) => a <= b],
  ] as [string, Pred][]
).map(
  ([fn, g], k): NlCase => ({
    fn,
    name: `${fn} of small ints as fp32 → uint8`,
    inputs: [ints('float32', 200 + k, -2, 3), ints('float32', 220 + k, -2, 3)],
    body: (a, b) => (nl as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[fn](a, b),
    expected: map2((a, b) => (g(a, b) ? 1 : 0)),
    outDType: 'uint8',
  }),
);

const logicalCases = (
  [
    ['logicalAnd', (a, b) => a !== 0 && b !== 0],
    ['logicalOr', (a, b) => a !== 0 || b !== 0],
    ['logicalXor', (a, b) => (a !== 0) !== (b !== 0)],
  ] as [string, Pred][]
).map(
  ([fn, g], k): NlCase => ({
    fn,
    name: `${fn} of bools`,
    inputs: [bools(240 + k), bools(250 + k)],
    body: (a, b) => (nl as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[fn](a, b),
    expected: map2((a, b) => (g(a, b) ? 1 : 0)),
    outDType: 'uint8',
  }),
);

const bitwiseCases = (
  [
    ['bitwiseAnd', (a, b) => a & b],
    ['bitwiseOr', (a, b) => a | b],
    ['bitwiseXor', (a, b) => a ^ b],
    ['leftShift', (a, b) => a << b],
    ['rightShift', (a, b) => a >>> b],
  ] as [string, Bin][]
).map(
  ([fn, g], k): NlCase => ({
    fn,
    name: `${fn} int32`,
    inputs: [
      ints('int32', 260 + k, 0, 1 << 20),
      ints('int32', 270 + k, 0, fn.endsWith('Shift') ? 8 : 1 << 20),
    ],
    body: (a, b) => (nl as unknown as Record<string, (x: Tensor, y: Tensor) => Tensor>)[fn](a, b),
    expected: map2((a, b) => g(a, b)),
    outDType: 'int32',
  }),
);

/** Reference reductions over the last `group` elements of each row. */
const reduceRows = (x: HostArray, group: number, g: (vals: number[]) => number) =>
  Array.from({ length: x.data.length / group }, (_, r) =>
    g(Array.from(x.data.slice(r * group, (r + 1) * group))),
  );
const fsum = (v: number[]) => v.reduce((s, x) => f(s + x), 0);
const fprod = (v: number[]) => v.reduce((s, x) => f(s * x), 1);
const varRef = (v: number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
};

const reduceCases: NlCase[] = [
  {
    fn: 'sum',
    name: 'sum along the last axis',
    inputs: [rnd('float32', 300)],
    body: (x) => nl.sum(x, 1),
    expected: (x) => reduceRows(x, F, fsum),
    outShape: [P, 1],
  },
  {
    fn: 'sum',
    name: 'sum over two axes with keepdims',
    inputs: [rnd('float32', 301, -2, 2, [P, 4, 4])],
    body: (x) => nl.sum(x, [1, 2], { keepdims: true }),
    expected: (x) => reduceRows(x, 16, fsum),
    outShape: [P, 1, 1],
  },
  {
    fn: 'max',
    name: 'max along axis -1 of a 3-D tile',
    inputs: [rnd('float32', 302, -2, 2, [P, 4, 4])],
    body: (x) => nl.max(x, -1),
    expected: (x) => reduceRows(x, 4, (v) => Math.max(...v)),
    outShape: [P, 4],
  },
  {
    fn: 'min',
    name: 'min along the last axis',
    inputs: [rnd('float32', 303)],
    body: (x) => nl.min(x),
    expected: (x) => reduceRows(x, F, (v) => Math.min(...v)),
    outShape: [P, 1],
  },
  {
    fn: 'prod',
    name: 'prod along the last axis',
    inputs: [rnd('float32', 304, 0.5, 1.5)],
    body: (x) => nl.prod(x),
    expected: (x) => reduceRows(x, F, fprod),
    outShape: [P, 1],
  },
  {
    fn: 'all',
    name: 'all of bool rows',
    inputs: [ints('uint8', 305, 0, 2, [P, 2])],
    body: (x) => nl.all(x),
    expected: (x) => reduceRows(x, 2, (v) => (v.every((e) => e !== 0) ? 1 : 0)),
    outShape: [P, 1],
    outDType: 'uint8',
  },
  {
    fn: 'mean',
    name: 'mean along the last axis',
    inputs: [rnd('float32', 306)],
    body: (x) => nl.mean(x),
    expected: (x) => reduceRows(x, F, (v) => fsum(v) / F),
    outShape: [P, 1],
  },
  {
    fn: 'var',
    name: 'var along all free axes (two passes)',
    inputs: [rnd('float32', 307)],
    body: (x) => nl.var(x),
    expected: (x) => reduceRows(x, F, varRef),
    outShape: [P, 1],
    tol: [1e-6, 1e-5],
  },
  {
    fn: 'var',
    name: 'var along the last of two free axes, keepdims',
    inputs: [rnd('float32', 308, -2, 2, [P, 4, 4])],
    body: (x) => nl.var(x, 2, { keepdims: true }),
    expected: (x) => reduceRows(x, 4, varRef),
    outShape: [P, 4, 1],
    tol: [1e-5, 1e-4],
  },
];

const softmaxRef = (x: HostArray, width: number) =>
  Array.from({ length: x.data.length / width }, (_, r) => {
    const row = Array.from(x.data.slice(r * width, (r + 1) * width));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }).flat();

const rmsRef = (x: HostArray, w: (i: number) => number, eps: number) =>
  Array.from(x.data, (v, i) => {
    const r = Math.floor(i / F);
    const row = Array.from(x.data.slice(r * F, (r + 1) * F));
    return (v / Math.sqrt(row.reduce((s, e) => s + e * e, 0) / F + eps)) * w(i);
  });

const matmulRef = (a: HostArray, b: HostArray, M: number, K: number, N: number, aT: boolean) =>
  Array.from({ length: M * N }, (_, i) => {
    const [m, n] = [Math.floor(i / N), i % N];
    let s = 0;
    for (let k = 0; k < K; k++) s += (aT ? a.data[k * M + m] : a.data[m * K + k]) * b.data[k * N + n];
    return s;
  });

const composeCases: NlCase[] = [
  {
    fn: 'softmax',
    name: 'softmax along the free axis',
    inputs: [rnd('float32', 400, -4, 4)],
    body: (x) => nl.softmax(x, 1),
    expected: (x) => softmaxRef(x, F),
    tol: [1e-7, 1e-5],
  },
  {
    fn: 'softmax',
    name: 'softmax of bf16 with a bf16 result',
    inputs: [rnd('bfloat16', 401, -4, 4)],
    body: (x) => nl.softmax(x),
    expected: (x) => softmaxRef(x, F),
    outDType: 'bfloat16',
    tol: [1e-3, 1e-2],
  },
  {
    fn: 'rmsNorm',
    name: 'rmsNorm with a [1, F] weight broadcast across partitions',
    inputs: [rnd('float32', 410), rnd('float32', 411, 0.5, 1.5, [1, F])],
    body: (x, w) => nl.rmsNorm(x, w, 1, F, 1e-6),
    expected: (x, w) => rmsRef(x, (i) => w.data[i % F], 1e-6),
    tol: [1e-6, 1e-5],
  },
  {
    fn: 'rmsNorm',
    name: 'rmsNorm with a [P, F] weight',
    inputs: [rnd('float32', 412), rnd('float32', 413, 0.5, 1.5)],
    body: (x, w) => nl.rmsNorm(x, w),
    expected: (x, w) => rmsRef(x, (i) => w.data[i], 1e-6),
    tol: [1e-6, 1e-5],
  },
  {
    fn: 'matmul',
    name: 'matmul x[M, K] @ y[K, N] (transposes x on TensorE)',
    inputs: [rnd('float32', 420, -1, 1, [P, 32]), rnd('float32', 421, -1, 1, [32, F])],
    body: (x, y) => nl.matmul(x, y),
    expected: (x, y) => matmulRef(x, y, P, 32, F, false),
    tol: [1e-5, 1e-5],
  },
  {
    fn: 'matmul',
    name: 'matmul with transposeX',
    inputs: [rnd('bfloat16', 422, -1, 1, [32, P]), rnd('bfloat16', 423, -1, 1, [32, F])],
    body: (x, y) => nl.matmul(x, y, { transposeX: true }),
    expected: (x, y) => matmulRef(x, y, P, 32, F, true),
    outDType: 'float32',
    tol: [1e-5, 1e-5],
  },
  {
    fn: 'transpose',
    name: 'transpose 2-D on TensorE',
    inputs: [rnd('float32', 430)],
    body: (x) => nl.transpose(x),
    expected: (x) => Array.from({ length: P * F }, (_, i) => x.data[(i % P) * F + Math.floor(i / P)]),
    outShape: [F, P],
  },
  {
    fn: 'broadcastTo',
    name: 'broadcastTo [1, F] → [P, F] (TensorE ones matmul)',
    inputs: [rnd('bfloat16', 440, -2, 2, [1, F])],
    body: (x) => nl.broadcastTo(x, [P, F]),
    expected: (x) => Array.from({ length: P * F }, (_, i) => x.data[i % F]),
    outDType: 'bfloat16',
  },
  {
    fn: 'broadcastTo',
    name: 'broadcastTo [P, 1] → [P, F]',
    inputs: [rnd('float32', 441, -2, 2, [P, 1])],
    body: (x) => nl.broadcastTo(x, [P, F]),
    expected: (x) => Array.from({ length: P * F }, (_, i) => col(x, i)),
  },
  {
    fn: 'broadcastTo',
    name: 'broadcastTo int32 [P, 1] → [P, F] is exact above 2^24',
    inputs: [ints('int32', 442, 1 << 25, 1 << 30, [P, 1])],
    body: (x) => nl.broadcastTo(x, [P, F]),
    expected: (x) => Array.from({ length: P * F }, (_, i) => col(x, i)),
    outDType: 'int32',
  },
  {
    fn: 'broadcastTo',
    name: 'broadcastTo int32 [1, 1] → [P, F]',
    inputs: [hostArray([1, 1], 'int32', [-12345])],
    body: (x) => nl.broadcastTo(x, [P, F]),
    expected: () => new Array(P * F).fill(-12345),
    outDType: 'int32',
  },
  {
    fn: 'where',
    name: 'where(cond, x, y) keeps NaN and infinities of the chosen side',
    inputs: [
      bools(450),
      hostArray(
        [P, F],
        'float32',
        Array.from({ length: P * F }, (_, i) => (i % 7 === 0 ? Number.NaN : i)),
      ),
      rnd('float32', 452),
    ],
    body: (c, x, y) => nl.where(c, x, y),
    expected: (c, x, y) => Array.from(c.data, (v, i) => (v ? x.data[i] : y.data[i])),
  },
  {
    fn: 'where',
    name: 'where with a number on the false side and a float condition',
    inputs: [rnd('float32', 453), rnd('float32', 454)],
    body: (c, x) => nl.where(nl.greater(c, 0), x, -1),
    expected: (c, x) => Array.from(c.data, (v, i) => (v > 0 ? x.data[i] : -1)),
  },
  {
    fn: 'expandDims',
    name: 'expandDims after the last axis',
    inputs: [rnd('float32', 460)],
    body: (x) => nl.copy(nl.expandDims(x, 2)),
    expected: (x) => x.data,
    outShape: [P, F, 1],
  },
  {
    fn: 'gatherFlattened',
    name: 'gatherFlattened per partition with uint32 indices',
    inputs: [rnd('float32', 470, -2, 2, [P, 4, 4]), ints('uint32', 471, 0, 16, [P, 6])],
    body: (x, idx) => nl.gatherFlattened(x, idx),
    expected: (x, idx) => Array.from(idx.data, (k, i) => x.data[Math.floor(i / 6) * 16 + k]),
    outShape: [P, 6],
  },
  {
    fn: 'copy',
    name: 'copy with a cast to fp16',
    inputs: [rnd('float32', 480)],
    body: (x) => nl.copy(x, { dtype: 'float16' }),
    expected: (x) => x.data,
    outDType: 'float16',
  },
];

const moreMath: NlCase[] = [
  {
    fn: 'power',
    name: 'power tile ** tile (GpSimd)',
    inputs: [rnd('float32', 500, 0.5, 2), rnd('float32', 501, -2, 2)],
    body: (a, b) => nl.power(a, b),
    expected: map2((a, b) => f(a ** b)),
  },
  {
    fn: 'power',
    name: 'power tile ** 2',
    inputs: [rnd('float32', 502)],
    body: (a) => nl.power(a, 2),
    expected: map1((a) => f(a * a)),
  },
  {
    fn: 'fmod',
    name: 'fmod by a number keeps the sign of the dividend',
    inputs: [rnd('float32', 503, -7, 7)],
    body: (a) => nl.fmod(a, 2.5),
    expected: map1((a) => a % 2.5),
    tol: [1e-6, 0],
  },
  {
    fn: 'fmod',
    name: 'fmod tile, tile',
    inputs: [rnd('float32', 504, -7, 7), rnd('float32', 505, 1, 3)],
    body: (a, b) => nl.fmod(a, b),
    expected: map2((a, b) => a % b),
    tol: [1e-6, 0],
  },
  {
    fn: 'subtract',
    name: 'number - tile reverses the operands',
    inputs: [rnd('float32', 506)],
    body: (a) => nl.subtract(3, a),
    expected: map1((a) => f(3 - a)),
  },
  {
    fn: 'multiply',
    name: 'tile * [P, 1] column',
    inputs: [rnd('float32', 507), rnd('float32', 508, -2, 2, [P, 1])],
    body: (a, c) => nl.multiply(a, c),
    expected: (a, c) => Array.from(a.data, (v, i) => f(v * col(c, i))),
  },
  {
    fn: 'add',
    name: 'tile + [1, F] row broadcasts across partitions',
    inputs: [rnd('float32', 509), rnd('float32', 510, -2, 2, [1, F])],
    body: (a, r) => nl.add(a, r),
    expected: (a, r) => Array.from(a.data, (v, i) => f(v + r.data[i % F])),
  },
  {
    fn: 'add',
    name: 'int8 + 2 promotes to int32 (weak int scalar)',
    inputs: [ints('int8', 511, -100, 100)],
    body: (a) => nl.add(a, 2),
    expected: map1((a) => a + 2),
    outDType: 'int32',
  },
  {
    fn: 'add',
    name: 'int32 + int32 is exact above 2^24 (GpSimd integer lanes)',
    inputs: [ints('int32', 512, 1 << 25, 1 << 30), ints('int32', 513, 0, 1000)],
    body: (a, b) => nl.add(a, b),
    expected: map2((a, b) => a + b),
    outDType: 'int32',
  },
  {
    fn: 'subtract',
    name: 'int32 - 7 is exact above 2^24',
    inputs: [ints('int32', 516, 1 << 25, 1 << 30)],
    body: (a) => nl.subtract(a, 7),
    expected: map1((a) => a - 7),
    outDType: 'int32',
  },
  {
    fn: 'multiply',
    name: 'fp16 * 1.5 promotes to fp32 (weak float scalar)',
    inputs: [rnd('float16', 514)],
    body: (a) => nl.multiply(a, 1.5),
    expected: map1((a) => f(a * 1.5)),
    outDType: 'float32',
  },
  {
    fn: 'multiply',
    name: 'bf16 * 2 stays bf16 (float with int)',
    inputs: [rnd('bfloat16', 515)],
    body: (a) => nl.multiply(a, 2),
    expected: map1((a) => a * 2),
    outDType: 'bfloat16',
  },
  {
    fn: 'logicalNot',
    name: 'logicalNot of bools',
    inputs: [bools(520)],
    body: (a) => nl.logicalNot(a),
    expected: map1((a) => (a === 0 ? 1 : 0)),
    outDType: 'uint8',
  },
  {
    fn: 'invert',
    name: 'invert int32',
    inputs: [ints('int32', 521, -1000, 1000)],
    body: (a) => nl.invert(a),
    expected: map1((a) => ~a),
    outDType: 'int32',
  },
  {
    fn: 'invert',
    name: 'invert uint8',
    inputs: [ints('uint8', 522, 0, 256)],
    body: (a) => nl.invert(a),
    expected: map1((a) => 255 - a),
    outDType: 'uint8',
  },
  {
    fn: 'greater',
    name: 'greater than a number → uint8',
    inputs: [rnd('float32', 523)],
    body: (a) => nl.greater(a, 0.25),
    expected: map1((a) => (a > 0.25 ? 1 : 0)),
    outDType: 'uint8',
  },
];

export const NL_CASES: readonly NlCase[] = [
  ...binaryCases,
  ...unaryCases,
  ...compareCases,
  ...logicalCases,
  ...bitwiseCases,
  ...reduceCases,
  ...composeCases,
  ...moreMath,
];

/** Round expected values as the output dtype stores them. */
export function rounded(dtype: DType, values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => roundTo(dtype, v));
}
