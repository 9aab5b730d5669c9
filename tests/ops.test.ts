import { describe, expect, it } from 'vitest';
import {
  type HostArray,
  kernel,
  nisa,
  nl,
  OPS,
  type OpName,
  randomArray,
  roundTo,
  run,
  type Tensor,
} from '../index.ts';
import type { DType } from '../ir/dtypes.ts';
import { COMPUTE_CASES } from './ops-compute-cases.ts';
import { DMA_CASES } from './ops-dma-cases.ts';

/**
 * Registry-driven: each op runs as a small kernel through trace → compile → simulate, and the bytes that come back
 * must equal an independent host computation, rounded to the output dtype.
 */
interface OpCase {
  readonly name: string;
  readonly op: OpName;
  readonly inputs: readonly HostArray[];
  readonly outShape: readonly number[];
  readonly outDType: DType;
  /** Body: loads the inputs (already in SBUF) and returns the result tile. */
  readonly body: (...tiles: Tensor[]) => Tensor;
  /** Expected value of output element i from the input arrays. */
  readonly expected: (i: number, x: readonly HostArray[]) => number;
}

const P = 32;
const F = 16;
const r = (shape: number[], dtype: DType, seed: number, lo = -1, hi = 1) =>
  randomArray(shape, dtype, seed, lo, hi);
const f32 = Math.fround;
const pf = (i: number) => [Math.floor(i / F), i % F] as const;

const CASES: OpCase[] = [
  {
    name: 'matmul bf16',
    op: 'ncMatmul',
    inputs: [r([P, 8], 'bfloat16', 1), r([P, F], 'bfloat16', 2)],
    outShape: [8, F],
    outDType: 'float32',
    body: (s, m) => nisa.ncMatmul(s, m),
    expected: (i, [s, m]) => {
      const [row, col] = [Math.floor(i / F), i % F];
      let acc = 0;
      for (let k = 0; k < P; k++) acc = f32(acc + s.data[k * 8 + row] * m.data[k * F + col]);
      return acc;
    },
  },
  {
    name: 'transpose on TensorE',
    op: 'ncTranspose',
    inputs: [r([P, F], 'float32', 3)],
    outShape: [F, P],
    outDType: 'float32',
    body: (x) => nisa.ncTranspose(x),
    expected: (i, [x]) => x.data[(i % P) * F + Math.floor(i / P)],
  },
  {
    name: 'transpose on VectorE',
    op: 'ncTranspose',
    inputs: [r([P, F], 'bfloat16', 4)],
    outShape: [F, P],
    outDType: 'bfloat16',
    body: (x) => nisa.ncTranspose(x, { engine: 'vector' }),
    expected: (i, [x]) => x.data[(i % P) * F + Math.floor(i / P)],
  },
  {
    name: 'activation exp with scale and bias vector',
    op: 'activation',
    inputs: [r([P, F], 'float32', 5), r([P, 1], 'float32', 6)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x, b) => nisa.activation('exp', x, { scale: 0.5, bias: b }),
    expected: (i, [x, b]) => f32(Math.exp(f32(f32(x.data[i] * 0.5) + b.data[pf(i)[0]]))),
  },
  {
    name: 'tensorTensor subtract bf16',
    op: 'tensorTensor',
    inputs: [r([P, F], 'bfloat16', 7), r([P, F], 'bfloat16', 8)],
    outShape: [P, F],
    outDType: 'bfloat16',
    body: (a, b) => nisa.tensorTensor(a, b, 'subtract'),
    expected: (i, [a, b]) => a.data[i] - b.data[i],
  },
  {
    name: 'tensorTensor divide fp32',
    op: 'tensorTensor',
    inputs: [r([P, F], 'float32', 9), r([P, F], 'float32', 10, 1, 2)],
    outShape: [P, F],
    outDType: 'float32',
    body: (a, b) => nisa.tensorTensor(a, b, 'divide'),
    expected: (i, [a, b]) => a.data[i] / b.data[i],
  },
  {
    name: 'tensorScalar reverse subtract then multiply by a [P,1] vector',
    op: 'tensorScalar',
    inputs: [r([P, F], 'float32', 11), r([P, 1], 'float32', 12)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x, v) => nisa.tensorScalar(x, 'subtract', 3, { reverse0: true, op1: 'multiply', operand1: v }),
    expected: (i, [x, v]) => f32(f32(3 - x.data[i]) * v.data[pf(i)[0]]),
  },
  {
    name: 'tensorReduce max over the free axis',
    op: 'tensorReduce',
    inputs: [r([P, F], 'float32', 13)],
    outShape: [P, 1],
    outDType: 'float32',
    body: (x) => nisa.tensorReduce('maximum', x, 1),
    expected: (i, [x]) => Math.max(...x.data.slice(i * F, (i + 1) * F)),
  },
  {
    name: 'tensorReduce add over two axes, negated',
    op: 'tensorReduce',
    inputs: [r([P, 4, 4], 'float32', 14)],
    outShape: [P, 1],
    outDType: 'float32',
    body: (x) => nisa.tensorReduce('add', x, [1, 2], { negate: true }),
    expected: (i, [x]) => -Array.from(x.data.slice(i * 16, (i + 1) * 16)).reduce((s, v) => f32(s + v), 0),
  },
  {
    name: 'tensorCopy casts fp32 to bf16',
    op: 'tensorCopy',
    inputs: [r([P, F], 'float32', 15)],
    outShape: [P, F],
    outDType: 'bfloat16',
    body: (x) => nisa.tensorCopy(x, { dtype: 'bfloat16' }),
    expected: (i, [x]) => roundTo('bfloat16', x.data[i]),
  },
  {
    name: 'memset',
    op: 'memset',
    inputs: [],
    outShape: [P, F],
    outDType: 'float16',
    body: () => nisa.memset([P, F], 0.1, 'float16'),
    expected: () => roundTo('float16', 0.1),
  },
  {
    name: 'iota with a channel multiplier',
    op: 'iota',
    inputs: [],
    outShape: [P, F],
    outDType: 'int32',
    body: () => nisa.iota([P, F], 'int32', { offset: 5, channelMultiplier: 100, pattern: [[-2, F]] }),
    expected: (i) => 5 + 100 * pf(i)[0] - 2 * pf(i)[1],
  },
  {
    name: 'dmaCopy of a strided SBUF view',
    op: 'dmaCopy',
    inputs: [r([P, 2 * F], 'float32', 16)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x) => {
      const t = nl.ndarray([P, F], 'float32');
      return nisa.dmaCopy(t, x.get(':', [1, 2 * F, 2]));
    },
    expected: (i, [x]) => x.data[pf(i)[0] * 2 * F + 2 * pf(i)[1] + 1],
  },
];

CASES.push(...COMPUTE_CASES);

CASES.push(...DMA_CASES);

function runCase(c: OpCase, chip: string) {
  const k = kernel(
    (...hbm: Tensor[]) => {
      const out = nl.ndarray(c.outShape, c.outDType, { buffer: nl.sharedHbm });
      const tiles = hbm.map((t) => nl.load(t));
      let res = c.body(...tiles);
      if (res.buffer === 'psum') res = nisa.tensorCopy(res, { dtype: c.outDType });
      nl.store(out, res);
      return out;
    },
    { name: c.op },
  );
  return run(k, c.inputs, { chip });
}

describe('every op through compile and simulate', () => {
  it('every registered op has a case', () => {
    const covered = new Set(CASES.map((c) => c.op));
    expect(Object.keys(OPS).filter((op) => !covered.has(op as OpName))).toEqual([]);
  });

  describe.each(['trn1', 'trn2'])('%s', (chip) => {
    it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const res = runCase(c, chip);
      const out = res.outputs[0];
      expect(out.dtype).toBe(c.outDType);
      expect([...out.shape]).toEqual([...c.outShape]);
      const want = Array.from(out.data, (_, i) => roundTo(c.outDType, c.expected(i, c.inputs)));
      expect(Array.from(out.data)).toEqual(want);
    });
  });
});
