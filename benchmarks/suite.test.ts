/** The `npm run bench` suite: its cases, its Markdown, and the committed results the README links. */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readme } from '../cli/test-helpers.ts';
import { LIBRARY } from '../kernels/index.ts';
import type { LibraryKernel } from '../kernels/library.ts';
import {
  benchDType,
  benchShape,
  type SuiteFile,
  type SuiteResult,
  suiteCases,
  suiteMarkdown,
} from './suite.ts';

const RESULTS = new URL('./results/', import.meta.url);

const fake = (over: Partial<LibraryKernel>): LibraryKernel =>
  ({
    ...LIBRARY[0],
    name: 'fake',
    shapeParams: ['rows', 'cols'],
    defaultShape: { rows: 1, cols: 2 },
    ...over,
  }) as LibraryKernel;

const row = (kernel: string, chip: string, efficiency: number): SuiteResult => ({
  kernel,
  chip,
  shape: { rows: 4096, cols: 8192 },
  dtype: 'bfloat16',
  latencyNs: 1e6,
  flops: 2e9,
  hbmBytes: 1e8,
  active: { tensor: 0.5, vector: 0.25, scalar: 0, gpsimd: 0, dma: 0.75 },
  roofline: { boundNs: efficiency * 1e6, efficiency, limitedBy: 'hbm' },
  instructions: 10,
  tensorPeakFraction: 0.1,
  hbmRoofFraction: efficiency,
});

describe('bench suite', () => {
  test('realistic shapes: only the parameters a kernel declares, over its defaults; bf16 when it has it', () => {
    expect(benchShape(fake({ name: 'softmax' }))).toEqual({ rows: 4096, cols: 8192 });
    expect(benchShape(fake({ name: 'unlisted' }))).toEqual({ rows: 1, cols: 2 });
    const mm = fake({
      name: 'matmul-tiled',
      shapeParams: ['M', 'K', 'N'],
      defaultShape: { M: 1, K: 2, N: 3 },
    });
    expect(benchShape(mm)).toEqual({ M: 4096, K: 8192, N: 8192 });
    expect(benchDType(fake({ dtypes: ['float32', 'bfloat16'] }))).toBe('bfloat16');
    expect(benchDType(fake({ dtypes: ['float32'] }))).toBe('float32');
  });

  test('every library kernel on trn1 and trn2', () => {
    const cases = suiteCases(LIBRARY);
    expect(cases).toHaveLength(2 * LIBRARY.length);
    expect(new Set(cases.map((c) => `${c.kernel} ${c.chip}`)).size).toBe(cases.length);
    for (const c of cases)
      expect(Object.keys(c.shape).sort()).toEqual(
        [...LIBRARY.find((l) => l.name === c.kernel)!.shapeParams].sort(),
      );
  });

  test('the Markdown: a table per chip, efficiency in bold, errors in their row', () => {
    const file: SuiteFile = {
      description: 'd',
      command: 'npm run bench',
      results: [
        row('add', 'trn1', 0.8),
        row('add', 'trn2', 0.5),
        { kernel: 'bad', chip: 'trn2', shape: { rows: 1 }, dtype: 'float32', error: 'a | b\nmore' },
      ],
    };
    const md = suiteMarkdown(file);
    expect(md).toMatch(/^# Roofline benchmarks$/m);
    expect(md.match(/^## trn\d$/gm)).toEqual(['## trn1', '## trn2']);
    expect(md).toContain(
      '| add | rows=4096 cols=8192 | bfloat16 | 1.000 ms | 50.0% | 25.0% | 0.0% | 75.0% | 2 GFLOP | 100 MB | 20 | 800.000 µs | **80.0%** | HBM | 10.0% | 80.0% |',
    );
    expect(md).toContain('| bad | rows=1 | float32 | error: a \\| b |');
  });

  test.skipIf(!existsSync(new URL('latest.json', RESULTS)))(
    'the committed results: latest.md renders latest.json; the README links it',
    () => {
      const file = JSON.parse(readFileSync(new URL('latest.json', RESULTS), 'utf8')) as SuiteFile;
      expect(readFileSync(new URL('latest.md', RESULTS), 'utf8')).toBe(suiteMarkdown(file));
      expect(readme()).toContain('(benchmarks/results/latest.md)');
    },
  );
});
