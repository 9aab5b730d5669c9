/**
 * Every elementwise, reduce and row op of the registry, lowered into a generated kernel and run on the simulator,
 * against the op's fp64 reference (table-driven; the table is checked to cover the lowering table).
 */
import { describe, expect, test } from 'vitest';
import { compareArrays } from '../../ir/host.ts';
import { GraphBuilder as Builder, type GraphBuilder, type GraphTensor } from '../builder.ts';
import { compileGraph } from '../compile.ts';
import { runGraph } from '../execute.ts';
import { REDUCE_OPS, TILE_OPS } from '../kernels/tile-ops.ts';
import { ndarray } from '../ndarray.ts';
import { evaluateGraph } from '../reference.ts';

type Make = (g: GraphBuilder, x: GraphTensor, col: GraphTensor, row: GraphTensor) => GraphTensor;
const one =
  (op: Parameters<GraphBuilder['op']>[0], attrs = {}): Make =>
  (g, x) =>
    g.op(op, [x], attrs)[0];
const pos = (g: GraphBuilder, x: GraphTensor) => g.add(g.exp(x), 0.5); // > 0
const c = (g: GraphBuilder, v: number) => g.constant('k', v);

/** op → how to build a small graph around it: x [3, 5, 24], col [3, 5, 1], row [24]. */
const CASES: Record<string, Make> = {
  Add: (g, x, col) => g.add(x, col),
  Sub: (g, x, _c, row) => g.sub(row, x),
  Mul: (g, x) => g.mul(x, 3),
  Div: (g, x, col) => g.div(x, g.add(g.exp(col), 1)),
  Pow: (g, x) => g.add(g.pow(x, 2), g.pow(pos(g, x), 0.5)),
  Max: (g, x, col) => g.op('Max', [x, col])[0],
  Min: (g, x, _c, row) => g.op('Min', [x, row])[0],
  Equal: (g, x) => g.cast(g.op('Equal', [g.op('Relu', [x])[0], c(g, 0)])[0], 'float32'),
  Less: (g, x, col) => g.cast(g.op('Less', [x, col])[0], 'float32'),
  LessOrEqual: (g, x, _c, row) => g.cast(g.op('LessOrEqual', [x, row])[0], 'float32'),
  Greater: (g, x) => g.cast(g.op('Greater', [x, c(g, 0.25)])[0], 'float32'),
  GreaterOrEqual: (g, x, col) => g.cast(g.op('GreaterOrEqual', [x, col])[0], 'float32'),
  And: (g, x, col) =>
    g.cast(g.op('And', [g.op('Greater', [x, c(g, 0)])[0], g.op('Less', [col, c(g, 0)])[0]])[0], 'float32'),
  Or: (g, x, col) =>
    g.cast(g.op('Or', [g.op('Greater', [x, c(g, 0)])[0], g.op('Less', [col, c(g, 0)])[0]])[0], 'float32'),
  Not: (g, x) => g.cast(g.op('Not', [g.op('Greater', [x, c(g, 0)])[0]])[0], 'float32'),
  Relu: one('Relu'),
  Sigmoid: one('Sigmoid'),
  Tanh: one('Tanh'),
  Exp: one('Exp'),
  Log: (g, x) => g.op('Log', [pos(g, x)])[0],
  Sqrt: (g, x) => g.sqrt(pos(g, x)),
  Reciprocal: (g, x) => g.op('Reciprocal', [pos(g, x)])[0],
  Neg: one('Neg'),
  Abs: one('Abs'),
  Erf: one('Erf'),
  Softplus: one('Softplus'),
  Sin: one('Sin'),
  Cos: one('Cos'),
  Silu: one('Silu'),
  Gelu: (g, x) => g.add(g.gelu(x), g.gelu(x, 'tanh')),
  HardSigmoid: one('HardSigmoid', { alpha: 0.3, beta: 0.4 }),
  HardSwish: (g, x) => g.op('HardSwish', [g.mul(x, 5)])[0],
  LeakyRelu: one('LeakyRelu', { alpha: 0.1 }),
  Clip: (g, x) => g.op('Clip', [x, c(g, -0.5), c(g, 0.25)])[0],
  Where: (g, x, col, row) => g.where(g.op('Greater', [x, col])[0], x, row),
  Cast: (g, x) =>
    g.add(g.cast(g.cast(g.mul(x, 4), 'int32'), 'float32'), g.cast(g.cast(x, 'bool'), 'float32')),
  BatchNormalization: (g, x) =>
    g.op('BatchNormalization', [
      g.reshape(x, [3, 5, 24, 1]),
      g.constant('s', [1, 2, 3, 4, 5]),
      g.constant('b', [0.1, 0.2, 0.3, 0.4, 0.5]),
      g.constant('m', [0, 0.1, -0.1, 0.2, 0]),
      g.constant('v', [1, 0.5, 2, 0.25, 1]),
    ])[0],
  Softmax: (g, x) => g.softmax(g.mul(x, 4)),
  LogSoftmax: (g, x) => g.op('LogSoftmax', [x], { axis: -1 })[0],
  LayerNormalization: (g, x, _c, row) =>
    g.layerNorm(
      x,
      row,
      g.constant(
        'beta',
        Array.from({ length: 24 }, (_, i) => i / 24),
      ),
      1e-3,
    ),
  RMSNormalization: (g, x, _c, row) => g.rmsnorm(g.add(x, 0.5), row, 1e-3),
  ReduceSum: (g, x) => g.reduceSum(x, [-1]),
  ReduceMean: (g, x) => g.add(x, g.reduceMean(g.mul(x, x), [2])),
  ReduceMax: (g, x) => g.op('ReduceMax', [x], { axes: [2], keepdims: 0 })[0],
  ReduceMin: (g, x) => g.op('ReduceMin', [x], { axes: [1, 2], keepdims: 1 })[0],
  GlobalAveragePool: (g, x) => g.op('GlobalAveragePool', [g.reshape(x, [3, 5, 4, 6])])[0],
  GlobalMaxPool: (g, x) => g.op('GlobalMaxPool', [g.reshape(x, [3, 5, 4, 6])])[0],
};

const REWRITTEN = new Set(['BatchNormalization', 'GlobalAveragePool', 'GlobalMaxPool']);

test('the table covers every op with a tile lowering or a reduction', () => {
  expect(Object.keys(CASES).sort()).toEqual([...Object.keys(TILE_OPS), ...Object.keys(REDUCE_OPS)].sort());
});

describe.concurrent('lowered and simulated = fp64 reference', () => {
  test.each(Object.keys(CASES))('%s', (op) => {
    const g = new Builder(op);
    const x = g.input('x', [3, 5, 24]);
    const col = g.input('col', [3, 5, 1]);
    const row = g.input('row', [24]);
    g.output(CASES[op](g, x, col, row), 'y');
    const cg = compileGraph(g.build());
    const run = runGraph(cg, {}, { seed: 11 });
    const env = new Map(
      cg.graph.inputs.map((id) => {
        const h = run.inputs.get(cg.graph.values[id].name)!;
        return [id, ndarray(h.shape, 'float32', h.data)] as const;
      }),
    );
    const want = evaluateGraph(cg.graph, env).get('y')!;
    const got = run.outputs.get('y')!;
    expect(got.shape).toEqual(want.shape);
    const cmp = compareArrays(got.data, want.data, got.shape, { atol: 2e-6, rtol: 2e-5 });
    expect(cmp.ok, `${op}: ${JSON.stringify(cmp.firstMismatch)} max ${cmp.maxAbsError}`).toBe(true);
    // Ops rewritten by the canonicalize pass run as the ops they become.
    if (!REWRITTEN.has(op)) expect(cg.steps.some((s) => s.nodes.some((n) => n.op === op))).toBe(true);
  });
});
