/** The Llama-style decoder block (builder) against its plain-TS reference, and its per-op timing table. */
import { describe, expect, test } from 'vitest';
import { compareArrays } from '../ir/host.ts';
import { compileGraph } from './compile.ts';
import { decoderBlock, decoderReference, SMALL_DECODER } from './examples/index.ts';
import { runGraph } from './execute.ts';
import { formatGraphReport, graphReport } from './report.ts';

describe('decoder block', () => {
  const graph = decoderBlock(SMALL_DECODER);
  const cg = compileGraph(graph);
  const run = runGraph(cg, {}, { seed: 7 });

  test('matches the plain-TS reference', () => {
    const weights = Object.fromEntries(graph.values.filter((v) => v.data).map((v) => [v.name, v.data!.data]));
    const x = run.inputs.get('x')!;
    const want = decoderReference(SMALL_DECODER, x.data, weights);
    const got = run.outputs.get('y')!;
    const cmp = compareArrays(got.data, want, got.shape, { atol: 1e-4, rtol: 1e-4 });
    console.log(`decoder block: max abs error vs plain-TS reference ${cmp.maxAbsError.toExponential(2)}`);
    expect(cmp.ok, JSON.stringify(cmp.firstMismatch)).toBe(true);
  });

  test('the timing table shows every op, each with its kernel and simulated time', () => {
    const report = graphReport(cg, run);
    const ops = report.steps.flatMap((s) => s.ops);
    expect([...ops].sort()).toEqual(graph.nodes.map((n) => n.op).sort());
    for (const s of report.steps) expect(s.latencyNs).toBeGreaterThan(0);
    const text = formatGraphReport(report, { perOp: true });
    const lines = text.split('\n');
    const first = lines.findIndex((l) => /^-+ {2}-/.test(l)) + 1;
    expect(lines.slice(first, lines.indexOf('', first))).toHaveLength(graph.nodes.length);
    for (const n of graph.nodes) {
      const row = text.split('\n').find((l) => l.includes(` ${n.name} `))!;
      // Its instructions' simulated time, or the op whose instructions compute it (an activation in a matmul's evacuation).
      expect(row, n.name).toMatch(/( \d+\.\d{2}| in MatMul)( |$)/);
    }
    expect(text).toMatch(/total {2}[\d.]+ us simulated/);
    console.log(text);
  });
});
