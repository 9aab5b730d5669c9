import { describe, expect, it } from 'vitest';
import { compile } from '../codegen/compile.ts';
import { libraryKernel } from '../kernels/index.ts';
import { getChip } from '../simulator/chips/index.ts';
import { timeProgram } from '../simulator/simulate.ts';
import { summarize } from '../simulator/timing/metrics.ts';
import { calibrate, LADDER_SHAPE, TRN1_LATENCY } from './calibration.ts';

const FULL = process.env.TILEKIT_FULL === '1';

function stage(name: string, chip: string) {
  const { kernel, inputs } = libraryKernel(name).build(LADDER_SHAPE, 'bfloat16');
  return summarize(timeProgram(compile(kernel.trace(inputs), getChip(chip))));
}

describe('calibration against published hardware figures (calibration.md)', () => {
  it('optimised stage on trn1 is within 15 % of 6.97 ms', () => {
    const s = stage('matmul-optimized', 'trn1');
    const published = TRN1_LATENCY.find((r) => r.name === 'matmul-optimized')!.publishedNs;
    expect(Math.abs(s.latencyNs / published - 1)).toBeLessThan(0.15);
  });

  it('optimised stage on trn2 shows the published pattern: TensorE >= 95 % active, DMA well under half', () => {
    const s = stage('matmul-optimized', 'trn2');
    expect(s.active.tensor).toBeGreaterThanOrEqual(0.95);
    expect(s.active.dma).toBeLessThan(0.5);
  });

  it.runIf(FULL)(
    'the whole ladder: each stage within 15 %, order kept, mean error <= 10 %; early trn2 stages DMA-bound',
    () => {
      const c = calibrate();
      for (const r of c.rows) expect(Math.abs(r.errorPct)).toBeLessThan(15);
      const sim = c.rows.map((r) => r.simulatedNs);
      for (let i = 1; i < sim.length; i++) expect(sim[i]).toBeLessThan(sim[i - 1]);
      expect(c.meanAbsErrorPct).toBeLessThanOrEqual(10);
      for (const r of c.trn2.slice(0, 3)) expect(r.simulated.dma).toBeGreaterThan(r.simulated.tensor);
    },
    600_000,
  );
});
