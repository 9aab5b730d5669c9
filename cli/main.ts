/**
 * The `tilekit` command: a thin layer over the typed functions of cli/ (runKernelFile, kernelFileIR, runSuite).
 * Exit codes: 0 ok, 1 a check failed, 2 a KernelError (printed with its source excerpt), 3 any other error.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CHIPS } from '../index.ts';
import { describeFailure, EXIT } from './diagnostics.ts';
import { kernelFileIR } from './ir.ts';
import { formatRunReport, runKernelFile } from './run.ts';
import { formatSuite, runSuite } from './suite.ts';

function packageVersion(): string {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
}

const chipOption = () =>
  new Option('--chip <name>', 'simulated chip').choices(Object.keys(CHIPS)).default('trn1');

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

  program
    .command('run')
    .description("run a kernel file's kernel on the simulated chip and check it against the file's reference")
    .argument(
      '<file.ts>',
      'kernel file (exports a kernel, `inputs`, and optionally `reference`, `tolerance`)',
    )
    .option('--kernel <name>', 'export name of the kernel to run (when the file exports several)')
    .addOption(chipOption())
    .option('--seed <n>', 'seed for random inputs made from `inputs` specs', parseSeed, 0)
    .option('--json', 'print the report (or the diagnostic) as JSON')
    .action((file: string, o: { kernel?: string; chip: string; seed: number; json?: boolean }) =>
      act(o.json, async () => {
        const report = await runKernelFile(file, o);
        process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatRunReport(report));
        return report.passed === false ? EXIT.checkFailed : EXIT.ok;
      }),
    );

  program
    .command('ir')
    .description("print the kernel IR of a kernel file's kernel, traced for the file's inputs")
    .argument('<file.ts>', 'kernel file')
    .option('--kernel <name>', 'export name of the kernel (when the file exports several)')
    .action((file: string, o: { kernel?: string }) =>
      act(false, async () => {
        process.stdout.write(await kernelFileIR(file, o));
        return EXIT.ok;
      }),
    );

  program
    .command('suite')
    .description(
      'the main job: run every library kernel at its default shape in each of its dtypes and check it',
    )
    .addOption(chipOption())
    .option('--json', 'print the rows as a JSON array')
    .action((o: { chip: string; json?: boolean }) =>
      act(o.json, async () => {
        const rows = await runSuite(o);
        process.stdout.write(o.json ? `${JSON.stringify(rows, null, 2)}\n` : formatSuite(rows));
        return rows.every((r) => r.status === 'PASS') ? EXIT.ok : EXIT.checkFailed;
      }),
    );

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
