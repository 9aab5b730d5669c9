// Worker threads for the matmul kernel. One instruction's output rows are split into chunks (one MR-row block each)
// that the main thread and the workers claim from a shared counter; every output element is computed by exactly one
// thread in the same order as single-threaded, so results are identical whatever the split. The workers run the same
// WebAssembly module on the same shared memory; they are plain JS (eval), so they start the same under node, tsx
// and vitest. A worker that is slow to start or to wake simply claims nothing: the main thread never waits for an
// idle worker, only for chunks a worker has claimed.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WasmMemory, WasmModule } from './api.ts';

/** Control words (Int32Array over the session's shared memory). */
export const CTL = {
  GEN: 0,
  /** (generation << 8) | next chunk: a claim is a compare-exchange that fails once the job is over. */
  NEXT: 1,
  DONE: 2,
  TOTAL: 3,
  KERNEL: 4,
  AP: 5,
  BP: 6,
  CP: 7,
  R: 8,
  NBLOCKS: 9,
  CSTRIDE: 10,
  READY: 11,
  EXIT: 12,
  MODE: 13,
  APITCH: 14,
  BPITCH: 15,
} as const;
export const CTL_WORDS = 16;
/** Chunk indices live in the low 8 bits of NEXT. */
export const MAX_CHUNKS = 255;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const C = ${JSON.stringify(CTL)};
parentPort.on('message', ({ module, memory, ctlOffset }) => {
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctl = new Int32Array(memory.buffer, ctlOffset, ${CTL_WORDS});
  const kernels = [x.mm32, x.mm64];
  let seen = Atomics.load(ctl, C.GEN);
  Atomics.store(ctl, C.READY, 1);
  for (;;) {
    Atomics.wait(ctl, C.GEN, seen);
    const gen = Atomics.load(ctl, C.GEN);
    if (gen === seen) continue;
    seen = gen;
    if (Atomics.load(ctl, C.EXIT)) break;
    const tag = gen & 0x7fffff;
    const total = Atomics.load(ctl, C.TOTAL);
    const f = kernels[Atomics.load(ctl, C.KERNEL)];
    const ap = Atomics.load(ctl, C.AP), bp = Atomics.load(ctl, C.BP), cp = Atomics.load(ctl, C.CP);
    const R = Atomics.load(ctl, C.R), nb = Atomics.load(ctl, C.NBLOCKS), cs = Atomics.load(ctl, C.CSTRIDE);
    const mode = Atomics.load(ctl, C.MODE), aPitch = Atomics.load(ctl, C.APITCH), bPitch = Atomics.load(ctl, C.BPITCH);
    for (;;) {
      const v = Atomics.load(ctl, C.NEXT);
      const c = v & 0xff;
      if (((v >>> 8) & 0x7fffff) !== tag || c >= total) break;
      if (Atomics.compareExchange(ctl, C.NEXT, v, v + 1) !== v) continue;
      f(ap, bp, cp, R, c, c + 1, nb, cs, mode, aPitch, bPitch);
      if (Atomics.add(ctl, C.DONE, 1) + 1 === total) Atomics.notify(ctl, C.DONE);
    }
  }
});
`;

export interface MatmulJob {
  readonly kernel: 0 | 1;
  readonly ap: number;
  readonly bp: number;
  readonly cp: number;
  readonly R: number;
  readonly chunks: number;
  readonly nBlocks: number;
  readonly cStride: number;
  readonly mode: number;
  readonly aPitch: number;
  readonly bPitch: number;
}

/** Worker threads shared by all sessions of the process; bound to one session's memory at a time. */
export class ThreadPool {
  private readonly workers: Worker[] = [];
  private bound: Int32Array | undefined;
  private gen = 0;

  constructor(readonly size: number) {}

  /**
   * Run `job` over its chunks on this thread and the workers; `run(c)` computes chunk c on this thread. Workers
   * help only once they are bound to `ctl`'s memory and ready; until then this thread does every chunk.
   */
  run(
    module: WasmModule,
    memory: WasmMemory,
    ctl: Int32Array,
    job: MatmulJob,
    run: (c: number) => void,
  ): void {
    if (this.bound !== ctl) this.bind(module, memory, ctl);
    const total = job.chunks;
    const helped = Atomics.load(ctl, CTL.READY) === 1;
    const gen = (this.gen = (this.gen + 1) & 0x7fffff);
    // NEXT first: from here on a worker still holding the previous job's tag can no longer claim anything
    Atomics.store(ctl, CTL.NEXT, gen << 8);
    Atomics.store(ctl, CTL.DONE, 0);
    Atomics.store(ctl, CTL.TOTAL, total);
    Atomics.store(ctl, CTL.KERNEL, job.kernel);
    Atomics.store(ctl, CTL.AP, job.ap);
    Atomics.store(ctl, CTL.BP, job.bp);
    Atomics.store(ctl, CTL.CP, job.cp);
    Atomics.store(ctl, CTL.R, job.R);
    Atomics.store(ctl, CTL.NBLOCKS, job.nBlocks);
    Atomics.store(ctl, CTL.CSTRIDE, job.cStride);
    Atomics.store(ctl, CTL.MODE, job.mode);
    Atomics.store(ctl, CTL.APITCH, job.aPitch);
    Atomics.store(ctl, CTL.BPITCH, job.bPitch);
    if (helped) {
      Atomics.store(ctl, CTL.GEN, gen);
      Atomics.notify(ctl, CTL.GEN);
    }
    for (;;) {
      const v = Atomics.load(ctl, CTL.NEXT);
      const c = v & 0xff;
      if (c >= total) break;
      if (Atomics.compareExchange(ctl, CTL.NEXT, v, v + 1) !== v) continue;
      run(c);
      Atomics.add(ctl, CTL.DONE, 1);
    }
    for (let d = Atomics.load(ctl, CTL.DONE); d < total; d = Atomics.load(ctl, CTL.DONE)) {
      Atomics.wait(ctl, CTL.DONE, d);
    }
  }

  /** Move the workers to another session's memory (they leave the previous one's wait loop first). */
  private bind(module: WasmModule, memory: WasmMemory, ctl: Int32Array): void {
    const prev = this.bound;
    if (prev) {
      Atomics.store(prev, CTL.EXIT, 1);
      Atomics.add(prev, CTL.GEN, 1);
      Atomics.notify(prev, CTL.GEN);
    }
    this.bound = ctl;
    this.gen = Atomics.load(ctl, CTL.GEN);
    while (this.workers.length < this.size) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      this.workers.push(w);
    }
    for (const w of this.workers) w.postMessage({ module, memory, ctlOffset: ctl.byteOffset });
  }
}

let pool: ThreadPool | undefined | null = null;

/**
 * The process's pool: TILEKIT_THREADS workers (default: one per core beyond the first, at most 7); none when that
 * is 0 or on one core.
 */
export function threadPool(): ThreadPool | undefined {
  if (pool === null) {
    const env = process.env.TILEKIT_THREADS;
    const n = env !== undefined && env !== '' ? Number(env) : Math.min(availableParallelism() - 1, 7);
    pool = Number.isInteger(n) && n > 0 ? new ThreadPool(n) : undefined;
  }
  return pool;
}
