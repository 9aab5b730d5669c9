/**
 * The kernel file convention: what a file passed to `tilekit run` / `tilekit ir` exports.
 *
 *   export const myAdd = kernel((a, b) => ...);           // one or more kernels (gridded: kernel(...).grid(2, 2))
 *   export const inputs = [{ shape, dtype }, ...];        // input specs -> seeded random inputs in [-1, 1)
 *                      | (seed: number) => HostArray[]    // or a function making the inputs
 *   export function reference(...inputs) { ... }          // optional: expected output(s), computed on the host
 *   export const tolerance = { atol, rtol };              // optional: default by output dtype
 *
 * `inputs`, `reference` and `tolerance` may instead be objects keyed by kernel export name.
 * This module interprets a loaded module's exports; it does no I/O.
 */
import { type HostArray, Kernel, randomInputs, type TensorSpec, type Tolerance } from '../index.ts';
import { DTYPES, type DType, isDType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import { displayPath } from '../tracer/location.ts';
import type { KernelModule } from './load.ts';

/** A kernel exported by a file, under its export name. */
export interface KernelEntry {
  readonly exportName: string;
  /** The kernel; named after its export when the kernel function has no name of its own. */
  readonly kernel: Kernel;
}

/** What a reference returns: one array (single output) or one array per output. */
export type ReferenceResult = ArrayLike<number> | HostArray | readonly (ArrayLike<number> | HostArray)[];
export type ReferenceFn = (...inputs: HostArray[]) => ReferenceResult;

/** Default comparison tolerance for an output dtype (`tolerance` in the file overrides it). */
export function defaultTolerance(dtype: DType): Tolerance {
  const info = DTYPES[dtype];
  if (info.kind !== 'float') return { atol: 0, rtol: 0 };
  if (dtype === 'float32') return { atol: 1e-5, rtol: 1e-5 };
  if (info.bytes === 1) return { atol: 1e-1, rtol: 1e-1 };
  return { atol: 1e-2, rtol: 1e-2 }; // bfloat16, float16, tfloat32 (10 mantissa bits)
}

/** Every `Kernel` export of the module, in export order. */
export function kernelExports(mod: KernelModule): KernelEntry[] {
  return Object.entries(mod.exports)
    .filter((e): e is [string, Kernel] => e[1] instanceof Kernel)
    .map(([exportName, k]) => ({ exportName, kernel: named(k, exportName) }));
}

function named(k: Kernel, exportName: string): Kernel {
  if (k.options.name !== undefined || k.fn.name !== '') return k;
  return new Kernel(k.fn, { ...k.options, name: exportName }, k.loc);
}

/** The kernel to run: the one named `name`, else the file's only kernel; TK0702 listing the kernels otherwise. */
export function pickKernel(mod: KernelModule, name?: string): KernelEntry {
  const shown = displayPath(mod.file);
  const entries = kernelExports(mod);
  const list = entries.map((e) => e.exportName).join(', ');
  if (name !== undefined) {
    const found = entries.find((e) => e.exportName === name);
    if (found) return found;
    const what = name in mod.exports ? `'${name}' is exported but is not a kernel` : `no export '${name}'`;
    throw new KernelError(
      'TK0702',
      `kernel '${name}' not found in ${shown}: ${what}; ${entries.length ? `its kernels: ${list}` : 'it exports no kernels'}`,
    );
  }
  if (entries.length === 1) return entries[0];
  if (entries.length === 0) {
    throw new KernelError('TK0702', `${shown} exports no kernels`, undefined, [
      { message: 'export one: export const myKernel = kernel((a, b) => { ... });' },
    ]);
  }
  throw new KernelError(
    'TK0702',
    `${shown} exports ${entries.length} kernels (${list}); pick one by name`,
    undefined,
    [{ message: 'with the CLI: --kernel NAME' }],
  );
}

/** The export `key` for this kernel: the value itself, or its entry in an object keyed by kernel export name. */
function exportFor(
  mod: KernelModule,
  key: string,
  entry: KernelEntry,
  isValue: (v: unknown) => boolean,
): unknown {
  const v = mod.exports[key];
  if (v === undefined || isValue(v)) return v;
  if (typeof v === 'object' && v !== null && Object.hasOwn(v, entry.exportName)) {
    return (v as Record<string, unknown>)[entry.exportName];
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return undefined; // keyed, but not for this kernel
  return v;
}

function fileError(mod: KernelModule, entry: KernelEntry, detail: string): KernelError {
  return new KernelError('TK0701', `${displayPath(mod.file)}: ${detail}`, entry.kernel.loc);
}

const isSpecOrArray = (x: unknown): boolean =>
  typeof x === 'object' && x !== null && Array.isArray((x as TensorSpec).shape) && 'dtype' in x;

/** The kernel's inputs: seeded random arrays for `inputs` specs, or what an `inputs(seed)` function returns. */
export function inputsFor(mod: KernelModule, entry: KernelEntry, seed: number): HostArray[] {
  const v = exportFor(mod, 'inputs', entry, (x) => Array.isArray(x) || typeof x === 'function');
  if (v === undefined) {
    throw fileError(
      mod,
      entry,
      `no inputs for kernel '${entry.exportName}'; export const inputs = [{ shape: [128, 512], dtype: 'float32' }, ...]`,
    );
  }
  const list: unknown = typeof v === 'function' ? (v as (seed: number) => unknown)(seed) : v;
  if (!Array.isArray(list) || !list.every(isSpecOrArray)) {
    throw fileError(
      mod,
      entry,
      `inputs for '${entry.exportName}' must be a list of { shape, dtype } (or a function returning HostArrays)`,
    );
  }
  for (const [i, x] of list.entries()) {
    const dtype = (x as TensorSpec).dtype;
    if (typeof dtype !== 'string' || !isDType(dtype)) {
      throw fileError(mod, entry, `input ${i} has unknown dtype ${JSON.stringify(dtype)}`);
    }
  }
  // Specs become seeded random arrays; arrays with data (e.g. from an `inputs(seed)` function) are used as given.
  if (list.every((x) => 'data' in x)) return list as HostArray[];
  if (list.every((x) => !('data' in x))) return randomInputs(list as TensorSpec[], seed);
  throw fileError(mod, entry, `inputs for '${entry.exportName}' mix specs and arrays; use one or the other`);
}

/** The file's reference function for this kernel, if it exports one. */
export function referenceFor(mod: KernelModule, entry: KernelEntry): ReferenceFn | undefined {
  const v = exportFor(mod, 'reference', entry, (x) => typeof x === 'function');
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw fileError(mod, entry, `'reference' must be a function of the inputs`);
  return v as ReferenceFn;
}

const isTolerance = (x: unknown): boolean =>
  typeof x === 'object' && x !== null && ('atol' in x || 'rtol' in x);

/** Tolerance per output: the file's `tolerance` (missing fields from the default), else the dtype default. */
export function tolerancesFor(mod: KernelModule, entry: KernelEntry, outputs: readonly DType[]): Tolerance[] {
  const v = exportFor(mod, 'tolerance', entry, isTolerance) as Partial<Tolerance> | undefined;
  if (v !== undefined && !isTolerance(v)) {
    throw fileError(mod, entry, `'tolerance' must be { atol, rtol } (or an object of them keyed by kernel)`);
  }
  for (const key of ['atol', 'rtol'] as const) {
    const x = v?.[key];
    if (x !== undefined && !(typeof x === 'number' && x >= 0)) {
      throw fileError(mod, entry, `tolerance.${key} must be a number >= 0, got ${JSON.stringify(x)}`);
    }
  }
  return outputs.map((d) => ({ ...defaultTolerance(d), ...v }));
}

/** The reference's result as one flat array per output. */
export function expectedOutputs(result: ReferenceResult, outputs: number): ArrayLike<number>[] {
  const flat = (x: ArrayLike<number> | HostArray): ArrayLike<number> =>
    'data' in x && typeof x.data === 'object' ? (x as HostArray).data : (x as ArrayLike<number>);
  const isList =
    Array.isArray(result) && result.length > 0 && typeof result[0] === 'object' && result[0] !== null;
  const list = isList
    ? (result as readonly (ArrayLike<number> | HostArray)[])
    : [result as ArrayLike<number>];
  if (list.length !== outputs) {
    throw new RangeError(`reference returned ${list.length} array(s) for ${outputs} kernel output(s)`);
  }
  return list.map(flat);
}
