/** The `tilekit bench` command: options, `--list`, sweeps, the progress bar, text or JSON output. */
import type { Command } from 'commander';
import type { LibraryKernel } from '../kernels/library.ts';
import { BENCH_PHASES, type BenchResult, benchCase, formatBench, formatSweep } from './bench.ts';
import { type ProgressStream, progressBar } from './bench-progress.ts';
import {
  type BenchCase,
  type BenchTarget,
  expandSweeps,
  parseDType,
  parseMeta,
  parseShape,
  parseSweep,
  resolveTarget,
} from './bench-target.ts';
import { addChipOptions, type ChipFlags } from './chip-options.ts';
import { EXIT } from './diagnostics.ts';
import { loadLibrary } from './suite.ts';
import { type Column, renderTable } from './table.ts';

/** Options shared by `bench` and `report`: which kernel, shape, dtype, meta-parameters and chip. */
export interface TargetOptions extends ChipFlags {
  readonly kernel?: string;
  readonly shape?: string;
  readonly dtype?: string;
  readonly meta?: string;
}

export interface BenchOptions extends TargetOptions {
  readonly sweep?: readonly string[];
  readonly json?: boolean;
  readonly list?: boolean;
}

const collect = (value: string, previous: readonly string[] = []) => [...previous, value];

/** Add the target options (`--kernel`, `--shape`, `--dtype`, `--meta`, and the chip's) to a command. */
export function targetOptions(cmd: Command): Command {
  return addChipOptions(
    cmd
      .option('--kernel <name>', 'export name of the kernel in a file that exports several')
      .option(
        '--shape <k=v,...>',
        "shape parameters, e.g. M=4096,K=8192,N=8192 (default: the kernel's defaults)",
      )
      .option('--dtype <dtype>', "dtype (default: the kernel's first dtype)")
      .option(
        '--meta <k=v,...>',
        "meta-parameters (tile and block sizes; default: the kernel's for the chip)",
      ),
  );
}

/** The target and its base case from the options. */
export async function targetCase(
  arg: string,
  o: TargetOptions,
): Promise<{ target: BenchTarget; base: BenchCase }> {
  const target = await resolveTarget(arg, { kernel: o.kernel });
  const base: BenchCase = {
    shape: parseShape(target, o.shape),
    dtype: parseDType(target, o.dtype),
    meta: parseMeta(target, o.meta),
    chip: o.chip ?? 'trn1',
    ...(o.chipConfig ? { chipConfig: o.chipConfig } : {}),
    sets: [...(o.set ?? [])],
  };
  return { target, base };
}

export interface LibraryListing {
  readonly name: string;
  readonly shapeParams: readonly string[];
  readonly defaultShape: Readonly<Record<string, number>>;
  /** Meta-parameters (tile and block sizes) and their defaults per chip, when the kernel has any. */
  readonly metaParams?: readonly string[];
  readonly defaultMeta?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly dtypes: readonly string[];
  readonly description: string;
}

const LIST_CHIPS = ['trn1', 'trn2'] as const;

export function libraryListing(lib: readonly LibraryKernel[]): LibraryListing[] {
  return lib.map((l) => {
    const meta = l.metaParams?.length
      ? {
          metaParams: [...l.metaParams],
          ...(l.defaultMeta
            ? { defaultMeta: Object.fromEntries(LIST_CHIPS.map((c) => [c, l.defaultMeta!(c)])) }
            : {}),
        }
      : {};
    return {
      name: l.name,
      shapeParams: [...l.shapeParams],
      defaultShape: l.defaultShape,
      ...meta,
      dtypes: [...l.dtypes],
      description: l.description,
    };
  });
}

const LIST_COLUMNS: readonly Column<LibraryListing>[] = [
  { header: 'kernel', cell: (l) => l.name },
  {
    header: 'shape parameters (defaults)',
    cell: (l) => l.shapeParams.map((p) => `${p}=${l.defaultShape[p]}`).join(','),
  },
  {
    header: 'meta-parameters (trn1 defaults)',
    cell: (l) =>
      (l.metaParams ?? []).map((p) => (l.defaultMeta ? `${p}=${l.defaultMeta.trn1[p]}` : p)).join(','),
  },
  { header: 'dtypes', cell: (l) => l.dtypes.join(' ') },
  { header: 'description', cell: (l) => l.description },
];

export function formatListing(list: readonly LibraryListing[]): string {
  return renderTable(LIST_COLUMNS, list);
}

export interface BenchIO {
  readonly out: { write(text: string): unknown };
  readonly progress: ProgressStream;
}

/** What `tilekit bench` does; returns the exit code. */
export async function benchCommand(
  arg: string | undefined,
  o: BenchOptions,
  io: BenchIO = { out: process.stdout, progress: process.stderr },
): Promise<number> {
  if (o.list) {
    const list = libraryListing(await loadLibrary());
    io.out.write(o.json ? `${JSON.stringify(list, null, 2)}\n` : formatListing(list));
    return EXIT.ok;
  }
  if (arg === undefined)
    throw new Error('bench: name a library kernel or a kernel file (tilekit bench --list)');
  const { target, base } = await targetCase(arg, o);
  const sweeps = (o.sweep ?? []).map(parseSweep);
  const cases = expandSweeps(target, base, sweeps);
  const bar = progressBar(cases.length * BENCH_PHASES.length, io.progress);
  const results: BenchResult[] = [];
  let single: string | undefined;
  try {
    for (const [i, c] of cases.entries()) {
      const where = cases.length > 1 ? `case ${i + 1}/${cases.length}: ` : '';
      const run = benchCase(target, c, (phase) => bar.step(`${target.name} ${where}${phase}`));
      results.push(run.result);
      if (sweeps.length === 0 && !o.json) single = formatBench(run);
    }
  } finally {
    bar.done();
  }
  if (o.json) {
    const value = sweeps.length ? results : results[0];
    io.out.write(`${JSON.stringify(value, null, 2)}\n`);
  } else {
    io.out.write(single ?? formatSweep(results));
  }
  return EXIT.ok;
}

type Act = (json: boolean | undefined, body: () => Promise<number>) => Promise<void>;

/** Register `tilekit bench` on the program; `act` maps the outcome to output and an exit code. */
export function addBenchCommand(program: Command, act: Act): void {
  const cmd = program
    .command('bench')
    .description(
      'time a kernel on the simulated chip (timing only) and set it against the roofline: latency, engine ' +
        'activity, FLOPs, HBM bytes, bound, efficiency, limiting resource, idle causes',
    )
    .argument('[kernel]', 'a library kernel (see --list) or a kernel file (file.ts)');
  targetOptions(cmd)
    .option(
      '--sweep <k=v1,v2,...>',
      'run each value of a shape parameter, meta-parameter, dtype, chip or chip setting (repeatable)',
      collect,
    )
    .option('--json', 'print the result as JSON (an array for --sweep)')
    .option('--list', 'list the library kernels, their shape parameters and defaults')
    .action((kernel: string | undefined, o: BenchOptions) => act(o.json, () => benchCommand(kernel, o)));
}
