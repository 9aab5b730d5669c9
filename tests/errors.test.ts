import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, getChip, type Kernel, KernelError, type TensorSpec } from '../index.ts';
import * as bad from './fixtures/bad-kernels.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/bad-kernels.ts', import.meta.url));
const SOURCE = readFileSync(FIXTURE, 'utf8').split('\n');

function markerLine(code: string): number {
  const i = SOURCE.findIndex((l) => l.includes(`// @${code}`));
  if (i < 0) throw new Error(`no marker for ${code}`);
  return i + 1;
}

const tile = (shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });

/** Trace, then compile (capacity errors are found by the allocator). */
function diagnose(k: Kernel, inputs: TensorSpec[]): KernelError {
  try {
    compile(k.trace(inputs), getChip('trn1'));
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a KernelError');
}

const CASES: [string, Kernel, TensorSpec[], RegExp][] = [
  [
    'TK0101',
    bad.partition256,
    [tile([128, 64])],
    /partition dimension 256 exceeds the architecture limit of 128/,
  ],
  ['TK0104', bad.psumTooWide, [], /4096 bytes per partition; a PSUM tile must fit one 2048-byte bank/],
  ['TK0203', bad.contractionMismatch, [tile([128, 128]), tile([64, 512])], /stationary K=128, moving K=64/],
  ['TK0501', bad.sbufOverflow, [tile([128, 512])], /SBUF capacity exceeded: 'bigger'/],
  ['TK0401', bad.ifOnTile, [tile([128, 512])], /has no value while the kernel is traced/],
  ['TK0403', bad.storeToInput, [tile([128, 512])], /cannot write to input 'a': it is not declared mutable/],
];

describe('located diagnostics', () => {
  it.each(CASES)('%s points at the user line', (code, k, inputs, message) => {
    const e = diagnose(k, inputs);
    expect(e.code).toBe(code);
    expect(e.loc?.file.endsWith('tests/fixtures/bad-kernels.ts')).toBe(true);
    expect(e.loc?.line).toBe(markerLine(code));
    expect(e.detail).toMatch(message);
    const text = e.format();
    expect(text).toContain(`bad-kernels.ts:${markerLine(code)}:`);
    expect(text).toContain(`${markerLine(code)} | ${SOURCE[markerLine(code) - 1]}`);
    expect(text).toMatch(/\n\s+\| +\^/);
    expect(text).not.toMatch(/(dsl|tracer|codegen|ir)\/\w+\.ts/);
  });

  it('SBUF capacity errors name the live tiles with their lines', () => {
    const e = diagnose(bad.sbufOverflow, [tile([128, 512])]);
    expect(e.notes.some((n) => n.message.includes("'big'") && n.loc?.line === markerLine('TK0501') - 2)).toBe(
      true,
    );
  });

  it('a traced value in a condition notes where the tile was made', () => {
    const e = diagnose(bad.ifOnTile, [tile([128, 512])]);
    expect(e.notes[0].loc?.line).toBe(SOURCE.findIndex((l) => l.includes('const m = nl.max(x, 1)')) + 1);
  });

  it('diagnostics serialise as data', () => {
    const e = diagnose(bad.contractionMismatch, [tile([128, 128]), tile([64, 512])]);
    const json = JSON.parse(JSON.stringify(e));
    expect(json).toMatchObject({ code: 'TK0203', line: markerLine('TK0203') });
    expect(json.file).toMatch(/bad-kernels\.ts$/);
  });
});
