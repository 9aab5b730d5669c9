import { compile } from '../codegen/compile.ts';
import { libraryKernel } from '../kernels/index.ts';
import { getChip } from '../simulator/chips/index.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { timeProgram } from '../simulator/simulate.ts';
import { summarize } from '../simulator/timing/metrics.ts';

/**
 * Published hardware figures the timing model is calibrated against (calibration.md §1, §2: the NKI matmul
 * tutorial's ladder at 4096×8192×8192 bf16). Only these are calibration targets; no cost rule knows them.
 */
export const LADDER_SHAPE = { M: 4096, K: 8192, N: 8192 } as const;

export const TRN1_LATENCY = [
  { name: 'matmul-tiled', publishedNs: 51.8e6, publishedHfu: 0.1098 },
  { name: 'matmul-hoisted', publishedNs: 42.96e6, publishedHfu: 0.1324 },
  { name: 'matmul-blocked', publishedNs: 22.07e6, publishedHfu: 0.2651 },
  { name: 'matmul-optimized', publishedNs: 6.97e6, publishedHfu: 0.8524 },
] as const;

/** Published profiler activity on trn2 (calibration.md §2); VectorE is given for the last stage only. */
export const TRN2_ACTIVE = [
  { name: 'matmul-tiled', dma: 0.9993, tensor: 0.8728, vector: undefined },
  { name: 'matmul-hoisted', dma: 0.9973, tensor: 0.9985, vector: undefined },
  { name: 'matmul-blocked', dma: 0.957, tensor: 0.9952, vector: undefined },
  { name: 'matmul-optimized', dma: 0.2154, tensor: 0.995, vector: 0.1055 },
] as const;

export interface LatencyRow {
  readonly name: string;
  readonly chip: string;
  readonly publishedNs: number;
  readonly simulatedNs: number;
  readonly errorPct: number;
  readonly publishedHfu: number;
  readonly hfu: number;
  readonly instructions: number;
  readonly wallMs: number;
}

export interface ActiveRow {
  readonly name: string;
  readonly chip: string;
  readonly simulatedNs: number;
  readonly published: { readonly dma: number; readonly tensor: number; readonly vector?: number };
  readonly simulated: { readonly dma: number; readonly tensor: number; readonly vector: number };
}

export interface Calibration {
  readonly rows: readonly LatencyRow[];
  readonly meanAbsErrorPct: number;
  readonly trn2: readonly ActiveRow[];
}

function timeLadderStage(name: string, chip: ChipConfig) {
  const t0 = performance.now();
  const { kernel, inputs } = libraryKernel(name).build(LADDER_SHAPE, 'bfloat16');
  const timeline = timeProgram(compile(kernel.trace(inputs), chip));
  return { summary: summarize(timeline), wallMs: performance.now() - t0 };
}

/** Simulate the ladder (timing only) on trn1 against the published latencies, and on trn2 for engine activity. */
export function calibrate(
  opts: { trn1?: ChipConfig; trn2?: ChipConfig; onProgress?: (what: string) => void } = {},
): Calibration {
  const trn1 = opts.trn1 ?? getChip('trn1');
  const trn2 = opts.trn2 ?? getChip('trn2');
  const rows = TRN1_LATENCY.map((p) => {
    opts.onProgress?.(`${p.name} on ${trn1.name}`);
    const { summary, wallMs } = timeLadderStage(p.name, trn1);
    return {
      name: p.name,
      chip: trn1.name,
      publishedNs: p.publishedNs,
      simulatedNs: summary.latencyNs,
      errorPct: (100 * (summary.latencyNs - p.publishedNs)) / p.publishedNs,
      publishedHfu: p.publishedHfu,
      hfu: summary.hfu,
      instructions: summary.instructions,
      wallMs,
    };
  });
  const trn2Rows = TRN2_ACTIVE.map((p) => {
    opts.onProgress?.(`${p.name} on ${trn2.name}`);
    const { summary } = timeLadderStage(p.name, trn2);
    return {
      name: p.name,
      chip: trn2.name,
      simulatedNs: summary.latencyNs,
      published: { dma: p.dma, tensor: p.tensor, vector: p.vector },
      simulated: { dma: summary.active.dma, tensor: summary.active.tensor, vector: summary.active.vector },
    };
  });
  const meanAbsErrorPct = rows.reduce((s, r) => s + Math.abs(r.errorPct), 0) / rows.length;
  return { rows, meanAbsErrorPct, trn2: trn2Rows };
}
