/** `tilekit check <file.ts...>`: the static checks of cli/check.ts as a command (exit 1 when something is found). */
import type { Command } from 'commander';
import { checkKernelSource, checkResultsJSON, formatCheckResults } from './check.ts';
import { EXIT } from './diagnostics.ts';

type Act = (json: boolean | undefined, body: () => Promise<number>) => Promise<void>;

export function addCheckCommand(program: Command, act: Act): void {
  program
    .command('check')
    .description(
      'static checks of kernel files (branches on tile data, tile truthiness, outputs not returned, affine loops writing one region, Math.* or operators on tiles, unused loads)',
    )
    .argument('<files...>', 'kernel files (.ts)')
    .option('--json', 'print the diagnostics as JSON')
    .action((files: string[], o: { json?: boolean }) =>
      act(o.json, async () => {
        const results = files.map((f) => checkKernelSource(f));
        process.stdout.write(o.json ? checkResultsJSON(results) : formatCheckResults(results));
        return results.some((r) => r.diagnostics.length > 0) ? EXIT.checkFailed : EXIT.ok;
      }),
    );
}
