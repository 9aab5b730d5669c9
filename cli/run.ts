/** `tilekit run`: load a kernel file, run its kernel on the simulated chip, check it against the file's reference. */

import { performance } from 'node:perf_hooks';
import {
  type Comparison,
  compareArrays,
  type ErrorCode,
  getChip,
  KernelError,
  run,
  type Tolerance,
} from '../index.ts';
import type { DType } from '../ir/dtypes.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { displayPath } from '../tracer/location.ts';
import { fmtMs, fmtNum, fmtType, keyValueLines } from './format.ts';
import {
  expectedOutputs,
  inputsFor,
  pickKernel,
  type ReferenceFn,
  referenceFor,
  tolerancesFor,
} from './kernel-file.ts';
import { loadKernelModule } from './load.ts';

export interface RunFileOptions {
  /** Export name of the kernel to run; needed when the file exports several. */
  readonly kernel?: string;
  /** 'trn1' (default), 'trn2', or a chip config (e.g. with overrides). */
  readonly chip?: string | ChipConfig;
  /** Seed for the random inputs made from `inputs` specs (default 0). */
  readonly seed?: number;
}

/** One output's comparison with the reference, and the tolerance it was held to. */
export interface OutputCheck extends Comparison {
  readonly tolerance: Tolerance;
}

export interface OutputReport {
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** The first few values, in row-major order. */
  readonly head: readonly number[];
  /** Present when the file exports a reference. */
  readonly check?: OutputCheck;
}

export interface RunReport {
  /** The file as given (relative to the working directory when inside it). */
  readonly file: string;
  /** The kernel's export name. */
  readonly kernel: string;
  readonly chip: string;
  readonly core: string;
  readonly seed: number;
  readonly grid: readonly number[];
  readonly inputs: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly dtype: DType;
  }[];
  readonly instructions: number;
  /** Host wall time to trace, compile and simulate (not a prediction of chip time). */
  readonly wallMs: number;
  readonly outputs: readonly OutputReport[];
  /** true/false when checked against the file's reference; null when the file exports none. */
  readonly passed: boolean | null;
  /** What the simulator's checks reported (reads of unwritten memory, races, …), as data. */
  readonly diagnostics: readonly Diagnostic[];
}

/** A KernelError as data (`KernelError.toJSON()`). */
export interface Diagnostic {
  readonly code: ErrorCode;
  readonly message: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly notes: readonly { message: string; file?: string; line?: number; column?: number }[];
}

function diagnosticsText(r: RunReport): string {
  if (!r.diagnostics.length) return '';
  const n = r.diagnostics.length;
  return `\n${n} simulator diagnostic${n === 1 ? '' : 's'}:\n${formatDiagnostics(r.diagnostics)}\n`;
}

/** The diagnostics' text (file:line:col, code, excerpt, notes), one block each. */
export function formatDiagnostics(ds: readonly Diagnostic[]): string {
  const loc = (x: { file?: string; line?: number; column?: number }) =>
    x.file && x.line ? { file: x.file, line: x.line, column: x.column ?? 1 } : undefined;
  return ds
    .map((d) =>
      new KernelError(
        d.code,
        d.message,
        loc(d),
        d.notes.map((n) => ({ message: n.message, loc: loc(n) })),
      ).format(),
    )
    .map((t) => `${t}\n`)
    .join('');
}

const HEAD = 6;

/** Load `file`, run its kernel on the simulated chip and compare with its reference. */
export async function runKernelFile(file: string, opts: RunFileOptions = {}): Promise<RunReport> {
  const mod = await loadKernelModule(file);
  const entry = pickKernel(mod, opts.kernel);
  const seed = opts.seed ?? 0;
  const chip = typeof opts.chip === 'object' ? opts.chip : getChip(opts.chip ?? 'trn1');
  const inputs = inputsFor(mod, entry, seed);
  const reference = referenceFor(mod, entry);

  const t0 = performance.now();
  const result = run(entry.kernel, inputs, { chip });
  const wallMs = performance.now() - t0;

  let checks: OutputCheck[] | undefined;
  if (reference) {
    let returned: ReturnType<ReferenceFn>;
    try {
      returned = reference(...inputs);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(`reference() of ${displayPath(mod.file)} threw: ${why}`, { cause: err });
    }
    const expected = expectedOutputs(returned, result.outputs.length);
    const tols = tolerancesFor(
      mod,
      entry,
      result.outputs.map((o) => o.dtype),
    );
    checks = result.outputs.map((o, i) => {
      if (expected[i].length !== o.data.length) {
        throw new RangeError(
          `reference output ${i} has ${expected[i].length} values; the kernel's output ${i} has ${o.data.length}`,
        );
      }
      return { ...compareArrays(o.data, expected[i], o.shape, tols[i]), tolerance: tols[i] };
    });
  }
  const { ir } = result;
  return {
    file: displayPath(mod.file),
    kernel: entry.exportName,
    chip: chip.name,
    core: chip.core,
    seed,
    grid: ir.grid,
    inputs: ir.inputs.map((id) => {
      const b = ir.buffers[id];
      return { name: b.name, shape: b.shape, dtype: b.dtype };
    }),
    instructions: result.instructions,
    wallMs: Math.round(wallMs * 1000) / 1000,
    outputs: result.outputs.map((o, i) => ({
      shape: o.shape,
      dtype: o.dtype,
      head: Array.from(o.data.subarray(0, HEAD)),
      ...(checks ? { check: checks[i] } : {}),
    })),
    passed: checks ? checks.every((c) => c.ok) : null,
    diagnostics: result.diagnostics.map((d) => d.toJSON() as unknown as Diagnostic),
  };
}

/** The terminal summary of a run. */
export function formatRunReport(r: RunReport): string {
  const rows: [string, string][] = [
    ['kernel', `${r.kernel}  (${r.file})`],
    ['chip', `${r.chip} (${r.core})`],
    ['grid', r.grid.length ? `[${r.grid.join(', ')}]` : ''],
    [
      'inputs',
      `${r.inputs.map((x) => `${x.name}: ${fmtType(x.dtype, x.shape)}`).join(', ')}  (seed ${r.seed})`,
    ],
    ['instructions', String(r.instructions)],
    ['wall time', `${fmtMs(r.wallMs)} ms (host time to trace, compile and simulate)`],
  ];
  if (!r.grid.length) rows.splice(2, 1);
  r.outputs.forEach((o, i) => {
    const more = o.shape.reduce((a, b) => a * b, 1) > o.head.length ? ' ...' : '';
    rows.push([`output ${i}`, `${fmtType(o.dtype, o.shape)}  ${o.head.map(fmtNum).join(' ')}${more}`]);
  });
  if (r.passed === null) {
    rows.push(['check', 'no reference exported: outputs not checked']);
    return `${keyValueLines(rows)}\n${diagnosticsText(r)}`;
  }
  r.outputs.forEach((o, i) => {
    const c = o.check!;
    const n = o.shape.reduce((a, b) => a * b, 1);
    rows.push([
      `check ${i}`,
      `${c.ok ? 'ok' : 'MISMATCH'}  max abs err ${fmtNum(c.maxAbsError)}, max rel err ${fmtNum(c.maxRelError)}, ` +
        `${c.mismatches}/${n} mismatches (atol ${fmtNum(c.tolerance.atol)}, rtol ${fmtNum(c.tolerance.rtol)})`,
    ]);
    if (c.firstMismatch) {
      const m = c.firstMismatch;
      rows.push([
        '',
        `first mismatch at [${m.index.join(', ')}]: got ${fmtNum(m.actual)}, expected ${fmtNum(m.expected)}`,
      ]);
    }
  });
  const bad = r.outputs.filter((o) => !o.check!.ok).length;
  const verdict =
    r.passed === true
      ? `PASS  ${r.kernel} matches the reference`
      : `FAIL  ${bad} of ${r.outputs.length} output(s) of ${r.kernel} differ from the reference`;
  return `${keyValueLines(rows)}\n${diagnosticsText(r)}${verdict}\n`;
}
