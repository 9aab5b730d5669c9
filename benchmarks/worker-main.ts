/** A benchmark worker thread: runs the suite cases it is sent, one at a time, and posts each outcome back. */
import { parentPort } from 'node:worker_threads';
import { runSuiteCase } from './case.ts';
import type { SuiteCase } from './suite.ts';

parentPort?.on('message', async (c: SuiteCase | null) => {
  if (c === null) {
    parentPort?.close();
    return;
  }
  parentPort?.postMessage(await runSuiteCase(c));
});
