/**
 * `tilekit check`: static diagnostics (TK10xx) on tests/fixtures/static-check-kernels.ts pin code, file, line and excerpt;
 * clean kernels, including the library's, give none; the command prints them as text or JSON on every path.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkKernelSource, formatCheckResults } from '../cli/check.ts';
import { REPO, removeTempDirs, tempFiles, tilekit } from '../cli/test-helpers.ts';
import type { ErrorCode } from '../index.ts';

afterAll(removeTempDirs);

const FIXTURE = fileURLToPath(new URL('./fixtures/static-check-kernels.ts', import.meta.url));
const SOURCE = readFileSync(FIXTURE, 'utf8').split('\n');
const marker = (code: string) => SOURCE.findIndex((l) => l.includes(`// @${code}`)) + 1;

const EXPECTED: readonly [ErrorCode, RegExp][] = [
  ['TK1001', /the branch on 's > 0' depends on the data of tile 's'/],
  ['TK1002', /'m' is a tile used as a condition: a tile object is always truthy/],
  ['TK1003', /'spare' is allocated in shared HBM \(an output\) but the kernel never returns it/],
  ['TK1004', /every iteration of this affineRange writes the same region 'out'/],
  ['TK1005', /Math\.exp is applied to tile 'x'.*use nl\.exp/],
  ['TK1006', /'y' is loaded but never used/],
  ['TK1007', /'x \* 2' applies the JavaScript operator '\*' to tile 'x'/],
];

describe('tilekit check: static diagnostics', () => {
  const result = checkKernelSource(FIXTURE);

  it.each(EXPECTED)('%s points at its line with an excerpt', (code, message) => {
    const found = result.diagnostics.filter((d) => d.code === code);
    expect(found).toHaveLength(1);
    const [d] = found;
    const line = marker(code);
    expect(d.loc?.file.endsWith('tests/fixtures/static-check-kernels.ts')).toBe(true);
    expect(d.loc?.line).toBe(line);
    expect(d.detail).toMatch(message);
    const text = d.format();
    expect(text).toContain(`${line} | ${SOURCE[line - 1]}`);
    expect(text.split('\n')[2]).toMatch(/^\s+\| +\^$/);
    expect(JSON.parse(JSON.stringify(d))).toMatchObject({ code, line, column: d.loc!.column });
  });

  it('finds exactly the marked problems; the clean kernel has none', () => {
    expect(result.kernels).toBe(8);
    expect(result.diagnostics.map((d) => d.code).sort()).toEqual(EXPECTED.map(([c]) => c));
  });

  it('notes point at the tile or the loop involved', () => {
    const truthy = result.diagnostics.find((d) => d.code === 'TK1002')!;
    expect(truthy.notes[0]).toMatchObject({
      message: "'m' is a tile made here",
      loc: { line: marker('TK1002') - 1 },
    });
    const affine = result.diagnostics.find((d) => d.code === 'TK1004')!;
    expect(affine.notes[0].message).toBe('the affine loop');
    expect(SOURCE[affine.notes[0].loc!.line - 1]).toContain('nl.affineRange(4)');
  });

  it('library kernels pass', () => {
    for (const f of ['add', 'softmax', 'matmul', 'matmul-ladder']) {
      const r = checkKernelSource(`${REPO}kernels/${f}.ts`);
      expect(
        r.diagnostics.map((d) => d.format()),
        f,
      ).toEqual([]);
    }
  });
});

describe('diagnostics from the command line', () => {
  it('check: text and JSON, exit 1 when something is found, 0 when clean', async () => {
    const text = formatCheckResults([checkKernelSource(FIXTURE)]);
    expect(text).toMatch(/static-check-kernels\.ts:\d+:\d+ {2}TK1002 /);
    expect(text).toContain('7 problems');
    const json = await tilekit(['check', FIXTURE, '--json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.diagnostics.map((d: { code: string }) => d.code).sort()).toEqual(EXPECTED.map(([c]) => c));
    expect(parsed.diagnostics[0]).toMatchObject({ file: expect.stringMatching(/static-check-kernels\.ts$/) });
    const clean = await tilekit(['check', `${REPO}kernels/add.ts`]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('no problems found');
  });

  it('run: simulator diagnostics with the line, as text and as JSON', async () => {
    const dir = tempFiles({
      'half.ts': `import { kernel, nl, type Tensor } from 'tilekit';

export const half = kernel((a: Tensor) => {
  const out = nl.ndarray([256, 64], a.dtype, { buffer: nl.sharedHbm });
  nl.store(out.get([0, 128], ':'), nl.exp(nl.load(a)));
  return out;
});
export const inputs = [{ shape: [128, 64], dtype: 'float32' }];
`,
    });
    const text = await tilekit(['run', 'half.ts'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('1 simulator diagnostic');
    expect(text.stdout).toMatch(
      /half\.ts:4:\d+ {2}TK0607 output 'out' \[256,64\] float32 is not fully written/,
    );
    expect(text.stdout).toContain(
      '4 |   const out = nl.ndarray([256, 64], a.dtype, { buffer: nl.sharedHbm });',
    );
    const json = await tilekit(['run', 'half.ts', '--json'], { cwd: dir });
    const report = JSON.parse(json.stdout);
    expect(report.diagnostics).toEqual([
      expect.objectContaining({ code: 'TK0607', file: 'half.ts', line: 4 }),
    ]);
  });

  it('errors are JSON with --json (ir); check reports a missing file as TK0701', async () => {
    const ir = await tilekit(['ir', 'no-such-file.ts', '--json']);
    expect(ir.code).toBe(2);
    expect(JSON.parse(ir.stdout).error).toMatchObject({ code: 'TK0701' });
    expect(() => checkKernelSource('no-such-file.ts')).toThrow(
      /TK0701 cannot check no-such-file\.ts: no such file/,
    );
  });

  it('no internal frame in any diagnostic of a failing kernel file', async () => {
    const dir = tempFiles({
      'bad.ts': `import { kernel, nl, type Tensor } from 'tilekit';

export const bad = kernel((a: Tensor) => {
  const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm });
  nl.store(out, nl.exp(nl.load(a.get([0, 500], ':'))));
  return out;
});
export const inputs = [{ shape: [128, 64], dtype: 'float32' }];
`,
    });
    const r = await tilekit(['run', 'bad.ts'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^bad\.ts:5:\d+ {2}TK0301 /);
    expect(r.stderr).toContain("5 |   nl.store(out, nl.exp(nl.load(a.get([0, 500], ':'))));");
    expect(r.stderr).not.toMatch(/(dsl|tracer|codegen|ir|simulator|cli)\/[\w/-]+\.ts/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
