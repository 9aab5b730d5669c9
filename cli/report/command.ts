/** The `tilekit report` command: time a kernel and write the self-contained HTML report. */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BENCH_PHASES, benchCase, fmtNs, pct } from '../bench.ts';
import { type TargetOptions, targetCase, targetOptions } from '../bench-command.ts';
import { type ProgressStream, progressBar } from '../bench-progress.ts';
import { EXIT } from '../diagnostics.ts';
import { reportHtml } from './page.ts';

export interface ReportOptions extends TargetOptions {
  /** Where to write the HTML (default report.html). */
  readonly output: string;
}

/** What `tilekit report` does; returns the exit code. */
export async function reportCommand(
  arg: string,
  o: ReportOptions,
  io: { out: { write(text: string): unknown }; progress: ProgressStream } = {
    out: process.stdout,
    progress: process.stderr,
  },
): Promise<number> {
  const { target, base } = await targetCase(arg, o);
  const bar = progressBar(BENCH_PHASES.length + 1, io.progress);
  let html: string;
  let summary: string;
  try {
    const run = benchCase(target, base, (phase) => bar.step(`${target.name}: ${phase}`));
    bar.step(`${target.name}: writing the report`);
    html = await reportHtml(run);
    summary = `${run.result.kernel} on ${run.result.chip}: ${fmtNs(run.result.latencyNs)}, ${pct(run.roofline.efficiency)} of the roofline bound`;
  } finally {
    bar.done();
  }
  writeFileSync(o.output, html);
  io.out.write(`wrote ${o.output} (${Math.round(Buffer.byteLength(html) / 1024)} KiB): ${summary}\n`);
  return EXIT.ok;
}

type Act = (json: boolean | undefined, body: () => Promise<number>) => Promise<void>;

/** Register `tilekit report` on the program. */
export function addReportCommand(program: Command, act: Act): void {
  const cmd = program
    .command('report')
    .description(
      'time a kernel and write one self-contained HTML file: engine timeline, roofline chart, idle-gap causes, ' +
        "and the kernel's source with each line's share of each engine's time",
    )
    .argument('<kernel>', 'a library kernel (see tilekit bench --list) or a kernel file (file.ts)');
  targetOptions(cmd)
    .option('-o, --output <file.html>', 'where to write the report', 'report.html')
    .action((kernel: string, o: ReportOptions) => act(false, () => reportCommand(kernel, o)));
}
