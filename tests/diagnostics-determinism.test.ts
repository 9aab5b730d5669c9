/**
 * Determinism: the same kernel, inputs and options give identical outputs (bytes), an identical Timeline and
 * identical diagnostics, run after run (fresh trace, compile and simulation each time).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compile,
  getChip,
  type HostArray,
  type Kernel,
  printIR,
  randomInputs,
  simulate,
  type TensorSpec,
} from '../index.ts';
import { LIBRARY } from '../kernels/index.ts';
import * as fx from './fixtures/located-kernels.ts';
import { buildValid, validSpecs } from './fuzz/valid.ts';

const f32 = (...shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });

/** Everything a run produces that must not vary. */
function runOnce(
  k: Kernel,
  specs: readonly TensorSpec[],
  data: readonly HostArray[],
  chip: string,
  multiBuffer: number,
) {
  const ir = k.trace(specs);
  const r = simulate(compile(ir, getChip(chip), { multiBuffer }), data, { print: () => {} });
  return {
    ir: printIR(ir),
    outputs: r.outputBytes.map((b) => Buffer.from(b).toString('base64')),
    entries: r.timeline.entries.map((e) => ({ ...e })),
    dma: r.timeline.dma,
    latency: r.timeline.latencyNs,
    diagnostics: r.diagnostics.map((d) => d.format()),
    json: JSON.stringify(r.diagnostics),
  };
}

function expectDeterministic(k: Kernel, specs: readonly TensorSpec[], chip = 'trn1', multiBuffer = 2) {
  const data = randomInputs(specs, 7);
  const a = runOnce(k, specs, data, chip, multiBuffer);
  const b = runOnce(k, specs, data, chip, multiBuffer);
  expect(b).toEqual(a);
  return a;
}

describe('determinism', () => {
  it('kernels with diagnostics: same outputs, Timeline and diagnostics', () => {
    const cases: [Kernel, TensorSpec[], string][] = [
      [fx.readsUnwritten, [f32(128, 64)], 'TK0603'],
      [fx.interleavedGroups, [f32(128, 128), f32(128, 128)], 'TK0606'],
      [fx.halfWritten, [f32(128, 64)], 'TK0607'],
      [fx.accumulatesAfterOverwrite, [f32(128, 128), f32(128, 512)], 'TK0608'],
    ];
    for (const [k, specs, code] of cases) {
      for (const chip of ['trn1', 'trn2']) {
        const r = expectDeterministic(k, specs, chip);
        expect(r.diagnostics.length).toBeGreaterThan(0);
        expect(r.diagnostics[0]).toContain(code);
      }
    }
  });

  it('library kernels on both chips and allocation options', () => {
    for (const name of ['softmax', 'matmul']) {
      const lk = LIBRARY.find((l) => l.name === name)!;
      const { kernel, inputs } = lk.build(lk.testShapes[0], lk.dtypes[0]);
      for (const [chip, mb] of [
        ['trn1', 1],
        ['trn2', 2],
      ] as const) {
        const r = expectDeterministic(kernel, inputs, chip, mb);
        expect(r.diagnostics).toEqual([]);
        expect(r.latency).toBeGreaterThan(0);
      }
    }
  });

  it('random kernels from the fuzzer', () => {
    for (const spec of fc.sample(validSpecs(false), { seed: 99, numRuns: 25 })) {
      const { kernel, inputs } = buildValid(spec);
      expectDeterministic(kernel, inputs, spec.P % 2 ? 'trn1' : 'trn2', 1 + (spec.F % 3));
    }
  });
});
