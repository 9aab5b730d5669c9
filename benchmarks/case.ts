/** One suite case, timed: what a benchmark worker runs (benchmarks/worker-main.ts) and what run.ts does inline. */
import { benchCase } from '../cli/bench.ts';
import { resolveTarget } from '../cli/bench-target.ts';
import type { SuiteCase, SuiteRow } from './suite.ts';

export interface CaseOutcome {
  readonly row: SuiteRow;
  /** Host wall time of the case (printed as progress, not stored: it varies from run to run). */
  readonly wallMs: number;
}

export async function runSuiteCase(c: SuiteCase): Promise<CaseOutcome> {
  const t0 = performance.now();
  try {
    const target = await resolveTarget(c.kernel);
    const run = benchCase(target, { shape: c.shape, dtype: c.dtype, chip: c.chip, meta: {}, sets: [] });
    const { result, roofline: f } = run;
    const latency = result.latencyNs;
    return {
      row: {
        ...result,
        instructions: run.instructions,
        tensorPeakFraction: latency > 0 ? f.computeNs / latency : 0,
        hbmRoofFraction: latency > 0 ? f.memoryNs / latency : 0,
      },
      wallMs: performance.now() - t0,
    };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return {
      row: { kernel: c.kernel, chip: c.chip, shape: c.shape, dtype: c.dtype, error },
      wallMs: performance.now() - t0,
    };
  }
}
