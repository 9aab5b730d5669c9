import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPS } from '../index.ts';
import { errorCatalogue, errorCatalogueJSON, formatErrorCatalogue } from './errors.ts';
import { formatOpsTable, opCoverage, opsTable, opsTableJSON } from './ops.ts';

describe('tilekit ops', () => {
  it('counts a test per registry-driven case and per test block that names the op, with the dtypes they mention', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tk-ops-'));
    const file = join(dir, 'x.test.ts');
    writeFileSync(
      file,
      [
        "const CASES = [{ op: 'dmaCopy', dtype: 'bfloat16' }, { op: 'memset', x: nl.int8 }, { op: 'notAnOp' }];",
        "it('a', () => { nisa.dmaTranspose(x, { dtype: 'float16' }); nisa.dmaTranspose(y); });",
        "it.skip('skipped', () => { nisa.iota(); });",
        "test.each([1])('b', () => { expect(e.op).toBe('devicePrint'); });",
        'function helper() { nisa.iota(); }',
      ].join('\n'),
    );
    const cov = opCoverage([file], dir);
    const summary = Object.fromEntries([...cov].map(([op, c]) => [op, [c.tests, [...c.dtypes].sort()]]));
    expect(summary).toEqual({
      dmaCopy: [1, ['bfloat16']],
      memset: [1, ['int8']],
      dmaTranspose: [1, ['float16']],
      devicePrint: [1, []],
    });
  });

  it('lists every registry op with engines and status; text and JSON agree', () => {
    const rows = opsTable();
    expect(rows.map((r) => r.op)).toEqual(Object.keys(OPS));
    expect(rows.every((r) => r.status === 'implemented' && r.engines.length > 0)).toBe(true);
    const dma = rows.find((r) => r.op === 'dmaTranspose')!;
    expect(dma.tests).toBeGreaterThan(0);
    expect(dma.testFiles).toContain('tests/nl-memory.test.ts');
    expect(JSON.parse(opsTableJSON(rows)).ops).toHaveLength(rows.length);
    const text = formatOpsTable(rows);
    expect(text.split('\n')[0].split(/ {2,}/)).toEqual(['op', 'engines', 'status', 'tests', 'dtypes tested']);
    expect(text).toMatch(/^dmaTranspose +dma +implemented +\d+ /m);
  });
});

describe('tilekit errors', () => {
  it('renders each code with its example line marked, and JSON with the same entries', () => {
    const cat = errorCatalogue();
    const text = formatErrorCatalogue(cat);
    expect(text).toMatch(
      /^TK0413 {2}trace {5}affine loop iterations write the same location {2}\(NKI err_unexpected_output_dependencies\)\n {4}tests\/fixtures\/error-kernels\.ts:\d+\n(?: {6}.*\n)* {4}> +nl\.store\(out, nl\.exp\(nl\.load\(a\)\)\);\n/m,
    );
    expect(text).toMatch(/\d+ codes, \d+ with a tested example/);
    expect(JSON.parse(errorCatalogueJSON(cat)).codes).toEqual(JSON.parse(JSON.stringify(cat)));
  });
});
