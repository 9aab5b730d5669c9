/**
 * The roofline benchmark suite of `npm run bench`: every library kernel at a realistic shape on trn1 and trn2,
 * timing only. This module defines the cases and renders the results; benchmarks/run.ts runs them.
 */

import type { BenchResult } from '../cli/bench.ts';
import { fmtNs, fmtSi, pct } from '../cli/bench.ts';
import { fmtBenchShape } from '../cli/bench-target.ts';
import type { DType } from '../ir/dtypes.ts';
import type { LibraryKernel, ShapeParams } from '../kernels/library.ts';

export const BENCH_CHIPS = ['trn1', 'trn2'] as const;

/**
 * Realistic shapes by kernel name (kernels.md, calibration.md). Only the keys a kernel declares in `shapeParams`
 * are used, over its default shape; a kernel not listed runs at its default shape.
 */
export const BENCH_SHAPES: Readonly<Record<string, ShapeParams>> = {
  add: { rows: 4096, cols: 8192 },
  matmul: { M: 128, K: 128, N: 512 },
  'matmul-tiled': { M: 4096, K: 8192, N: 8192 },
  'matmul-hoisted': { M: 4096, K: 8192, N: 8192 },
  'matmul-blocked': { M: 4096, K: 8192, N: 8192 },
  'matmul-optimized': { M: 4096, K: 8192, N: 8192 },
  'matmul-pipelined': { M: 4096, K: 8192, N: 8192 },
  transpose2d: { rows: 128, f1: 64, f2: 64 },
  softmax: { rows: 4096, cols: 8192 },
  layernorm: { rows: 4096, cols: 8192 },
  'layernorm-v1': { rows: 4096, cols: 8192 },
  rmsnorm: { rows: 4096, cols: 8192 },
  rope: { batch: 2, bs: 2, heads: 32, seq: 256, d: 128, hd: 128 },
  'sd-attention': { seq: 4096, d: 64 },
  'flash-attention': { batch: 1, heads: 8, kvHeads: 8, seq: 8192, seqK: 8192, d: 128, causal: 1, window: 0 },
  'swiglu-mlp': { tokens: 2048, hidden: 4096, intermediate: 11008 },
};

/** Preferred benchmark dtype: bf16 where the kernel supports it (the TensorE roof NKI quotes), else its first. */
export function benchDType(lk: LibraryKernel): DType {
  return lk.dtypes.includes('bfloat16') ? 'bfloat16' : lk.dtypes[0];
}

/** The kernel's benchmark shape: BENCH_SHAPES' values for its parameters, over its default shape. */
export function benchShape(lk: LibraryKernel): ShapeParams {
  const wanted = BENCH_SHAPES[lk.name] ?? {};
  const shape: Record<string, number> = { ...lk.defaultShape };
  for (const p of lk.shapeParams) if (p in wanted) shape[p] = wanted[p];
  return shape;
}

export interface SuiteCase {
  readonly kernel: string;
  readonly shape: ShapeParams;
  readonly dtype: DType;
  readonly chip: string;
}

/** Every (kernel, chip), kernels in library order. */
export function suiteCases(
  lib: readonly LibraryKernel[],
  chips: readonly string[] = BENCH_CHIPS,
): SuiteCase[] {
  return lib.flatMap((lk) =>
    chips.map((chip) => ({ kernel: lk.name, shape: benchShape(lk), dtype: benchDType(lk), chip })),
  );
}

/** One row of benchmarks/results/latest.json: the `tilekit bench --json` object plus a few derived numbers. */
export interface SuiteResult extends BenchResult {
  readonly instructions: number;
  /** Matmul FLOPs at TensorE peak over the latency: the fraction of TensorE peak reached. */
  readonly tensorPeakFraction: number;
  /** HBM bytes at the HBM roof over the latency: the fraction of the HBM roofline reached. */
  readonly hbmRoofFraction: number;
}

/** A case that could not run: the error instead of the numbers. */
export interface SuiteFailure {
  readonly kernel: string;
  readonly chip: string;
  readonly shape: ShapeParams;
  readonly dtype: DType;
  readonly error: string;
}

export type SuiteRow = SuiteResult | SuiteFailure;

export const isFailure = (r: SuiteRow): r is SuiteFailure => 'error' in r;

export interface SuiteFile {
  readonly description: string;
  readonly command: string;
  readonly results: readonly SuiteRow[];
}

const DEFINITIONS = `Simulated (timing only, like \`nki.benchmark\`): latency from tilekit's timing model, not hardware.
Active: fraction of the latency each engine was busy. Bound = max(matmul FLOPs at TensorE peak for their dtype,
HBM bytes at the HBM roof); efficiency = bound / latency; "TensorE peak" and "HBM roof" are each time at peak over
the latency. FLOP counts every engine's FLOPs; FLOP/B is that over HBM bytes.`;

function markdownRow(r: SuiteRow): string {
  if (isFailure(r)) {
    const error = r.error.replace(/\|/g, '\\|').split('\n')[0];
    return `| ${r.kernel} | ${fmtBenchShape(r.shape)} | ${r.dtype} | error: ${error} |${' |'.repeat(12)}`;
  }
  const cells = [
    r.kernel,
    fmtBenchShape(r.shape),
    r.dtype,
    fmtNs(r.latencyNs),
    pct(r.active.tensor),
    pct(r.active.vector),
    pct(r.active.scalar),
    pct(r.active.dma),
    `${fmtSi(r.flops)}FLOP`,
    `${fmtSi(r.hbmBytes)}B`,
    r.hbmBytes > 0 ? String(Number((r.flops / r.hbmBytes).toPrecision(4))) : '-',
    fmtNs(r.roofline.boundNs),
    `**${pct(r.roofline.efficiency)}**`,
    r.roofline.limitedBy === 'tensor' ? 'TensorE' : 'HBM',
    pct(r.tensorPeakFraction),
    pct(r.hbmRoofFraction),
  ];
  return `| ${cells.join(' | ')} |`;
}

/** benchmarks/results/latest.md: one table per chip. */
export function suiteMarkdown(file: SuiteFile): string {
  const chips = [...new Set(file.results.map((r) => r.chip.split(' ')[0]))];
  const header =
    '| kernel | shape | dtype | latency | TensorE active | VectorE active | ScalarE active | DMA active | FLOP | HBM bytes | FLOP/B | bound | efficiency | limited by | TensorE peak | HBM roof |\n' +
    '|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|';
  const sections = chips.map((chip) => {
    const rows = file.results.filter((r) => r.chip.split(' ')[0] === chip).map(markdownRow);
    return `## ${chip}\n\n${header}\n${rows.join('\n')}\n`;
  });
  return `# Roofline benchmarks\n\n${file.description}\n\nGenerated by \`${file.command}\`.\n\n${DEFINITIONS}\n\n${sections.join('\n')}`;
}
