/**
 * `tilekit suite`, the main job: every library kernel at its default shape, in each of its dtypes, run on the
 * simulated chip and checked against its plain-TS reference.
 */
import { performance } from 'node:perf_hooks';
import { compareArrays, getChip, randomInputs, run } from '../index.ts';
import type { DType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import type { LibraryKernel, ShapeParams } from '../kernels/library.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { summarize } from '../simulator/timing/metrics.ts';
import { fmtMs, fmtNum } from './format.ts';
import { type Column, renderTable } from './table.ts';

export interface SuiteOptions {
  /** 'trn1' (default), 'trn2', or a chip config (e.g. with overrides). */
  readonly chip?: string | ChipConfig;
  /** Seed of the random inputs (default 0). */
  readonly seed?: number;
  /** The kernels to run (default: the whole library, `LIBRARY` of kernels/index.ts). */
  readonly kernels?: readonly LibraryKernel[];
}

export type SuiteStatus = 'PASS' | 'FAIL' | 'ERROR';

/** One (kernel, dtype) case. Error fields are NaN/0 and `error` is set when the case could not run. */
export interface SuiteRow {
  readonly kernel: string;
  readonly shape: ShapeParams;
  readonly dtype: DType;
  readonly chip: string;
  readonly instructions: number;
  /** Largest |actual - expected| over all outputs. */
  readonly maxAbsError: number;
  readonly maxRelError: number;
  readonly mismatches: number;
  readonly atol: number;
  readonly rtol: number;
  readonly status: SuiteStatus;
  /** Simulated latency on the chip (NaN when the case could not run). */
  readonly latencyNs: number;
  /** Fraction of the latency TensorE and the DMA engines were busy. */
  readonly active: {
    readonly tensor: number;
    readonly vector: number;
    readonly scalar: number;
    readonly dma: number;
  };
  /** Host wall time to trace, compile and simulate the case. */
  readonly wallMs: number;
  readonly error?: { readonly code?: string; readonly message: string; readonly formatted: string };
}

/** The library, loaded on first use so that `run` and `ir` do not depend on kernels/. */
export async function loadLibrary(): Promise<readonly LibraryKernel[]> {
  return (await import('../kernels/index.ts')).LIBRARY;
}

/** Run one library kernel at `shape` in `dtype` and compare with its reference. */
export function runLibraryCase(
  lib: LibraryKernel,
  shape: ShapeParams,
  dtype: DType,
  opts: SuiteOptions = {},
): SuiteRow {
  const chip = typeof opts.chip === 'object' ? opts.chip : getChip(opts.chip ?? 'trn1');
  const tol = lib.tolerance(dtype);
  const base = { kernel: lib.name, shape, dtype, chip: chip.name, atol: tol.atol, rtol: tol.rtol };
  const t0 = performance.now();
  try {
    const { kernel, inputs: specs } = lib.build(shape, dtype);
    const inputs = randomInputs(specs, opts.seed ?? 0);
    const result = run(kernel, inputs, { chip });
    const wallMs = performance.now() - t0;
    const expected = lib.reference(shape, inputs);
    if (expected.length !== result.outputs.length) {
      throw new RangeError(
        `reference returned ${expected.length} arrays for ${result.outputs.length} outputs`,
      );
    }
    const cmp = result.outputs.map((o, i) => compareArrays(o.data, expected[i], o.shape, tol));
    const ok = cmp.every((c) => c.ok);
    const t = summarize(result.timeline);
    return {
      ...base,
      instructions: result.instructions,
      latencyNs: t.latencyNs,
      active: {
        tensor: t.active.tensor,
        vector: t.active.vector,
        scalar: t.active.scalar,
        dma: t.active.dma,
      },
      maxAbsError: Math.max(...cmp.map((c) => c.maxAbsError)),
      maxRelError: Math.max(...cmp.map((c) => c.maxRelError)),
      mismatches: cmp.reduce((n, c) => n + c.mismatches, 0),
      status: ok ? 'PASS' : 'FAIL',
      wallMs,
    };
  } catch (err) {
    const error =
      err instanceof KernelError
        ? { code: err.code, message: err.detail, formatted: err.format() }
        : { message: String(err instanceof Error ? err.message : err), formatted: String(err) };
    return {
      ...base,
      instructions: 0,
      latencyNs: Number.NaN,
      active: { tensor: 0, vector: 0, scalar: 0, dma: 0 },
      maxAbsError: Number.NaN,
      maxRelError: Number.NaN,
      mismatches: 0,
      status: 'ERROR',
      wallMs: performance.now() - t0,
      error,
    };
  }
}

/** Every (kernel, dtype) of the library at the kernel's default shape, in library order. */
export async function runSuite(opts: SuiteOptions = {}): Promise<SuiteRow[]> {
  const kernels = opts.kernels ?? (await loadLibrary());
  return kernels.flatMap((lib) => lib.dtypes.map((d) => runLibraryCase(lib, lib.defaultShape, d, opts)));
}

export function fmtShape(shape: ShapeParams): string {
  return Object.entries(shape)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** The suite table's columns, in order; later columns (simulated time, roofline) are added here. */
export const SUITE_COLUMNS: readonly Column<SuiteRow>[] = [
  { header: 'kernel', cell: (r) => r.kernel },
  { header: 'shape', cell: (r) => fmtShape(r.shape) },
  { header: 'dtype', cell: (r) => r.dtype },
  { header: 'instrs', align: 'right', cell: (r) => (r.status === 'ERROR' ? '-' : String(r.instructions)) },
  {
    header: 'max abs err',
    align: 'right',
    cell: (r) => (r.status === 'ERROR' ? '-' : fmtNum(r.maxAbsError)),
  },
  { header: 'tolerance', cell: (r) => `atol ${fmtNum(r.atol)} rtol ${fmtNum(r.rtol)}` },
  { header: 'result', cell: (r) => r.status },
  {
    header: 'sim us',
    align: 'right',
    cell: (r) => (r.status === 'ERROR' ? '-' : (r.latencyNs / 1000).toFixed(2)),
  },
  {
    header: 'PE %',
    align: 'right',
    cell: (r) => (r.status === 'ERROR' ? '-' : (100 * r.active.tensor).toFixed(1)),
  },
  {
    header: 'DVE %',
    align: 'right',
    cell: (r) => (r.status === 'ERROR' ? '-' : (100 * r.active.vector).toFixed(1)),
  },
  {
    header: 'ACT %',
    align: 'right',
    cell: (r) => (r.status === 'ERROR' ? '-' : (100 * r.active.scalar).toFixed(1)),
  },
  {
    header: 'DMA %',
    align: 'right',
    cell: (r) => (r.status === 'ERROR' ? '-' : (100 * r.active.dma).toFixed(1)),
  },
  { header: 'wall ms', align: 'right', cell: (r) => fmtMs(r.wallMs) },
];

/** The table, a `N/M passed on chip` line, and any errors in full. */
export function formatSuite(rows: readonly SuiteRow[], columns = SUITE_COLUMNS): string {
  const passed = rows.filter((r) => r.status === 'PASS').length;
  const chips = [...new Set(rows.map((r) => r.chip))].join(', ');
  const errors = rows
    .filter((r) => r.error)
    .map((r) => `\n${r.kernel} ${r.dtype}:\n${r.error!.formatted}\n`)
    .join('');
  return `${renderTable(columns, rows)}\n${passed}/${rows.length} passed on ${chips}\n${errors}`;
}
