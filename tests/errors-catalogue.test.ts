import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../cli/errors.ts';
import {
  compile,
  ERROR_CODES,
  type ErrorCode,
  getChip,
  type HostArray,
  hostArray,
  Kernel,
  KernelError,
  simulate,
  type TensorSpec,
} from '../index.ts';
import * as fx from './fixtures/error-kernels.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/error-kernels.ts', import.meta.url));
const SOURCE = readFileSync(FIXTURE, 'utf8').split('\n');

function markerLine(code: string): number {
  const lines = SOURCE.flatMap((l, i) => (l.includes(`// @${code}`) ? [i + 1] : []));
  if (lines.length !== 1) throw new Error(`expected one marker for ${code}, found ${lines.length}`);
  return lines[0];
}

const f32 = (shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });

/** How to provoke each code: the fixture's inputs, and host data when the error needs a simulation. */
interface Trigger {
  readonly inputs?: readonly TensorSpec[];
  readonly data?: () => readonly HostArray[];
  /** Kernels to trace first (state the fixture needs). */
  readonly before?: readonly Kernel[];
}

const TRIGGERS: Partial<Record<ErrorCode, Trigger>> = {
  TK0101: {},
  TK0102: {},
  TK0103: {},
  TK0104: {},
  TK0105: {},
  TK0106: {},
  TK0107: {},
  TK0108: {},
  TK0110: {},
  TK0111: {},
  TK0201: {},
  TK0202: {},
  TK0203: { inputs: [f32([128, 128]), f32([64, 512])] },
  TK0204: {},
  TK0205: { inputs: [f32([128, 64])] },
  TK0206: { inputs: [{ shape: [4, 8], dtype: 'int8' }] },
  TK0207: {},
  TK0208: {},
  TK0209: {},
  TK0260: { inputs: [f32([16, 8])] },
  TK0261: { inputs: [f32([16, 8])] },
  TK0262: { inputs: [f32([8, 4])] },
  TK0263: { inputs: [f32([16, 8])] },
  TK0264: { inputs: [f32([4, 8])] },
  TK0265: { inputs: [f32([4, 8, 2])] },
  TK0266: {},
  TK0267: {},
  TK0268: {},
  TK0269: {},
  TK0301: { inputs: [f32([4, 8])] },
  TK0302: { inputs: [f32([4, 8])] },
  TK0303: { inputs: [f32([4, 8])] },
  TK0304: { inputs: [f32([4, 8])] },
  TK0305: {},
  TK0306: {},
  TK0401: { inputs: [f32([4, 8])] },
  TK0402: {},
  TK0403: { inputs: [f32([4, 8])] },
  TK0404: {},
  TK0405: {},
  TK0406: { inputs: [f32([4, 8])] },
  TK0407: {},
  TK0408: {},
  TK0409: { before: [fx.tk0409Leak] },
  TK0410: { inputs: [f32([4, 8])] },
  TK0411: {},
  TK0412: {},
  TK0413: { inputs: [f32([4, 8])] },
  TK0414: {},
  TK0501: {},
  TK0502: {},
  TK0503: {},
  TK0510: {
    inputs: [f32([6, 8]), { shape: [4, 1], dtype: 'int32' }],
    data: () => [hostArray([6, 8], 'float32'), hostArray([4, 1], 'int32', [0, 1, 6, 2])],
  },
  TK0602: {
    inputs: [f32([4, 8])],
    data: () => [hostArray([4, 8], 'bfloat16')],
  },
};

/** Trace, compile and (with data) simulate the fixture for `code`; the first KernelError. */
function diagnose(code: ErrorCode): KernelError {
  const t = TRIGGERS[code]!;
  const target = (fx as Record<string, unknown>)[code.toLowerCase()];
  try {
    for (const k of t.before ?? []) k.trace([]);
    if (!(target instanceof Kernel)) {
      (target as () => unknown)();
    } else {
      const program = compile(target.trace(t.inputs ?? []), getChip('trn1'));
      if (t.data) simulate(program, t.data(), { print: () => {} });
    }
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error(`${code}: no KernelError`);
}

const codes = Object.keys(TRIGGERS) as ErrorCode[];

describe('every fixture points at its marked line with its code', () => {
  it.each(codes)('%s', (code) => {
    const e = diagnose(code);
    expect(e.code).toBe(code);
    expect(e.loc?.file.endsWith('tests/fixtures/error-kernels.ts')).toBe(true);
    expect(e.loc?.line).toBe(markerLine(code));
    const text = e.format();
    expect(text).toContain(`${markerLine(code)} | ${SOURCE[markerLine(code) - 1]}`);
    expect(text).not.toMatch(/(dsl|tracer|codegen|ir|simulator)\/[\w/-]+\.ts/);
  });
});

describe('the catalogue', () => {
  it('has a marked, tested example for every code triggered here', () => {
    const byCode = new Map(errorCatalogue().map((e) => [e.code, e]));
    for (const code of codes) {
      const entry = byCode.get(code)!;
      expect(entry.tested, code).toBe(true);
      const { file, line, source } = entry.example!;
      const text = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), 'utf8').split('\n');
      expect(text[line - 1], code).toContain(`// @${code}`);
      expect(source.at(-1), code).toBe(text[line - 1].replace(/\s*\/\/ @TK\d{4}$/, ''));
    }
  });

  it('every marker in the fixture has a trigger here', () => {
    const marked = SOURCE.flatMap((l) => [...l.matchAll(/\/\/ @(TK\d{4})/g)].map((m) => m[1]));
    expect(marked.filter((c) => !(c in TRIGGERS))).toEqual([]);
  });

  it('lists every code of ERROR_CODES with its title and stage, and at least 40 tested codes', () => {
    const cat = errorCatalogue();
    expect(cat.map((e) => e.code)).toEqual(Object.keys(ERROR_CODES).sort());
    expect(cat.filter((e) => e.tested).length).toBeGreaterThanOrEqual(40);
    const nki = cat.find((e) => e.code === 'TK0413')!;
    expect(nki).toMatchObject({ stage: 'trace', nki: 'err_unexpected_output_dependencies' });
  });
});
