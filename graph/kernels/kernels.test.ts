/**
 * The generated kernels beyond elementwise ops, table-driven: matmul (row blocks, banks, batches, bias, one row),
 * conv (strides, pads, dilation, groups, depthwise, fused BatchNorm + ReLU), pooling, data movement, attention and
 * RoPE in both layouts, and chunked reductions — each compiled, simulated and compared with the fp64 reference.
 */
import { describe, expect, test } from 'vitest';
import { compareArrays } from '../../ir/host.ts';
import { GraphBuilder as Builder, type GraphBuilder, type GraphTensor } from '../builder.ts';
import { compileGraph } from '../compile.ts';
import { type GraphInputs, runGraph } from '../execute.ts';
import { ndarray } from '../ndarray.ts';
import { evaluateGraph } from '../reference.ts';

interface Case {
  /** Graph inputs: name → shape (float32) or explicit values. */
  readonly inputs: Record<string, readonly number[] | { shape: number[]; data: number[]; dtype: 'int64' }>;
  readonly build: (g: GraphBuilder, ins: Record<string, GraphTensor>) => GraphTensor | GraphTensor[];
  /** What the compiled steps must look like (kernel sources or op runs), to pin the path taken. */
  readonly steps?: readonly string[];
}

const w = (g: GraphBuilder, shape: number[], name = 'w') => g.weight(name, shape, { scale: 0.5 });

const CASES: Record<string, Case> = {
  'matmul: 300 rows in 3 blocks, N = 600 over two PSUM banks, bias row, relu': {
    inputs: { x: [300, 70] },
    build: (g, { x }) => g.relu(g.linear(x, w(g, [70, 600]), w(g, [600], 'b'))),
    steps: ['MatMul+Add+Relu'],
  },
  'matmul: one row, K = 300 in three blocks': {
    inputs: { x: [1, 300] },
    build: (g, { x }) => g.matmul(x, w(g, [300, 40])),
  },
  'matmul: batched activations on both sides': {
    inputs: { a: [2, 16, 24], b: [2, 24, 8] },
    build: (g, { a, b }) => g.matmul(a, b),
  },
  'gemm: transB, alpha, beta · C': {
    inputs: { a: [5, 12] },
    build: (g, { a }) =>
      g.op('Gemm', [a, w(g, [7, 12]), w(g, [7], 'c')], { transB: 1, alpha: 0.5, beta: 2 })[0],
  },
  'reduction over 3000 columns in chunks, accumulated': {
    inputs: { x: [4, 3000] },
    build: (g, { x }) => [
      g.reduceSum(g.mul(x, x), [1]),
      g.op('ReduceMax', [x], { axes: [1], keepdims: 1 })[0],
    ],
  },
  'elementwise over 5000 columns in chunks, a row operand': {
    inputs: { x: [3, 5000], r: [5000] },
    build: (g, { x, r }) => g.add(g.mul(x, r), 1),
  },
  'conv 3x3 stride 2 pad 1 (tensor mode) + BatchNorm + ReLU in the evacuation': {
    inputs: { x: [1, 3, 10, 12] },
    build: (g, { x }) => {
      const y = g.conv(x, w(g, [8, 3, 3, 3]), w(g, [8], 'b'), { strides: [2, 2], pads: [1, 1, 1, 1] });
      const bn = g.op('BatchNormalization', [
        y,
        w(g, [8], 's'),
        w(g, [8], 'o'),
        w(g, [8], 'm'),
        g.constant('v', Array(8).fill(0.5)),
      ])[0];
      return g.relu(bn);
    },
    steps: ['Conv+Mul+Add+Relu'],
  },
  'conv 1x1 over 200 input and 150 output channels (2 blocks each)': {
    inputs: { x: [1, 200, 4, 5] },
    build: (g, { x }) => g.conv(x, w(g, [150, 200, 1, 1])),
  },
  'conv dilation 2, asymmetric pads': {
    inputs: { x: [1, 4, 9, 9] },
    build: (g, { x }) => g.op('Conv', [x, w(g, [5, 4, 3, 3])], { dilations: [2, 2], pads: [2, 1, 0, 2] })[0],
  },
  'grouped conv (2 groups) as dense block-diagonal weights': {
    inputs: { x: [1, 4, 6, 6] },
    build: (g, { x }) => g.conv(x, w(g, [6, 2, 3, 3]), undefined, { group: 2, pads: [1, 1, 1, 1] }),
  },
  'depthwise 5x5 stride (2, 1) pad 2 on 130 channels (VectorE taps, 2 blocks), batch 2': {
    inputs: { x: [2, 130, 9, 7] },
    build: (g, { x }) =>
      g.conv(x, w(g, [130, 1, 5, 5]), w(g, [130], 'b'), { group: 130, strides: [2, 1], pads: [2, 2, 2, 2] }),
  },
  'max pool 3x3 stride 2 pad 1; average pool 2x2': {
    inputs: { x: [1, 6, 9, 8] },
    build: (g, { x }) => [
      g.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })[0],
      g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] })[0],
    ],
  },
  'transpose: last two swapped (TensorE), last kept (DMA), 2-D over blocks': {
    inputs: { x: [2, 3, 5], m: [200, 150] },
    build: (g, { x, m }) => [
      g.transpose(x, [0, 2, 1]),
      g.transpose(x, [1, 0, 2]),
      g.transpose(x, [2, 0, 1]),
      g.transpose(m, [1, 0]),
    ],
  },
  'concat, uneven split, strided slice, gather of constant indices, expand': {
    inputs: { a: [2, 3, 4], b: [2, 5, 4] },
    build: (g, { a, b }) => {
      const cat = g.concat([a, b], 1);
      const [p, q] = g.split(cat, [3, 5], 1);
      const idx = g.constant('idx', [4, 0, 4], { shape: [3], dtype: 'int64' });
      const i64 = (v: number[]) => g.constant('i', v, { shape: [v.length], dtype: 'int64' });
      const sl = g.op('Slice', [q, i64([1]), i64([5]), i64([1]), i64([2])])[0];
      const ex = g.op('Expand', [g.reduceMean(a, [2]), i64([2, 3, 6])])[0];
      return [p, sl, g.op('Gather', [cat, idx], { axis: 1 })[0], ex];
    },
  },
  'gather of run-time indices (embedding rows)': {
    inputs: { ids: { shape: [5], data: [3, 0, 9, 3, 7], dtype: 'int64' } },
    build: (g, { ids }) => g.op('Gather', [w(g, [10, 8], 'table'), ids])[0],
  },
  'attention 4-D, not causal, with an additive mask; RoPE 4-D over half the head': {
    inputs: { q: [1, 2, 6, 8], k: [1, 1, 10, 8], v: [1, 1, 10, 4] },
    build: (g, { q, k, v }) => {
      const mask = g.constant(
        'mask',
        Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? -2 : 0)),
        { shape: [6, 10] },
      );
      const a = g.op('Attention', [q, k, v, mask], {})[0];
      const cos = g.constant(
        'cos',
        Array.from({ length: 12 }, (_, i) => Math.cos(i / 5)),
        { shape: [1, 6, 2] },
      );
      const sin = g.constant(
        'sin',
        Array.from({ length: 12 }, (_, i) => Math.sin(i / 5)),
        { shape: [1, 6, 2] },
      );
      return [a, g.op('RotaryEmbedding', [q, cos, sin], { rotary_embedding_dim: 4 })[0]];
    },
  },
};

describe.concurrent('generated kernels = fp64 reference', () => {
  test.each(Object.keys(CASES))('%s', (name) => {
    const c = CASES[name];
    const g = new Builder('case');
    const ins: Record<string, GraphTensor> = {};
    const given: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [k, v] of Object.entries(c.inputs)) {
      if (Array.isArray(v)) ins[k] = g.input(k, v as number[]);
      else {
        const e = v as { shape: number[]; data: number[]; dtype: 'int64' };
        ins[k] = g.input(k, e.shape, e.dtype);
        given[k] = e;
      }
    }
    const outs = [c.build(g, ins)].flat();
    for (const [i, t] of outs.entries()) g.output(t, `y${i}`);
    const cg = compileGraph(g.build());
    if (c.steps) expect(cg.steps.map((s) => s.nodes.map((n) => n.op).join('+'))).toEqual(c.steps);
    const run = runGraph(cg, given as GraphInputs, { seed: 5 });
    const env = new Map(
      cg.graph.inputs.map((id) => {
        const v = cg.graph.values[id];
        const h = run.inputs.get(v.name)!;
        return [id, ndarray(h.shape, v.type.dtype, h.data)] as const;
      }),
    );
    const want = evaluateGraph(cg.graph, env);
    for (const [k, e] of want) {
      const got = run.outputs.get(k)!;
      const cmp = compareArrays(got.data, e.data, got.shape, { atol: 1e-5, rtol: 1e-5 });
      expect(cmp.ok, `${k}: ${JSON.stringify(cmp.firstMismatch)} max ${cmp.maxAbsError}`).toBe(true);
    }
  });
});
