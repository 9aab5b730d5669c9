/** The `tilekit graph` command's flags, wired to cli/graph.ts. */
import { type Command, InvalidArgumentError } from 'commander';
import { addChipOptions, type ChipFlags, resolveChip } from './chip-options.ts';
import { EXIT } from './diagnostics.ts';
import { formatGraphFileReport, runGraphFile } from './graph.ts';

type Act = (json: boolean | undefined, body: () => Promise<number>) => Promise<void>;

const repeat = (v: string, prev: string[] = []) => [...prev, v];

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

interface GraphFlags extends ChipFlags {
  readonly json?: boolean;
  readonly inputs?: string;
  readonly outputs?: string;
  readonly inputShape?: string[];
  readonly kernel?: string[];
  readonly trace?: string;
  readonly perOp?: boolean;
  readonly seed: number;
}

export function addGraphCommand(program: Command, act: Act): void {
  const cmd = program
    .command('graph')
    .description(
      'compile a model (ONNX, or a TypeScript graph file) to kernels, run it on the simulated chip, print the per-kernel table',
    )
    .argument('<model>', 'model.onnx, or a .ts file exporting `graph`');
  addChipOptions(cmd)
    .option('--json', 'print the report (or the diagnostic) as JSON')
    .option(
      '--inputs <file.json>',
      'named inputs { name: { shape, data } } (data flat, row-major); default: seeded random',
    )
    .option('--outputs <file.json>', 'write the outputs in the same format')
    .option(
      '--input-shape <name=dims>',
      "fix an input's dynamic dims, e.g. x=1,3,48,320 (repeatable)",
      repeat,
    )
    .option(
      '--kernel <Op=file.ts>',
      'serve an op (or a chain, MatMul+Add) with the kernel of your file (repeatable)',
      repeat,
    )
    .option('--trace <file.json>', 'write a Perfetto / Chrome trace of the whole graph')
    .option('--per-op', "one table row per op (its instructions' engine time) instead of per kernel")
    .option('--seed <n>', 'seed of the random inputs', seed, 0)
    .action((file: string, o: GraphFlags) =>
      act(o.json, async () => {
        const opts = { ...o, chip: resolveChip(o) };
        const r = await runGraphFile(file, opts);
        process.stdout.write(
          o.json ? `${JSON.stringify(r.report, null, 2)}\n` : formatGraphFileReport(r, opts),
        );
        return EXIT.ok;
      }),
    );
}
