/**
 * `npm run fuzz`: long fuzzing runs. Valid kernels must compile and simulate (under every allocation and chip
 * option drawn) to the IR interpretation's bytes with no diagnostics; invalid kernels must end in a located
 * KernelError. Runs in chunks of seeded cases; a failing chunk prints its seed and path (fast-check's replay
 * coordinates) and the shrunk counterexample, and the run goes on.
 *
 *   npm run fuzz                                  100,000 cases (1 valid : 2 invalid), seed from the clock
 *   npm run fuzz -- --cases 5000 --seed 42        a shorter run, reproducible
 *   npm run fuzz -- --replay 42:17:0:3 --kind valid    re-run one failure (seed:path as printed)
 *   npm run fuzz -- --strict                      also fail on the known open bugs (KNOWN_BUGS)
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { checkInvalid } from './check-invalid.ts';
import { checkValid, RUN_CONFIGS } from './check-valid.ts';
import { invalidSpecArb } from './invalid.ts';
import { validSpecs } from './valid.ts';

const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    chunk: { type: 'string', default: '500' },
    kind: { type: 'string', default: 'both' },
    replay: { type: 'string' },
    /** A case slower than this (ms) counts as a hang. */
    slow: { type: 'string', default: '60000' },
    /** Report the known open bugs (check-invalid.ts KNOWN_BUGS) as failures too. */
    strict: { type: 'boolean', default: false },
  },
});

const slowMs = Number(values.slow);
let slowest = { ms: 0, what: '' };

function timed<T>(what: () => string, fn: () => T): T {
  const t0 = performance.now();
  const result = fn();
  const ms = performance.now() - t0;
  if (ms > slowest.ms) slowest = { ms, what: what() };
  if (ms > slowMs) throw new Error(`case took ${(ms / 1000).toFixed(1)} s (a hang?): ${what()}`);
  return result;
}

const validProperty = fc.property(
  validSpecs(true),
  fc.nat(1000),
  fc.subarray([...RUN_CONFIGS], { minLength: 1, maxLength: 2 }),
  (spec, seed, configs) => {
    timed(
      () => JSON.stringify(spec),
      () => checkValid(spec, configs, seed),
    );
  },
);

const outcomes = new Map<string, number>();
const invalidProperty = fc.property(invalidSpecArb, fc.nat(1000), (spec, seed) => {
  const outcome = timed(
    () => JSON.stringify(spec),
    () => checkInvalid(spec, seed, values.strict),
  );
  const key = `${spec.fault} → ${outcome}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
});

interface Failure {
  readonly kind: string;
  readonly seed: number;
  readonly path?: string;
  readonly message: string;
}

function runChunk(
  kind: 'valid' | 'invalid',
  seed: number,
  numRuns: number,
  path?: string,
): Failure | undefined {
  const params = { seed, numRuns, path, endOnFailure: false };
  const r = kind === 'valid' ? fc.check(validProperty, params) : fc.check(invalidProperty, params);
  if (!r.failed) return undefined;
  const cause = r.errorInstance instanceof Error ? r.errorInstance.message : String(r.errorInstance);
  return {
    kind,
    seed,
    path: r.counterexamplePath ?? undefined,
    message: `${cause}\ncounterexample: ${fc.stringify(r.counterexample)}`,
  };
}

function main(): number {
  if (values.replay) {
    const [seed, ...path] = values.replay.split(':');
    const kind = values.kind === 'invalid' ? 'invalid' : 'valid';
    const f = runChunk(kind, Number(seed), 1, path.join(':'));
    console.log(f ? `FAIL (${kind}, seed ${seed})\n${f.message}` : 'passes');
    return f ? 1 : 0;
  }
  const total = Number(values.cases);
  const chunk = Number(values.chunk);
  const base = values.seed !== undefined ? Number(values.seed) : Date.now() % 1_000_000_000;
  const kinds: ('valid' | 'invalid')[] =
    values.kind === 'valid'
      ? ['valid']
      : values.kind === 'invalid'
        ? ['invalid']
        : ['valid', 'invalid', 'invalid'];
  console.log(`fuzz: ${total} cases (${kinds.join(', ')} per round), base seed ${base}, chunks of ${chunk}`);
  const failures: Failure[] = [];
  const counts = { valid: 0, invalid: 0 };
  const t0 = performance.now();
  let done = 0;
  for (let round = 0; done < total; round++) {
    const kind = kinds[round % kinds.length];
    const n = Math.min(chunk, total - done);
    const seed = base + round;
    const f = runChunk(kind, seed, n);
    done += n;
    counts[kind] += n;
    if (f) {
      failures.push(f);
      console.log(`\nFAIL ${kind} seed ${f.seed} path ${f.path}`);
      console.log(`  replay: npm run fuzz -- --kind ${kind} --replay ${f.seed}:${f.path}`);
      console.log(`  ${f.message.split('\n').join('\n  ')}`);
    }
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${done}/${total} cases (${counts.valid} valid, ${counts.invalid} invalid) in ${s.toFixed(0)} s, ${failures.length} failing chunks; slowest case ${(slowest.ms / 1000).toFixed(2)} s`,
    );
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`\n${done} cases in ${s.toFixed(0)} s (${((s * 1000) / done).toFixed(1)} ms per case)`);
  console.log('invalid kernels, by fault and outcome:');
  for (const [k, n] of [...outcomes].sort()) console.log(`  ${k}: ${n}`);
  if (failures.length) {
    console.log(
      `\n${failures.length} failing chunks; seeds: ${failures.map((f) => `${f.kind} ${f.seed}:${f.path}`).join(', ')}`,
    );
    return 1;
  }
  console.log('no failures');
  return 0;
}

process.exitCode = main();
