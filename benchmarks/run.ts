/**
 * `npm run bench`: the roofline suite (benchmarks/suite.ts), every library kernel at a realistic shape on trn1 and
 * trn2, timing only, spread over worker threads. Writes benchmarks/results/latest.json and latest.md.
 *
 *   npm run bench                                   the whole suite; writes the results
 *   npm run bench -- --only add,softmax --chips trn2   a subset; prints the table, writes nothing
 *   options: --workers N (default: one per CPU), --out DIR (default benchmarks/results)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fmtNs, pct } from '../cli/bench.ts';
import { fmtBenchShape } from '../cli/bench-target.ts';
import { loadLibrary } from '../cli/suite.ts';
import { runCases } from './pool.ts';
import { BENCH_CHIPS, isFailure, type SuiteFile, suiteCases, suiteMarkdown } from './suite.ts';

const COMMAND = 'npm run bench';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      chips: { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const lib = await loadLibrary();
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !lib.some((l) => l.name === n)) ?? [];
  if (unknown.length) {
    process.stderr.write(
      `unknown kernel(s): ${unknown.join(', ')}; known: ${lib.map((l) => l.name).join(', ')}\n`,
    );
    return 2;
  }
  const chips = values.chips?.split(',').map((s) => s.trim()) ?? [...BENCH_CHIPS];
  const cases = suiteCases(only ? lib.filter((l) => only.includes(l.name)) : lib, chips);
  const workers = Math.max(1, Math.min(cases.length, Number(values.workers ?? availableParallelism())));
  const partial = only !== undefined || values.chips !== undefined;
  process.stdout.write(`${COMMAND}: ${cases.length} cases on ${workers} worker thread(s), timing only\n`);
  const t0 = performance.now();
  const width = String(cases.length).length;
  const rows = await runCases(cases, workers, (c, o, done) => {
    const head = `[${String(done).padStart(width)}/${cases.length}] ${c.chip}  ${c.kernel}  ${fmtBenchShape(c.shape)} ${c.dtype}`;
    const tail = isFailure(o.row)
      ? `ERROR ${o.row.error.split('\n')[0]}`
      : `${fmtNs(o.row.latencyNs)}  efficiency ${pct(o.row.roofline.efficiency)} (${o.row.roofline.limitedBy})`;
    process.stdout.write(`${head}  ${tail}  [${(o.wallMs / 1000).toFixed(1)} s]\n`);
  });
  const file: SuiteFile = {
    description:
      'Every library kernel at a realistic shape on trn1 and trn2 (benchmarks/suite.ts), simulated by tilekit.',
    command: COMMAND,
    results: rows,
  };
  const md = suiteMarkdown(file);
  if (partial) {
    process.stdout.write(`\n${md}`);
  } else {
    const dir = values.out ?? fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(file, null, 2)}\n`);
    writeFileSync(join(dir, 'latest.md'), md);
    process.stdout.write(`wrote ${join(dir, 'latest.json')} and latest.md\n`);
  }
  const failed = rows.filter(isFailure).length;
  process.stdout.write(
    `${rows.length - failed}/${rows.length} cases ran in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
  );
  return failed ? 1 : 0;
}

process.exitCode = await main();
