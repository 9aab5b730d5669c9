/** The builder: nodes typed as they are made, errors at the caller's line; reports and the whole-graph trace. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { KernelError } from '../ir/errors.ts';
import { GraphBuilder } from './builder.ts';
import { compileGraph } from './compile.ts';
import { runGraph, timeGraph } from './execute.ts';
import { graphReport, graphTrace } from './report.ts';

function thrown(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a diagnostic');
}

describe('builder', () => {
  test('values carry static types as soon as they are made', () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', [4, 16]);
    const y = g.softmax(g.matmul(x, g.weight('w', [16, 8])));
    expect([y.shape, y.dtype]).toEqual([[4, 8], 'float32']);
    g.output(y, 'probs');
    const graph = g.build();
    expect(graph.nodes.map((n) => n.op)).toEqual(['MatMul', 'Softmax']);
    expect(graph.nodes[0].origin).toMatchObject({
      kind: 'ts',
      loc: { file: expect.stringMatching(/builder\.test\.ts$/) },
    });
  });

  test('a shape error is reported at the line that made the node', () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', [4, 16]);
    const e = thrown(() => g.matmul(x, g.weight('w', [8, 8])));
    expect(e.code).toBe('TK0805');
    expect(e.detail).toBe(
      "node 'matmul_0' (MatMul): MatMul contraction mismatch: [4,16] · [8,8] (K = 16 vs 8)",
    );
    expect(e.loc?.file).toMatch(/builder\.test\.ts$/);
    const src = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
    expect(e.loc?.line).toBe(src.findIndex((l) => l.includes("g.matmul(x, g.weight('w', [8, 8]))")) + 1);
  });

  test('misuse is TK0811: tensors of another graph, no outputs', () => {
    const a = new GraphBuilder('a');
    const b = new GraphBuilder('b');
    const x = a.input('x', [2, 2]);
    expect(thrown(() => b.relu(x)).code).toBe('TK0811');
    expect(thrown(() => b.build()).detail).toBe("graph 'b' has no outputs; mark them with g.output(t)");
  });

  test('an attribute of the wrong type is TK0806', () => {
    const g = new GraphBuilder('t');
    const x = g.input('x', [2, 3]);
    expect(thrown(() => g.op('Softmax', [x], { axis: 'last' })).detail).toBe(
      `node 'softmax_0' (Softmax): attribute 'axis' must be an integer, got "last"`,
    );
  });
});

describe('reports and traces', () => {
  const g = new GraphBuilder('mlp');
  const x = g.input('x', [8, 32]);
  const h = g.relu(g.linear(x, g.weight('w1', [32, 64]), g.weight('b1', [64])));
  g.output(g.softmax(g.linear(h, g.weight('w2', [64, 10]))), 'y');
  const cg = compileGraph(g.build());
  const run = runGraph(cg);

  test('timing only gives the same latencies as the functional run', () => {
    const timed = timeGraph(cg);
    expect(timed.steps.map((s) => s.latencyNs)).toEqual(run.steps.map((s) => s.latencyNs));
    expect(timed.latencyNs).toBe(run.latencyNs);
  });

  test('the report totals its rows', () => {
    const r = graphReport(cg, run);
    expect(r.latencyNs).toBeCloseTo(
      r.steps.reduce((s, x) => s + x.latencyNs, 0),
      6,
    );
    expect(r.hbmBytes).toBe(r.steps.reduce((s, x) => s + x.hbmBytes, 0));
    expect(r.steps.map((s) => s.ops.join('+'))).toEqual(['MatMul+Add+Relu', 'MatMul+Softmax']);
  });

  test('the whole-graph trace lays kernels end to end under a graph-ops track', () => {
    const t = graphTrace(cg, run);
    const graphOps = t.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'graph');
    expect(graphOps.map((e) => e.name)).toEqual(['MatMul+Add+Relu', 'MatMul+Softmax']);
    expect(graphOps[1].ts).toBeCloseTo(graphOps[0].dur!, 6);
    const engine = t.traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'graph');
    const second = engine.filter((e) => e.args?.kernel === cg.steps[1].name);
    expect(second.length).toBeGreaterThan(0);
    for (const e of second) expect(e.ts!).toBeGreaterThanOrEqual(graphOps[1].ts! - 1e-9);
    const names = t.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name');
    expect(new Set(names.map((e) => e.tid)).size).toBe(names.length);
    expect(t.otherData.latencyNs).toBe(run.latencyNs);
  });
});
