/** Running suite cases on worker threads (benchmarks/worker.js), or inline with one worker. */
import { Worker } from 'node:worker_threads';
import { type CaseOutcome, runSuiteCase } from './case.ts';
import type { SuiteCase, SuiteRow } from './suite.ts';

/** Run `cases` on `workers` threads (inline when 1); `onDone` sees each outcome as it arrives. */
export async function runCases(
  cases: readonly SuiteCase[],
  workers: number,
  onDone: (c: SuiteCase, o: CaseOutcome, done: number) => void,
): Promise<SuiteRow[]> {
  const rows: SuiteRow[] = new Array(cases.length);
  let done = 0;
  if (workers <= 1) {
    for (const [i, c] of cases.entries()) {
      const o = await runSuiteCase(c);
      rows[i] = o.row;
      onDone(c, o, ++done);
    }
    return rows;
  }
  let next = 0;
  const url = new URL('./worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const w = new Worker(url, { execArgv: [] });
      try {
        while (next < cases.length) {
          const i = next++;
          const outcome = await new Promise<CaseOutcome>((resolve, reject) => {
            const onError = (e: Error) => reject(e);
            w.once('error', onError);
            w.once('message', (o: CaseOutcome) => {
              w.off('error', onError);
              resolve(o);
            });
            w.postMessage(cases[i]);
          });
          rows[i] = outcome.row;
          onDone(cases[i], outcome, ++done);
        }
      } finally {
        await w.terminate();
      }
    }),
  );
  return rows;
}
