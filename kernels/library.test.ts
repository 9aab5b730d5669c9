import { describe, expect, it } from 'vitest';
import { compareArrays, randomInputs, run } from '../index.ts';
import type { DType } from '../ir/dtypes.ts';
import { LIBRARY, libraryKernel } from './index.ts';
import type { LibraryKernel, ShapeParams } from './library.ts';

/** kernels.md's large shapes (fullTestShapes) take minutes on the simulator; they run with TILEKIT_FULL=1. */
const FULL = process.env.TILEKIT_FULL === '1';
const SEED = 7;

const label = (shape: ShapeParams): string =>
  Object.entries(shape)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** The kernel's own seeded inputs where it defines them, else uniform [−1, 1) (kernels.md). */
const inputsFor = (
  lk: LibraryKernel,
  shape: ShapeParams,
  dtype: DType,
  specs: Parameters<typeof randomInputs>[0],
) => (lk.inputs ? lk.inputs(shape, dtype, SEED) : randomInputs(specs, SEED));

function checkNumerics(lk: LibraryKernel, shape: ShapeParams, dtype: DType): void {
  const { kernel, inputs: specs } = lk.build(shape, dtype);
  const inputs = inputsFor(lk, shape, dtype, specs);
  const first = run(kernel, inputs);
  const expected = lk.reference(shape, inputs);
  expect(first.outputs.length).toBe(expected.length);
  // The main output has the kernel's dtype (side outputs, e.g. flash attention's lse, may be fp32).
  expect(first.outputs[0].dtype).toBe(dtype);
  first.outputs.forEach((out, i) => {
    expect(out.data.some(Number.isNaN), `output ${i} has unwritten (NaN) elements`).toBe(false);
    const cmp = compareArrays(out.data, expected[i], out.shape, lk.tolerance(dtype));
    expect(cmp.mismatches, JSON.stringify(cmp)).toBe(0);
  });
  // Deterministic: a second trace, compile and run from the same seed gives the same bytes.
  const second = run(kernel, inputsFor(lk, shape, dtype, specs));
  second.outputBytes.forEach((bytes, i) => {
    expect(Buffer.from(bytes).equals(Buffer.from(first.outputBytes[i])), `output ${i} bytes differ`).toBe(
      true,
    );
  });
}

describe.each(LIBRARY.map((lk) => [lk.name, lk] as const))('library kernel %s', (_name, lk) => {
  for (const shape of lk.testShapes) {
    for (const dtype of lk.dtypes) {
      it(`${label(shape)} ${dtype}`, () => checkNumerics(lk, shape, dtype));
    }
  }
  for (const shape of lk.fullTestShapes ?? []) {
    for (const dtype of lk.dtypes) {
      it.runIf(FULL)(
        `${label(shape)} ${dtype} (TILEKIT_FULL)`,
        () => checkNumerics(lk, shape, dtype),
        600_000,
      );
    }
  }

  it('describes itself consistently', () => {
    expect(lk.name).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(Object.keys(lk.defaultShape).sort()).toEqual([...lk.shapeParams].sort());
    for (const s of [...lk.testShapes, ...(lk.fullTestShapes ?? [])]) {
      expect(Object.keys(s).sort()).toEqual([...lk.shapeParams].sort());
    }
    expect(lk.dtypes.length).toBeGreaterThan(0);
  });

  it('builds and traces its default shape', () => {
    const { kernel, inputs } = lk.build(lk.defaultShape, lk.dtypes[0]);
    expect(kernel.trace(inputs).instrs.length).toBeGreaterThan(0);
  });

  it('names its meta-parameters, has defaults for them on each chip, and rejects unknown ones', () => {
    if (!lk.metaParams) {
      expect(lk.defaultMeta).toBeUndefined();
      return;
    }
    for (const chip of ['trn1', 'trn2']) {
      const meta = lk.defaultMeta!(chip);
      expect(Object.keys(meta).sort()).toEqual([...lk.metaParams].sort());
      const { kernel, inputs } = lk.build(lk.defaultShape, lk.dtypes[0], { chip, meta });
      expect(kernel.trace(inputs).instrs.length).toBeGreaterThan(0);
    }
    expect(() => lk.build(lk.defaultShape, lk.dtypes[0], { meta: { bogus: 1 } })).toThrow(
      /unknown meta-parameter 'bogus'/,
    );
  });

  it.runIf(lk.inputs !== undefined)('makes inputs of the specs it builds, deterministically', () => {
    const { inputs: specs } = lk.build(lk.defaultShape, lk.dtypes[0]);
    const a = lk.inputs!(lk.defaultShape, lk.dtypes[0], SEED);
    expect(a.map((x) => [x.shape, x.dtype])).toEqual(specs.map((x) => [x.shape, x.dtype]));
    const b = lk.inputs!(lk.defaultShape, lk.dtypes[0], SEED);
    a.forEach((x, i) => {
      expect(Buffer.from(x.data.buffer).equals(Buffer.from(b[i].data.buffer))).toBe(true);
    });
  });

  it('rejects missing and unknown shape parameters', () => {
    const [first, ...rest] = lk.shapeParams;
    const missing = Object.fromEntries(rest.map((p) => [p, lk.defaultShape[p]]));
    expect(() => lk.build(missing, lk.dtypes[0])).toThrow(
      new RegExp(`'${first}' must be a positive integer`),
    );
    expect(() => lk.build({ ...lk.defaultShape, bogus: 1 }, lk.dtypes[0])).toThrow(/unknown shape parameter/);
  });
});

describe('libraryKernel', () => {
  it('finds each kernel by name', () => {
    for (const lk of LIBRARY) expect(libraryKernel(lk.name)).toBe(lk);
    expect(LIBRARY.map((lk) => lk.name)).toEqual([
      'add',
      'matmul',
      'matmul-tiled',
      'matmul-hoisted',
      'matmul-blocked',
      'matmul-optimized',
      'matmul-pipelined',
      'transpose2d',
      'softmax',
      'layernorm',
      'layernorm-v1',
      'rmsnorm',
      'rope',
      'sd-attention',
      'flash-attention',
      'swiglu-mlp',
    ]);
  });

  it('lists the known names for an unknown one', () => {
    expect(() => libraryKernel('matmull')).toThrow(
      `unknown library kernel 'matmull'; known kernels: ${LIBRARY.map((l) => l.name).join(', ')}`,
    );
  });
});
