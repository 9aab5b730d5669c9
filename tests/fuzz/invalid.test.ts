/**
 * A seeded slice of the invalid-kernel fuzzer: valid kernels with one injected mistake (bad slices, shapes, dtypes,
 * engines, memories, loops, limits, writes to inputs, affine clashes, capacity, out-of-range indirect indices,
 * uninitialised reads, leaked or nested traces, junk arguments to any nl/nisa function) end in a KernelError located
 * in the kernel's source, or run; never in an internal error, a crash or a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvalid, type InvalidOutcome } from './check-invalid.ts';
import { FAULTS, invalidSpecArb } from './invalid.ts';

const RUNS = Number(process.env.FUZZ_INVALID_RUNS ?? 2500);
const SEED = 20261123;

describe('fuzz: invalid kernels', () => {
  it(`${RUNS} seeded invalid kernels give located KernelErrors`, () => {
    const outcomes = new Map<string, Set<InvalidOutcome>>();
    fc.assert(
      fc.property(invalidSpecArb, fc.nat(1000), (spec, seed) => {
        const outcome = checkInvalid(spec, seed);
        // With the fault before every step, nothing else can fail first.
        const key = spec.at % (spec.base.steps.length + 1) === 0 ? `${spec.fault} first` : spec.fault;
        let set = outcomes.get(key);
        if (!set) outcomes.set(key, (set = new Set()));
        set.add(outcome);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Every fault was drawn, and the mistakes that are always wrong were always caught.
    expect([...FAULTS].filter((f) => !outcomes.has(f) && !outcomes.has(`${f} first`))).toEqual([]);
    const always: Record<string, string> = {
      psumTooWide: 'TK0104',
      partitionsTooMany: 'TK0101',
      writeInput: 'TK0403',
      instructionLimit: 'TK0415',
      leakedTensor: 'TK0409',
      nestedKernel: 'TK0414',
      tileInCondition: 'TK0401',
    };
    // Faults found later (the second iteration, compile, simulate) can be preceded by another error.
    expect(outcomes.get('affineClash first')?.has('TK0413')).toBe(true);
    expect(outcomes.get('sbufOverflow first')?.has('TK0501')).toBe(true);
    expect(outcomes.get('memoryBudget first')?.has('TK0416')).toBe(true);
    for (const [fault, code] of Object.entries(always)) {
      expect([...(outcomes.get(`${fault} first`) ?? [])], fault).toEqual([code]);
    }
  });
});
