/**
 * Located diagnostics: every simulator check, the limits, and trace/compile errors in context, each on a kernel
 * written to trigger it (tests/fixtures/located-kernels.ts). Each case pins the code, the file, the line (the
 * `// @TKxxxx` marker inside the kernel's export), the message, and the excerpt with its caret.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compile,
  type ErrorCode,
  getChip,
  type HostArray,
  hostArray,
  type Kernel,
  KernelError,
  type Program,
  randomInputs,
  simulate,
  type TensorSpec,
} from '../index.ts';
import type { OpName } from '../ir/ops/index.ts';
import { LIBRARY } from '../kernels/index.ts';
import { DEFAULT_LIMITS, setDefaultLimits } from '../tracer/limits.ts';
import * as fx from './fixtures/located-kernels.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/located-kernels.ts', import.meta.url));
const SOURCE = readFileSync(FIXTURE, 'utf8').split('\n');
const INTERNAL = /(?:^|[\s(/])(ir|dsl|tracer|codegen|simulator|cli)\/[\w/.-]+\.ts/;
const trn1 = getChip('trn1');
const KERNELS: Readonly<Record<string, unknown>> = { ...fx };

/** 1-based line of the `// @code` marker (or of `text`) inside `export const name`. */
function markerLine(name: string, code: string, text?: string): number {
  const start = SOURCE.findIndex((l) => l.startsWith(`export const ${name} `));
  if (start < 0) throw new Error(`no export ${name}`);
  const next = SOURCE.findIndex((l, i) => i > start && l.startsWith('export '));
  const end = next < 0 ? SOURCE.length : next;
  const want = text ?? `// @${code}`;
  const lines = SOURCE.map((_, i) => i).filter((i) => i >= start && i < end && SOURCE[i].includes(want));
  if (lines.length !== 1) throw new Error(`${name}: expected one line with '${want}', found ${lines.length}`);
  return lines[0] + 1;
}

const f32 = (...shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });
const i32 = (shape: number[], values: number[]): HostArray => hostArray(shape, 'int32', values);

/** A Program edit that makes a correct kernel wrong in a way only a compiler bug would. */
type Tamper = (p: Program) => Program;

function editInstr(p: Program, op: OpName, edit: (i: Program['instrs'][number]) => object, nth = 0): Program {
  let seen = -1;
  const instrs = p.instrs.map((i) =>
    i.op === op && ++seen === nth ? Object.freeze({ ...i, ...edit(i) }) : i,
  );
  return { ...p, instrs } as Program;
}

/** Drop every semaphore wait of the first `op`. */
const dropWaits =
  (op: OpName): Tamper =>
  (p) =>
    editInstr(p, op, () => ({ waits: [] }));

/** Move one operand of the `nth` `op` by `bytes`. */
const shift =
  (op: OpName, side: 'ins' | 'outs', k: number, bytes: number, nth = 0): Tamper =>
  (p) =>
    editInstr(
      p,
      op,
      (i) => ({ [side]: i[side].map((a, j) => (j === k ? { ...a, byteOffset: a.byteOffset + bytes } : a)) }),
      nth,
    );

/** Make the first activation wait for the store queued after it (which waits for the activation). */
const waitForLater: Tamper = (p) => {
  const store = p.instrs.find((i) => i.op === 'dmaCopy' && i.outs[0].space === 'hbm')!;
  return editInstr(p, 'activation', (i) => ({
    waits: [...i.waits, { queue: store.queue, count: store.index + 1, on: store.id, kind: 'RAW' }],
  }));
};

interface Case {
  readonly name: keyof typeof fx;
  readonly code: ErrorCode;
  readonly inputs?: readonly TensorSpec[];
  /** Host data for the simulation (default: seeded random inputs). */
  readonly data?: () => readonly HostArray[];
  readonly tamper?: Tamper;
  /** Text of the line the diagnostic points at, when it is not the marked one. */
  readonly at?: string;
  readonly message: RegExp;
}

const CASES: readonly Case[] = [
  // Simulator checks.
  {
    name: 'readsUnwritten',
    code: 'TK0603',
    inputs: [f32(128, 64)],
    message:
      /reads 'bias' \[128,64\] float32 \(its input 1\) before anything wrote it: 4096 of 8192 elements unwritten, the first at \[0,32\]/,
  },
  {
    name: 'gatherSkipsRows',
    code: 'TK0603',
    inputs: [f32(6, 8), { shape: [4, 1], dtype: 'int32' }],
    data: () => [hostArray([6, 8], 'float32'), i32([4, 1], [0, 9, 2, -1])],
    message: /reads 'rows' \[4,8\] float32 .* 16 of 32 elements unwritten, the first at \[1,0\]/,
  },
  {
    name: 'accumulatesFresh',
    code: 'TK0603',
    inputs: [f32(128, 128), f32(128, 512)],
    message:
      /ncMatmul #2 \(tensor\) reads 'acc' .*\(its output \(accumulated into\)\) before anything wrote it/,
  },
  {
    name: 'raceWhenUnordered',
    code: 'TK0604',
    inputs: [f32(128, 64)],
    tamper: dropWaits('activation'),
    message:
      /activation #1 \(scalar\) reads 'load' while dmaCopy #0 \(dma\d+\) writes it, and no semaphore wait or queue order/,
  },
  {
    name: 'outOfBoundsWhenShifted',
    code: 'TK0605',
    inputs: [f32(128, 64)],
    tamper: shift('dmaCopy', 'outs', 0, 4),
    message:
      /dmaCopy #0 \(dma\d+\): output reaches sbuf bytes \[\d+, \d+\) of each partition, outside 'load' \[128,64\] float32/,
  },
  {
    name: 'outOfBoundsWhenShifted',
    code: 'TK0605',
    inputs: [f32(128, 64)],
    tamper: shift('dmaCopy', 'ins', 0, 4),
    message:
      /dmaCopy #0 \(dma\d+\): input 0 reaches HBM bytes \[4, 32772\), outside 'a' \[128,64\] float32 at \[0, 32768\)/,
  },
  {
    name: 'outOfBoundsWhenShifted',
    code: 'TK0605',
    inputs: [f32(128, 64)],
    tamper: shift('ncTranspose', 'outs', 0, 8),
    at: 'nisa.ncTranspose(',
    message:
      /ncTranspose #1 \(tensor\): output reaches psum bytes \[\d+, \d+\) of each partition, outside 'transpose'/,
  },
  {
    name: 'interleavedGroups',
    code: 'TK0606',
    inputs: [f32(128, 128), f32(128, 128)],
    message:
      /ncMatmul #4 \(tensor\) accumulates into a PSUM accumulation group after another group started in the same bank/,
  },
  {
    name: 'halfWritten',
    code: 'TK0607',
    inputs: [f32(128, 64)],
    message:
      /output 'out' \[256,64\] float32 is not fully written: 8192 of 16384 elements were never written, the first at \[128,0\]/,
  },
  {
    name: 'accumulatesAfterOverwrite',
    code: 'TK0608',
    inputs: [f32(128, 128), f32(128, 512)],
    message:
      /ncMatmul #4 \(tensor\) accumulates onto PSUM that memset #3 \(vector\) overwrote after the accumulation group started/,
  },
  {
    name: 'gatherOutOfRange',
    code: 'TK0510',
    inputs: [f32(6, 8), { shape: [4, 1], dtype: 'int32' }],
    data: () => [hostArray([6, 8], 'float32'), i32([4, 1], [0, 1, 6, 2])],
    message: /index 6 in partition 2 of the index tile is out of bounds for the 6 rows of the indexed source/,
  },
  {
    name: 'scatterOutOfRange',
    code: 'TK0510',
    inputs: [f32(6, 8), { shape: [4, 1], dtype: 'int32' }, f32(4, 8)],
    data: () => [hostArray([6, 8], 'float32'), i32([4, 1], [0, 7, 1, 2]), hostArray([4, 8], 'float32')],
    message:
      /index 7 in partition 1 of the index tile is out of bounds for the 6 rows of the indexed destination/,
  },
  {
    name: 'deadlockWhenMisordered',
    code: 'TK0601',
    inputs: [f32(128, 64)],
    tamper: waitForLater,
    message: /activation #1 on scalar waits for dma\d+ to complete 1 instructions, which can never happen/,
  },
  // Limits.
  {
    name: 'runawayLoop',
    code: 'TK0415',
    inputs: [f32(128, 64)],
    message: /kernel '\w+' records more than 100 instructions \(limits\.maxInstructions\)/,
  },
  {
    name: 'bigOutput',
    code: 'TK0416',
    message:
      /needs 4\.00 GiB of simulated memory, over the memory budget of 2\.00 GiB \(maxMemoryBytes\); the largest HBM tensor is 'out' \[1048576,1024\] float32/,
  },
  // Trace and compile errors in context.
  {
    name: 'sameRowsEveryIteration',
    code: 'TK0413',
    inputs: [f32(256, 64)],
    message: /iterations 0 and 1 of an affine loop both write 'out' at the same elements/,
  },
  {
    name: 'compareTile',
    code: 'TK0401',
    inputs: [f32(128, 64)],
    message: /has no value while the kernel is traced/,
  },
  { name: 'rowsPastEnd', code: 'TK0301', inputs: [f32(256, 64)], message: /out of bounds/ },
  {
    name: 'transposedWrongWay',
    code: 'TK0203',
    inputs: [f32(128, 128), f32(64, 512)],
    message: /stationary K=128, moving K=64/,
  },
  { name: 'mixedPartitions', code: 'TK0202', inputs: [f32(128, 64), f32(64, 64)], message: /partition/ },
  { name: 'integerMatmul', code: 'TK0206', inputs: [f32(128, 64), f32(128, 512)], message: /int8/ },
  { name: 'psumOnGpsimd', code: 'TK0208', inputs: [f32(128, 64), f32(128, 512)], message: /gpsimd|GpSimd/ },
  { name: 'wholeTensorTile', code: 'TK0101', inputs: [f32(256, 64)], message: /partition dimension 256/ },
  { name: 'wideAccumulator', code: 'TK0104', message: /a PSUM tile must fit one 2048-byte bank/ },
  { name: 'storeIntoInput', code: 'TK0403', inputs: [f32(128, 64)], message: /cannot write to input 'a'/ },
  { name: 'outputInLoop', code: 'TK0404', inputs: [f32(256, 64)], message: /outside loops/ },
  { name: 'returnsTile', code: 'TK0405', inputs: [f32(128, 64)], message: /returns '\w+' in sbuf/ },
  {
    name: 'neverStored',
    code: 'TK0407',
    inputs: [f32(128, 64)],
    message: /output 'out' is returned but never written/,
  },
  {
    name: 'gridAxis',
    code: 'TK0408',
    inputs: [f32(256, 64)],
    message: /programId\(1\): the launch grid has 1 axes/,
  },
  { name: 'zeroStep', code: 'TK0411', inputs: [f32(256, 64)], message: /loop step cannot be 0/ },
  { name: 'tooManyTiles', code: 'TK0501', inputs: [f32(128, 64)], message: /SBUF capacity exceeded: 'last'/ },
  {
    name: 'tooManyAccumulators',
    code: 'TK0502',
    inputs: [f32(128, 128), f32(128, 512)],
    message: /PSUM capacity exceeded/,
  },
  { name: 'reshapeAcrossPartitions', code: 'TK0304', inputs: [f32(128, 64)], message: /reshape|partition/ },
  {
    name: 'oddPartitionStart',
    code: 'TK0103',
    inputs: [f32(128, 64)],
    message: /spans 64 partitions starting at partition 16/,
  },
];

/** Trace, compile (and edit), simulate: the first diagnostic with the case's code, else the first one. */
function diagnose(c: Case): KernelError {
  const k = KERNELS[c.name] as Kernel;
  try {
    const inputs = c.inputs ?? [];
    let program = compile(k.trace(inputs), trn1);
    if (c.tamper) program = c.tamper(program);
    const data = c.data?.() ?? randomInputs(inputs, 1);
    const r = simulate(program, data, { print: () => {} });
    const d = r.diagnostics.find((x) => x.code === c.code) ?? r.diagnostics[0];
    if (d) return d;
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error(`${c.name}: no diagnostic`);
}

describe('diagnostics point at the kernel line that causes them', () => {
  it.each(CASES.map((c, i) => [`${c.code} ${c.name}${c.tamper ? ` (${i})` : ''}`, c] as const))(
    '%s',
    (_, c) => {
      const e = diagnose(c);
      const line = markerLine(c.name, c.code, c.at);
      expect(e.code).toBe(c.code);
      expect(e.loc?.file.endsWith('tests/fixtures/located-kernels.ts')).toBe(true);
      expect(e.loc?.line).toBe(line);
      expect(e.detail).toMatch(c.message);
      const text = e.format();
      expect(text.split('\n')[0]).toMatch(new RegExp(`located-kernels\\.ts:${line}:\\d+  ${c.code} `));
      expect(text).toContain(`${line} | ${SOURCE[line - 1]}`);
      const caret = text.split('\n')[2];
      expect(caret).toMatch(/^\s+\| +\^$/);
      // The caret sits under the column the location names.
      expect(caret.indexOf('^') - caret.indexOf('|') - 2).toBe(e.loc!.column - 1);
      expect(text).not.toMatch(INTERNAL);
      const json = JSON.parse(JSON.stringify(e));
      expect(json).toMatchObject({ code: c.code, line, column: e.loc!.column });
      expect(json.file).toMatch(/located-kernels\.ts$/);
    },
  );

  it('covers each simulator check and limit', () => {
    const codes = new Set(CASES.map((c) => c.code));
    for (const code of [
      'TK0603',
      'TK0604',
      'TK0605',
      'TK0606',
      'TK0607',
      'TK0608',
      'TK0510',
      'TK0601',
      'TK0415',
      'TK0416',
    ])
      expect(codes.has(code as ErrorCode), code).toBe(true);
    expect(new Set(CASES.map((c) => `${c.code} ${c.name} ${c.at ?? ''} ${c.message}`)).size).toBe(
      CASES.length,
    );
  });

  it('notes point at the related lines', () => {
    const groups = diagnose(CASES.find((c) => c.code === 'TK0606')!);
    expect(groups.notes.map((n) => n.loc?.line)).toEqual([
      markerLine('interleavedGroups', 'TK0606'),
      markerLine('interleavedGroups', 'TK0606', 'dst: right'),
    ]);
    const unwritten = diagnose(CASES[0]);
    expect(unwritten.notes[0]).toMatchObject({
      message: "'bias' was created here",
      loc: { line: markerLine('readsUnwritten', 'TK0603', "name: 'bias'") },
    });
    const race = diagnose(CASES.find((c) => c.code === 'TK0604')!);
    expect(race.notes[0].loc?.line).toBe(markerLine('raceWhenUnordered', 'TK0604', 'nl.load(a)'));
    const loop = diagnose(CASES.find((c) => c.code === 'TK0415')!);
    expect(loop.notes[0]).toMatchObject({ message: 'inside this sequential loop' });
  });
});

describe('no false alarms', () => {
  it('every library kernel simulates with no diagnostic', () => {
    const size = (s: Readonly<Record<string, number>>) => Object.values(s).reduce((a, b) => a * b, 1);
    for (const lk of LIBRARY) {
      const shape = [...lk.testShapes].sort((a, b) => size(a) - size(b))[0] ?? lk.defaultShape;
      const { kernel, inputs } = lk.build(shape, lk.dtypes[0]);
      const r = simulate(compile(kernel.trace(inputs), trn1), randomInputs(inputs, 1), { print: () => {} });
      expect(
        r.diagnostics.map((d) => d.format()),
        lk.name,
      ).toEqual([]);
    }
  });
});

describe('simulator check options', () => {
  const halfWritten = () => compile(fx.halfWritten.trace([f32(128, 64)]), trn1);
  const data = randomInputs([f32(128, 64)], 0);

  it("'error' throws the first diagnostic, 'off' runs no checks, skip turns one off", () => {
    expect(() => simulate(halfWritten(), data, { checks: 'error' })).toThrow(/TK0607/);
    expect(simulate(halfWritten(), data, { checks: 'off' }).diagnostics).toEqual([]);
    expect(simulate(halfWritten(), data, { checks: { skip: ['outputs'] } }).diagnostics).toEqual([]);
    expect(simulate(halfWritten(), data).diagnostics.map((d) => d.code)).toEqual(['TK0607']);
  });

  it('checks do not change values: outputs are the same with and without them', () => {
    const p = compile(fx.readsUnwritten.trace([f32(128, 64)]), trn1);
    const on = simulate(p, data);
    const off = simulate(p, data, { checks: 'off' });
    expect(on.diagnostics.map((d) => d.code)).toEqual(['TK0603']);
    expect(on.outputBytes).toEqual(off.outputBytes);
  });
});

describe('limits are configurable', () => {
  afterEach(() => {
    setDefaultLimits(DEFAULT_LIMITS);
  });

  it('the instruction limit: per kernel and for the process', () => {
    expect(() => fx.sameRowsEveryIteration.trace([f32(256, 64)])).toThrow(/TK0413/);
    setDefaultLimits({ maxInstructions: 3 });
    expect(() => fx.halfWritten.trace([f32(128, 64)])).not.toThrow();
    expect(() => fx.readsUnwritten.trace([f32(128, 64)])).toThrow(/TK0415 .* more than 3 instructions/);
    setDefaultLimits(DEFAULT_LIMITS);
    expect(() => fx.readsUnwritten.trace([f32(128, 64)])).not.toThrow();
  });

  it('the memory budget: per simulation and for the process', () => {
    const p = compile(fx.halfWritten.trace([f32(128, 64)]), trn1);
    const data = randomInputs([f32(128, 64)], 0);
    expect(() => simulate(p, data, { maxMemoryBytes: 1000 })).toThrow(
      /TK0416 .* over the memory budget of 1000 bytes/,
    );
    setDefaultLimits({ maxMemoryBytes: 1000 });
    expect(() => simulate(p, data)).toThrow(/TK0416/);
    expect(() => simulate(p, data, { maxMemoryBytes: 1 << 30 })).not.toThrow();
  });

  it('rejects limits that are not positive integers', () => {
    expect(() => setDefaultLimits({ maxInstructions: 0 })).toThrow(
      /TK0415 limits.maxInstructions must be a positive integer/,
    );
    expect(() => setDefaultLimits({ maxMemoryBytes: 1.5 })).toThrow(/TK0416/);
  });
});
