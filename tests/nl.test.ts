import { describe, expect, it } from 'vitest';
import { compareArrays, kernel, nisa, nl, run, type Tensor } from '../index.ts';
import { NL_CASES, type NlCase, rounded } from './nl-cases.ts';

/** Functions of the nl namespace that are exercised in other suites (file named), not in NL_CASES. */
const ELSEWHERE: Record<string, string> = {
  affineRange: 'tracer/trace.test.ts',
  after: 'codegen/controls.test.ts',
  noReorder: 'codegen/controls.test.ts',
  sequentialRange: 'tracer/trace.test.ts',
  staticRange: 'tracer/trace.test.ts',
  programId: 'tracer/trace.test.ts',
  numPrograms: 'tests/nl-memory.test.ts',
  programNdim: 'tests/nl-memory.test.ts',
  ds: 'tracer/trace.test.ts',
  load: 'tests/nl-memory.test.ts',
  store: 'tests/nl-memory.test.ts',
  atomicRmw: 'tests/nl-memory.test.ts',
  loadTranspose2d: 'tests/nl-memory.test.ts',
  devicePrint: 'tests/nl-memory.test.ts',
  ndarray: 'tests/nl-memory.test.ts',
  full: 'tests/nl-memory.test.ts',
  zeros: 'tests/nl-memory.test.ts',
  ones: 'tests/nl-memory.test.ts',
  zerosLike: 'tests/nl-memory.test.ts',
  onesLike: 'tests/nl-memory.test.ts',
  fullLike: 'tests/nl-memory.test.ts',
  emptyLike: 'tests/nl-memory.test.ts',
  sharedConstant: 'tests/nl-memory.test.ts',
  sharedIdentityMatrix: 'tests/nl-memory.test.ts',
  rand: 'tests/nl-memory.test.ts',
  randomSeed: 'tests/nl-memory.test.ts',
  dropout: 'tests/nl-memory.test.ts',
  isPsum: 'tests/nl-memory.test.ts',
  isSbuf: 'tests/nl-memory.test.ts',
  isHbm: 'tests/nl-memory.test.ts',
  isOnChip: 'tests/nl-memory.test.ts',
};

function runCase(c: NlCase) {
  const k = kernel(
    (...hbm: Tensor[]) => {
      const tiles = hbm.map((t) => nl.load(t));
      let res = c.body(...tiles);
      if (res.buffer === 'psum') res = nisa.tensorCopy(res);
      const out = nl.ndarray(res.shape, res.dtype, { buffer: nl.sharedHbm });
      nl.store(out, res);
      return out;
    },
    { name: c.fn },
  );
  return run(k, c.inputs).outputs[0];
}

describe('nl functions against host references', () => {
  it('every nl function has a case here or a named suite elsewhere', () => {
    const covered = new Set([...NL_CASES.map((c) => c.fn), ...Object.keys(ELSEWHERE)]);
    const fns = Object.entries(nl)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k);
    expect(fns.filter((f) => !covered.has(f))).toEqual([]);
  });

  it.each(NL_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = runCase(c);
    if (c.outDType) expect(out.dtype).toBe(c.outDType);
    if (c.outShape) expect([...out.shape]).toEqual([...c.outShape]);
    const want = rounded(out.dtype, c.expected(...c.inputs));
    const [atol, rtol] = c.tol ?? [0, 0];
    const cmp = compareArrays(out.data, want, out.shape, { atol, rtol });
    expect(cmp.firstMismatch, `${cmp.mismatches} mismatches`).toBeUndefined();
  });
});
