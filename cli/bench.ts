/**
 * `tilekit bench`: trace, compile and time a kernel on the simulated chip (timing only, like `nki.benchmark`: no
 * values are computed) and set its latency against the roofline. `benchCase` is the one step every consumer uses:
 * the CLI, `tilekit report` and the suite of `npm run bench` (benchmarks/run.ts).
 */
import { performance } from 'node:perf_hooks';
import { compile } from '../codegen/compile.ts';
import type { Kernel } from '../dsl/kernel.ts';
import type { DType } from '../ir/dtypes.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { timeProgram } from '../simulator/simulate.ts';
import {
  REPORTED_ENGINES,
  type ReportedEngine,
  summarize,
  type TimelineSummary,
} from '../simulator/timing/metrics.ts';
import type { Timeline } from '../simulator/timing/timeline.ts';
import {
  type BenchCase,
  type BenchShape,
  type BenchTarget,
  caseChip,
  chipLabel,
  fmtBenchShape,
} from './bench-target.ts';
import { keyValueLines } from './format.ts';
import { type Roofline, type RooflineBound, roofline } from './roofline.ts';
import { type Column, renderTable } from './table.ts';

/** `tilekit bench --json`: one object per case (an array of them for `--sweep`). */
export interface BenchResult {
  readonly kernel: string;
  readonly chip: string;
  readonly shape: BenchShape;
  readonly dtype: DType;
  /** Meta-parameter overrides (tile and block sizes); present only when some were given. */
  readonly meta?: Readonly<Record<string, number>>;
  readonly latencyNs: number;
  /** All FLOPs, every engine. */
  readonly flops: number;
  /** Bytes moved between HBM and on-chip memory. */
  readonly hbmBytes: number;
  /** Fraction of the latency each engine was busy. */
  readonly active: Readonly<Record<ReportedEngine, number>>;
  readonly roofline: RooflineBound;
}

/** A timed case with everything reports derive from it. */
export interface BenchRun {
  readonly result: BenchResult;
  readonly roofline: Roofline;
  readonly summary: TimelineSummary;
  readonly timeline: Timeline;
  readonly kernel: Kernel;
  readonly chip: ChipConfig;
  readonly instructions: number;
  /** Host wall time to build, trace, compile, time and summarise (not a prediction of chip time). */
  readonly wallMs: number;
}

export const BENCH_PHASES = ['trace', 'compile', 'simulate', 'summarize'] as const;
export type BenchPhase = (typeof BENCH_PHASES)[number];

/** Time one case. `onPhase` is called as each phase starts (for progress bars). */
export function benchCase(target: BenchTarget, c: BenchCase, onPhase?: (p: BenchPhase) => void): BenchRun {
  const t0 = performance.now();
  const chip = caseChip(c);
  onPhase?.('trace');
  const { kernel, inputs } = target.build(c.shape, c.dtype, c.chip, c.meta);
  const ir = kernel.trace(inputs);
  onPhase?.('compile');
  const program = compile(ir, chip);
  onPhase?.('simulate');
  const timeline = timeProgram(program);
  onPhase?.('summarize');
  const summary = summarize(timeline);
  const roof = roofline(timeline, summary, c.dtype);
  const result: BenchResult = {
    kernel: target.name,
    chip: chipLabel(chip, c.sets),
    shape: target.describeShape(c.shape, inputs, kernel),
    dtype: c.dtype,
    ...(Object.keys(c.meta).length ? { meta: c.meta } : {}),
    latencyNs: summary.latencyNs,
    flops: roof.flops,
    hbmBytes: summary.hbmBytes,
    active: Object.fromEntries(REPORTED_ENGINES.map((e) => [e, summary.active[e]])) as Record<
      ReportedEngine,
      number
    >,
    roofline: { boundNs: roof.boundNs, efficiency: roof.efficiency, limitedBy: roof.limitedBy },
  };
  return {
    result,
    roofline: roof,
    summary,
    timeline,
    kernel,
    chip,
    instructions: program.instrs.length,
    wallMs: performance.now() - t0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Text output

/** 812 ns, 3.214 µs, 7.482 ms, 1.250 s */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  const a = Math.abs(ns);
  if (a < 1e3) return `${ns.toFixed(0)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(3)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(3)} ms`;
  return `${(ns / 1e9).toFixed(3)} s`;
}

/** 549.8 G, 872.4 M, 16.78 M, 512 (SI prefixes, 4 significant digits). */
export function fmtSi(x: number): string {
  const a = Math.abs(x);
  for (const [p, s] of [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (a >= p) return `${Number((x / p).toPrecision(4))} ${s}`;
  }
  return `${Number(x.toPrecision(4))} `;
}

export const pct = (f: number): string => `${(100 * f).toFixed(1)}%`;

const ENGINE_LABEL: Record<ReportedEngine, string> = {
  tensor: 'TensorE',
  vector: 'VectorE',
  scalar: 'ScalarE',
  gpsimd: 'GpSimdE',
  dma: 'DMA',
};
const LIMIT_LABEL = { tensor: 'TensorE compute', hbm: 'HBM bandwidth' } as const;

/** Idle causes of each engine that did some work, `top` per engine, largest first. */
function idleLines(s: TimelineSummary, top: number): string[] {
  const lines: string[] = [];
  for (const idle of s.idle) {
    if (s.busyNs[idle.engine] <= 0 || idle.idleNs <= 0) continue;
    const share = s.latencyNs > 0 ? idle.idleNs / s.latencyNs : 0;
    lines.push(`  ${ENGINE_LABEL[idle.engine]} idle ${fmtNs(idle.idleNs)} (${pct(share)} of the latency)`);
    for (const c of idle.causes.slice(0, top)) {
      const gaps = `${c.gaps} gap${c.gaps === 1 ? '' : 's'}`;
      lines.push(`    ${fmtNs(c.ns).padStart(11)}  ${gaps.padStart(9)}  ${c.cause}`);
    }
  }
  return lines;
}

/** The terminal summary of one case. */
export function formatBench(run: BenchRun, opts: { idleCauses?: number } = {}): string {
  const { result: r, roofline: f, summary: s } = run;
  const byEngine = (['tensor', 'vector', 'scalar', 'gpsimd'] as const)
    .filter((e) => f.flopsByEngine[e] > 0)
    .map((e) => `${ENGINE_LABEL[e]} ${fmtSi(f.flopsByEngine[e])}`)
    .join(', ');
  const rows: [string, string][] = [
    ['kernel', r.kernel],
    ['shape', fmtBenchShape(r.shape)],
    ['dtype', r.dtype],
    ...(r.meta ? [['meta', fmtBenchShape(r.meta)] as [string, string]] : []),
    ['chip', `${r.chip} (${run.chip.core})`],
    ['latency', `${fmtNs(r.latencyNs)}  (simulated, timing only; ${run.instructions} instructions)`],
    ['active', REPORTED_ENGINES.map((e) => `${ENGINE_LABEL[e]} ${pct(r.active[e])}`).join('  ')],
    ['FLOPs', `${fmtSi(r.flops)}FLOP${byEngine ? `  (${byEngine})` : ''}`],
    ['HBM bytes', `${fmtSi(r.hbmBytes)}B`],
    [
      'intensity',
      `${Number(f.arithmeticIntensity.toPrecision(4))} FLOP/B  (ridge point ${Number(f.ridgeIntensity.toPrecision(4))} FLOP/B)`,
    ],
    [
      'roofline',
      `bound ${fmtNs(f.boundNs)} = max(TensorE ${fmtNs(f.computeNs)} at ${fmtSi(f.tensorPeakFlopsPerNs * 1e9)}FLOP/s, ` +
        `HBM ${fmtNs(f.memoryNs)} at ${fmtSi(f.hbmBytesPerNs * 1e9)}B/s)`,
    ],
    ['efficiency', `${pct(f.efficiency)} of the roofline bound; limited by ${LIMIT_LABEL[f.limitedBy]}`],
    ['wall time', `${(run.wallMs / 1000).toFixed(1)} s (host time to trace, compile and time)`],
  ];
  const idle = idleLines(s, opts.idleCauses ?? 3);
  return `${keyValueLines(rows)}\n${idle.length ? `top idle causes\n${idle.join('\n')}\n` : ''}`;
}

/** The sweep table's columns. */
export const BENCH_COLUMNS: readonly Column<BenchResult>[] = [
  { header: 'kernel', cell: (r) => r.kernel },
  { header: 'shape', cell: (r) => fmtBenchShape(r.shape) },
  { header: 'dtype', cell: (r) => r.dtype },
  { header: 'meta', cell: (r) => (r.meta ? fmtBenchShape(r.meta) : '') },
  { header: 'chip', cell: (r) => r.chip },
  { header: 'latency', align: 'right', cell: (r) => fmtNs(r.latencyNs) },
  ...REPORTED_ENGINES.map(
    (e): Column<BenchResult> => ({ header: `${e} %`, align: 'right', cell: (r) => pct(r.active[e]) }),
  ),
  { header: 'FLOP', align: 'right', cell: (r) => fmtSi(r.flops).trimEnd() },
  { header: 'HBM B', align: 'right', cell: (r) => fmtSi(r.hbmBytes).trimEnd() },
  {
    header: 'FLOP/B',
    align: 'right',
    cell: (r) => (r.hbmBytes > 0 ? String(Number((r.flops / r.hbmBytes).toPrecision(4))) : '-'),
  },
  { header: 'bound', align: 'right', cell: (r) => fmtNs(r.roofline.boundNs) },
  { header: 'efficiency', align: 'right', cell: (r) => pct(r.roofline.efficiency) },
  { header: 'limited by', cell: (r) => r.roofline.limitedBy },
];

/** The sweep table (the meta column only when some case set meta-parameters). */
export function formatSweep(results: readonly BenchResult[]): string {
  const meta = results.some((r) => r.meta);
  return renderTable(
    BENCH_COLUMNS.filter((c) => meta || c.header !== 'meta'),
    results,
  );
}
