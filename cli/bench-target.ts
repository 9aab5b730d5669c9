/**
 * What `tilekit bench` and `tilekit report` measure: a library kernel by name, or a kernel file. A file either
 * exports a kernel with its `inputs` (fixed shapes, as for `tilekit run`) or a `LibraryKernel`-shaped object
 * (`name`, `shapeParams`, `defaultShape`, `dtypes`, `build`), which makes `--shape`, `--dtype` and `--sweep` work
 * for the user's kernel as for the library's. Also: parsing `--shape`, `--sweep`, and the chip with `--set`.
 */
import { existsSync } from 'node:fs';
import type { Kernel, TensorSpec } from '../dsl/kernel.ts';
import { DTYPE_NAMES, type DType, isDType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import type { LibraryKernel, ShapeParams } from '../kernels/library.ts';
import { parseNumber } from '../simulator/chips/index.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { displayPath } from '../tracer/location.ts';
import { resolveChip } from './chip-options.ts';
import { inputsFor, pickKernel } from './kernel-file.ts';
import { loadKernelModule } from './load.ts';
import { loadLibrary } from './suite.ts';

/** A run's shape as reported: named shape parameters, or (kernel files) each input's dims by parameter name. */
export type BenchShape = Readonly<Record<string, number | readonly number[]>>;

export interface BenchTarget {
  /** 'library': from LIBRARY; 'file': a kernel file's kernel with fixed inputs; 'file-library': a file's LibraryKernel. */
  readonly kind: 'library' | 'file' | 'file-library';
  /** The name reports use: the library name, or the kernel's export name. */
  readonly name: string;
  /** Named shape parameters `--shape` and `--sweep` accept (none for a kernel with fixed inputs). */
  readonly shapeParams: readonly string[];
  readonly defaultShape: ShapeParams;
  /** Meta-parameters (tile and block sizes) `--meta` and `--sweep` accept. */
  readonly metaParams: readonly string[];
  /** The first is the default. */
  readonly dtypes: readonly DType[];
  /** The kernel and its input specs for a shape, dtype, chip (by name) and meta-parameter overrides. */
  build(
    shape: ShapeParams,
    dtype: DType,
    chip: string,
    meta: ShapeParams,
  ): { readonly kernel: Kernel; readonly inputs: readonly TensorSpec[] };
  /** The shape as reported for a case. */
  describeShape(shape: ShapeParams, inputs: readonly TensorSpec[], kernel: Kernel): BenchShape;
}

/** True when `arg` names a file rather than a library kernel (a path, or a .ts/.js name). */
export function isFileArg(arg: string): boolean {
  return /\.[cm]?[jt]sx?$/.test(arg) || arg.includes('/') || arg.includes('\\');
}

/** Objects that look like a `LibraryKernel` (what a kernel file may export to get shape parameters). */
export function isLibraryKernel(v: unknown): v is LibraryKernel {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.name === 'string' &&
    typeof o.build === 'function' &&
    Array.isArray(o.shapeParams) &&
    Array.isArray(o.dtypes) &&
    o.dtypes.length > 0 &&
    typeof o.defaultShape === 'object' &&
    o.defaultShape !== null
  );
}

function libraryTarget(lk: LibraryKernel, kind: 'library' | 'file-library'): BenchTarget {
  return {
    kind,
    name: lk.name,
    shapeParams: lk.shapeParams,
    defaultShape: lk.defaultShape,
    metaParams: lk.metaParams ?? [],
    dtypes: lk.dtypes,
    build: (shape, dtype, chip, meta) =>
      Object.keys(meta).length ? lk.build(shape, dtype, { chip, meta }) : lk.build(shape, dtype, { chip }),
    describeShape: (shape) => shape,
  };
}

/** A library kernel by name, or a kernel file; `kernel` picks an export of a file that has several. */
export async function resolveTarget(arg: string, opts: { kernel?: string } = {}): Promise<BenchTarget> {
  if (!isFileArg(arg)) {
    const lib = await loadLibrary();
    const lk = lib.find((l) => l.name === arg);
    if (lk) return libraryTarget(lk, 'library');
    if (!existsSync(arg)) {
      throw new Error(
        `unknown kernel '${arg}': not a library kernel (${lib.map((l) => l.name).join(', ')}) and not a file; ` +
          'see tilekit bench --list',
      );
    }
  }
  const mod = await loadKernelModule(arg);
  const libs = Object.entries(mod.exports).filter(([, v]) => isLibraryKernel(v));
  const named = opts.kernel !== undefined ? libs.find(([k]) => k === opts.kernel) : undefined;
  if (named) return libraryTarget(named[1] as LibraryKernel, 'file-library');
  if (opts.kernel === undefined && libs.length === 1)
    return libraryTarget(libs[0][1] as LibraryKernel, 'file-library');
  if (opts.kernel === undefined && libs.length > 1) {
    throw new KernelError(
      'TK0702',
      `${displayPath(mod.file)} exports ${libs.length} library kernels (${libs.map(([k]) => k).join(', ')}); pick one by name`,
      undefined,
      [{ message: 'with the CLI: --kernel NAME' }],
    );
  }
  const entry = pickKernel(mod, opts.kernel);
  const specs = inputsFor(mod, entry, 0).map((x) => ({ shape: x.shape, dtype: x.dtype }));
  const dtype = specs[0]?.dtype ?? 'float32';
  return {
    kind: 'file',
    name: entry.exportName,
    shapeParams: [],
    defaultShape: {},
    metaParams: [],
    dtypes: [dtype],
    build: () => ({ kernel: entry.kernel, inputs: specs }),
    describeShape: (_shape, inputs, kernel) =>
      Object.fromEntries(inputs.map((s, i) => [kernel.params[i] ?? `in${i}`, [...s.shape]])),
  };
}

function parseValue(flag: string, key: string, raw: string): number {
  const n = parseNumber(raw.trim());
  if (n === undefined || !Number.isFinite(n)) throw new Error(`${flag} ${key}=${raw}: expected a number`);
  return n;
}

type ParamKind = 'shape' | 'meta';

function checkParam(target: BenchTarget, key: string, flag: string, kind: ParamKind): void {
  const known = kind === 'shape' ? target.shapeParams : target.metaParams;
  if (known.includes(key)) return;
  const what = kind === 'shape' ? 'shape parameter' : 'meta-parameter';
  if (known.length === 0) {
    throw new Error(
      `${flag} ${key}: kernel '${target.name}' has no ${what}s` +
        (target.kind === 'file' ? '; export a LibraryKernel from the file to give it some' : ''),
    );
  }
  throw new Error(`${flag}: unknown ${what} '${key}' of ${target.name}; its ${what}s: ${known.join(', ')}`);
}

function parseParams(target: BenchTarget, text: string | undefined, flag: string, kind: ParamKind) {
  const out: Record<string, number> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) throw new Error(`${flag}: expected k=v,... (e.g. M=4096,K=8192), got '${part}'`);
    const key = part.slice(0, at).trim();
    checkParam(target, key, flag, kind);
    out[key] = parseValue(flag, key, part.slice(at + 1));
  }
  return out;
}

/** `M=4096,K=8192,N=8192` over the target's default shape. */
export function parseShape(target: BenchTarget, text: string | undefined): ShapeParams {
  return { ...target.defaultShape, ...parseParams(target, text, '--shape', 'shape') };
}

/** `--meta` meta-parameter overrides (tile and block sizes), e.g. `TN=256`. */
export function parseMeta(target: BenchTarget, text: string | undefined): ShapeParams {
  return parseParams(target, text, '--meta', 'meta');
}

export function parseDType(target: BenchTarget, text: string | undefined): DType {
  if (text === undefined) return target.dtypes[0];
  if (!isDType(text)) throw new Error(`--dtype: unknown dtype '${text}'; known: ${DTYPE_NAMES.join(', ')}`);
  if (target.kind === 'file' && text !== target.dtypes[0]) {
    throw new Error(
      `--dtype: kernel '${target.name}' has fixed inputs (${target.dtypes[0]}); export a LibraryKernel to vary it`,
    );
  }
  return text;
}

/** One point of a benchmark: shape, dtype, meta-parameters and chip (a base chip plus `key=value` settings). */
export interface BenchCase {
  readonly shape: ShapeParams;
  readonly dtype: DType;
  /** Meta-parameter overrides; empty for the kernel's defaults on the chip. */
  readonly meta: ShapeParams;
  /** 'trn1' or 'trn2'. */
  readonly chip: string;
  /** A chip config JSON file applied over `chip` (`--chip-config`). */
  readonly chipConfig?: string;
  /** Chip overrides, `key=value` (withOverrides), applied last. */
  readonly sets: readonly string[];
}

/**
 * One `--sweep key=v1,v2,...`: a shape parameter, a meta-parameter (`meta.NAME` when a shape parameter has the same
 * name), `dtype`, `chip`, or a chip setting such as `dma.engines`.
 */
export interface Sweep {
  readonly key: string;
  readonly values: readonly string[];
}

export function parseSweep(text: string): Sweep {
  const at = text.indexOf('=');
  const key = at > 0 ? text.slice(0, at).trim() : '';
  const values =
    at > 0
      ? text
          .slice(at + 1)
          .split(',')
          .map((v) => v.trim())
      : [];
  if (!key || values.length === 0 || values.some((v) => v === '')) {
    throw new Error(`--sweep: expected key=v1,v2,... (e.g. N=1024,2048,4096), got '${text}'`);
  }
  return { key, values };
}

/** The cases of a sweep: the cartesian product of the sweeps over the base case, first sweep outermost. */
export function expandSweeps(target: BenchTarget, base: BenchCase, sweeps: readonly Sweep[]): BenchCase[] {
  let cases: BenchCase[] = [base];
  for (const s of sweeps) {
    const metaKey = s.key.startsWith('meta.') ? s.key.slice(5) : undefined;
    const key = metaKey ?? s.key;
    const kind: ParamKind | 'dtype' | 'chip' | 'set' =
      metaKey !== undefined
        ? 'meta'
        : s.key === 'dtype' || s.key === 'chip'
          ? s.key
          : s.key.includes('.')
            ? 'set'
            : target.shapeParams.includes(s.key) || !target.metaParams.includes(s.key)
              ? 'shape'
              : 'meta';
    if (kind === 'shape' || kind === 'meta') checkParam(target, key, '--sweep', kind);
    cases = cases.flatMap((c) =>
      s.values.map((v): BenchCase => {
        if (kind === 'dtype') return { ...c, dtype: parseDType(target, v) };
        if (kind === 'chip') return { ...c, chip: v };
        if (kind === 'set') return { ...c, sets: [...c.sets, `${s.key}=${v}`] };
        const n = parseValue('--sweep', key, v);
        return kind === 'meta'
          ? { ...c, meta: { ...c.meta, [key]: n } }
          : { ...c, shape: { ...c.shape, [key]: n } };
      }),
    );
  }
  return cases;
}

/** The chip of a case: the base chip, its config file, then its settings. */
export function caseChip(c: BenchCase): ChipConfig {
  return resolveChip({ chip: c.chip, chipConfig: c.chipConfig, set: c.sets });
}

/** How a case's chip is shown: its name, then any settings. */
export function chipLabel(chip: ChipConfig, sets: readonly string[]): string {
  return [chip.name, ...sets].join(' ');
}

/** `M=4096 K=8192 N=8192`, or `a[128, 64] b[128, 64]` for a kernel with fixed inputs. */
export function fmtBenchShape(shape: BenchShape): string {
  return Object.entries(shape)
    .map(([k, v]) => (typeof v === 'number' ? `${k}=${v}` : `${k}[${v.join(', ')}]`))
    .join(' ');
}
