/**
 * The `tilekit` command: a thin layer over the typed functions of cli/ (runKernelFile, kernelFileIR, runSuite).
 * Exit codes: 0 ok, 1 a check failed, 2 a KernelError (printed with its source excerpt), 3 any other error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { addBenchCommand } from './bench-command.ts';
import { calibrationJSON, formatCalibration, runCalibration } from './calibrate.ts';
import { addCheckCommand } from './check-command.ts';
import { chipRows, formatChip } from './chip.ts';
import { addChipOptions, type ChipFlags, resolveChip } from './chip-options.ts';
import { describeFailure, EXIT } from './diagnostics.ts';
import { errorCatalogue, errorCatalogueJSON, formatErrorCatalogue } from './errors.ts';
import { addGraphCommand } from './graph-command.ts';
import { kernelFileIR } from './ir.ts';
import { formatOpsTable, opsTable, opsTableJSON } from './ops.ts';
import { addReportCommand } from './report/command.ts';
import { formatRunReport, runKernelFile } from './run.ts';
import { parseShapeArg } from './shape-arg.ts';
import { formatSuite, runSuite } from './suite.ts';
import { chromeTraceOf, timeTarget } from './trace.ts';

function packageVersion(): string {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

/** Run an action; map its outcome to output and an exit code. */
async function act(json: boolean | undefined, body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (err) {
    const f = describeFailure(err, { json, debug: process.env.TILEKIT_DEBUG === '1' });
    (f.stream === 'stdout' ? process.stdout : process.stderr).write(f.text);
    process.exitCode = f.exitCode;
  }
}

export function buildProgram(): Command {
  const program = new Command('tilekit')
    .description(
      'NKI-like kernels in TypeScript: write, trace and check them on a simulated AWS Trainium NeuronCore',
    )
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const runCmd = program
    .command('run')
    .description("run a kernel file's kernel on the simulated chip and check it against the file's reference")
    .argument(
      '<file.ts>',
      'kernel file (exports a kernel, `inputs`, and optionally `reference`, `tolerance`)',
    )
    .option('--kernel <name>', 'export name of the kernel to run (when the file exports several)')
    .option('--seed <n>', 'seed for random inputs made from `inputs` specs', parseSeed, 0)
    .option('--json', 'print the report (or the diagnostic) as JSON');
  addChipOptions(runCmd).action(
    (file: string, o: ChipFlags & { kernel?: string; seed: number; json?: boolean }) =>
      act(o.json, async () => {
        const report = await runKernelFile(file, { ...o, chip: resolveChip(o) });
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunReport(report));
        return report.passed === false ? EXIT.checkFailed : EXIT.ok;
      }),
  );

  program
    .command('ir')
    .description("print the kernel IR of a kernel file's kernel, traced for the file's inputs")
    .argument('<file.ts>', 'kernel file')
    .option('--kernel <name>', 'export name of the kernel (when the file exports several)')
    .option('--json', 'print the IR text (or the diagnostic) as JSON')
    .action((file: string, o: { kernel?: string; json?: boolean }) =>
      act(o.json, async () => {
        const text = await kernelFileIR(file, o);
        process.stdout.write(o.json ? `${JSON.stringify({ ir: text }, null, 2)}\n` : text);
        return EXIT.ok;
      }),
    );

  const suiteCmd = program
    .command('suite')
    .description(
      'the main job: run every library kernel at its default shape in each of its dtypes, check and time it',
    )
    .option('--json', 'print the rows as a JSON array');
  addChipOptions(suiteCmd).action((o: ChipFlags & { json?: boolean }) =>
    act(o.json, async () => {
      const rows = await runSuite({ chip: resolveChip(o) });
      process.stdout.write(o.json ? `${JSON.stringify(rows, null, 2)}\n` : formatSuite(rows));
      return rows.every((r) => r.status === 'PASS') ? EXIT.ok : EXIT.checkFailed;
    }),
  );

  const traceCmd = program
    .command('trace')
    .description(
      'simulate a kernel (timing only) and write its Timeline as Chrome trace JSON for ui.perfetto.dev',
    )
    .argument('<target>', 'a kernel file, or a library kernel name (see tilekit suite)')
    .option('--kernel <name>', 'export name of the kernel (when the file exports several)')
    .option(
      '--shape <k=v,...>',
      'shape parameters of a library kernel, e.g. M=4096,K=8192,N=8192',
      parseShapeArg,
    )
    .option('--dtype <dtype>', 'dtype of a library kernel')
    .requiredOption('-o, --output <trace.json>', 'where to write the trace')
    .option('--json', 'print the summary (or the diagnostic) as JSON');
  addChipOptions(traceCmd).action(
    (
      target: string,
      o: ChipFlags & {
        kernel?: string;
        shape?: Record<string, number>;
        dtype?: string;
        output: string;
        json?: boolean;
      },
    ) =>
      act(o.json, async () => {
        const timed = await timeTarget(target, { ...o, dtype: o.dtype as never, chip: resolveChip(o) });
        writeFileSync(o.output, JSON.stringify(chromeTraceOf(timed)));
        const s = timed.summary;
        process.stdout.write(
          o.json
            ? `${JSON.stringify({ kernel: timed.title, output: o.output, latencyNs: s.latencyNs, instructions: s.instructions, active: s.active }, null, 2)}\n`
            : `${timed.title}: ${(s.latencyNs / 1000).toFixed(2)} us simulated, ${s.instructions} instructions; wrote ${o.output} (open it in ui.perfetto.dev or chrome://tracing)\n`,
        );
        return EXIT.ok;
      }),
  );

  const calCmd = program
    .command('calibrate')
    .description(
      'run the trn1 matmul ladder (4096x8192x8192 bf16, timing only) against published latencies, and the trn2 engine-activity table',
    )
    .option('--json', 'print { rows, meanAbsErrorPct, trn2 } as JSON');
  calCmd.action((o: { json?: boolean }) =>
    act(o.json, async () => {
      const progress =
        process.stderr.isTTY && !process.env.CI
          ? (s: string) => process.stderr.write(`\r${s.padEnd(40)}`)
          : undefined;
      const c = runCalibration(undefined, undefined, progress);
      if (progress) process.stderr.write(`\r${' '.repeat(40)}\r`);
      process.stdout.write(o.json ? calibrationJSON(c) : formatCalibration(c));
      return EXIT.ok;
    }),
  );

  const chipCmd = program
    .command('chip')
    .description('print a chip configuration (after --set / --chip-config) with the source of every value')
    .option('--json', 'print the key/value/source rows as JSON');
  addChipOptions(chipCmd).action((o: ChipFlags & { json?: boolean }) =>
    act(o.json, async () => {
      const chip = resolveChip(o);
      process.stdout.write(o.json ? `${JSON.stringify(chipRows(chip), null, 2)}\n` : formatChip(chip));
      return EXIT.ok;
    }),
  );

  program
    .command('ops')
    .description('the op table generated from the registry: op, engines, dtypes tested, status, test count')
    .option('--json', 'print the table as JSON')
    .action((o: { json?: boolean }) =>
      act(o.json, async () => {
        const rows = opsTable();
        process.stdout.write(o.json ? opsTableJSON(rows) : formatOpsTable(rows));
        return EXIT.ok;
      }),
    );

  program
    .command('errors')
    .description('the diagnostic catalogue: every error code with its meaning, NKI equivalent and an example')
    .option('--json', 'print the catalogue as JSON')
    .action((o: { json?: boolean }) =>
      act(o.json, async () => {
        const entries = errorCatalogue();
        process.stdout.write(o.json ? errorCatalogueJSON(entries) : formatErrorCatalogue(entries));
        return EXIT.ok;
      }),
    );

  addCheckCommand(program, act);
  addBenchCommand(program, act);
  addReportCommand(program, act);
  addGraphCommand(program, act);

  return program;
}

/** Parse argv and run; returns the exit code (also left in process.exitCode). */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    // Help and version exit 0; usage errors (already printed by commander) count as "other" errors.
    process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.otherError;
  }
  return Number(process.exitCode ?? 0);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
