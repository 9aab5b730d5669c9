/**
 * A seeded slice of the fuzzer (`npm run fuzz` runs 100,000 cases): random valid kernels (op sequences over the
 * elementwise, cast, reduction, matmul/accumulation, transpose, DMA, indirect DMA and view families; fp32/bf16/fp16
 * and fp8 casts; affine/sequential/static loops; SPMD grids) compile and simulate, under the allocation and chip
 * options drawn, to exactly the bytes of the IR interpretation, with no simulator diagnostics.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkValid, RUN_CONFIGS } from './check-valid.ts';
import { buildValid, STEP_KINDS, validSpecs } from './valid.ts';

const RUNS = Number(process.env.FUZZ_VALID_RUNS ?? 1200);
const SEED = 20261123;

describe('fuzz: valid kernels', () => {
  it(`${RUNS} seeded kernels equal the IR interpretation under every option drawn`, () => {
    fc.assert(
      fc.property(
        validSpecs(false),
        fc.nat(1000),
        fc.subarray([...RUN_CONFIGS], { minLength: 1, maxLength: 2 }),
        (spec, seed, configs) => checkValid(spec, configs, seed),
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a full-size slice: 128 partitions, 512-element tiles, every option', () => {
    fc.assert(
      fc.property(
        validSpecs(true).filter((s) => s.P * s.F >= 128 * 128),
        fc.nat(1000),
        (spec, seed) => checkValid(spec, RUN_CONFIGS, seed),
      ),
      { seed: SEED, numRuns: Number(process.env.FUZZ_FULL_RUNS ?? 8) },
    );
  });

  it('the generator reaches every step kind and keeps almost every step it draws', () => {
    const specs = fc.sample(validSpecs(false), { seed: SEED, numRuns: 200 });
    const seen = new Set(specs.flatMap((s) => s.steps.map((x) => x.kind)));
    expect([...STEP_KINDS].filter((k) => !seen.has(k))).toEqual([]);
    let traced = 0;
    for (const spec of specs.slice(0, 60)) {
      const { kernel, inputs } = buildValid(spec);
      traced += kernel.trace(inputs).instrs.length;
    }
    expect(traced).toBeGreaterThan(60 * 5);
  });
});
