/**
 * The two real ONNX models (and the transformer-ops model) end to end on the simulator, against onnxruntime's
 * outputs on the same seeded inputs (graph/fixtures/expected, made by graph/scripts/expected-outputs.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { compareArrays } from '../ir/host.ts';
import { compileGraph } from './compile.ts';
import { runGraph } from './execute.ts';
import { loadOnnx } from './onnx/import.ts';
import { graphReport } from './report.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface Expected {
  readonly model: string;
  readonly inputs: Record<string, { shape: number[]; data: number[] }>;
  readonly outputs: Record<string, { shape: number[]; data: number[] }>;
}

function expected(name: string): Expected {
  return JSON.parse(readFileSync(`${FIXTURES}expected/${name}.json`, 'utf8'));
}

/** The bar: onnxruntime within 1e-4 (fp32). */
const TOL = { atol: 1e-4, rtol: 0 };

describe.each(['hello_deepa', 'cls_48x32', 'transformer_ops', 'attention_ops'])(
  '%s matches onnxruntime',
  (name) => {
    test('every output within 1e-4', () => {
      const e = expected(name);
      const g = loadOnnx(`${FIXTURES}${e.model}`);
      const inputShapes = Object.fromEntries(Object.entries(e.inputs).map(([k, v]) => [k, v.shape]));
      const cg = compileGraph(g, { inputShapes });
      const run = runGraph(cg, e.inputs);
      for (const [out, want] of Object.entries(e.outputs)) {
        const got = run.outputs.get(out)!;
        expect(got.shape).toEqual(want.shape);
        const cmp = compareArrays(got.data, want.data, got.shape, TOL);
        console.log(`${name} ${out}: max abs error vs onnxruntime ${cmp.maxAbsError.toExponential(2)}`);
        expect(cmp.ok, JSON.stringify(cmp.firstMismatch)).toBe(true);
      }
      expect(run.latencyNs).toBeGreaterThan(0);
      if (name === 'transformer_ops') {
        // The shape subgraph (Shape → Gather / Slice → Concat → Cast → Cast → Concat) is gone once x is fixed.
        expect(graphReport(cg, run).folded).toEqual({ Shape: 1, Gather: 1, Slice: 1, Concat: 2, Cast: 2 });
      }
    });
  },
);
