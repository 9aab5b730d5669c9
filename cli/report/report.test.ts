/** `tilekit report`: the HTML holds the timeline, the roofline SVG and the source view; user text is escaped. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BenchRun, benchCase } from '../bench.ts';
import { resolveTarget } from '../bench-target.ts';
import { removeTempDirs, tempFiles, tilekit } from '../test-helpers.ts';
import { esc } from './html.ts';
import { reportHtml } from './page.ts';
import { rooflineSvg } from './roofline-chart.ts';
import { kernelFunctionRange } from './source-view.ts';
import { timelineSvg } from './timeline-svg.ts';

afterAll(removeTempDirs);

/** A kernel file whose names, comments and strings try to inject markup. */
const EVIL = `import { kernel, nl, type Tensor } from 'tilekit';

export const evil = kernel((a: Tensor) => {
  // </td></tr></table><script>alert("pwned")</script>
  const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm, name: '<img src=x onerror=alert(1)>' });
  const t = nl.load(a, { name: '"><svg onload=alert(2)>' }); /* <b>bold</b> & 'quotes' */
  nl.store(out, nl.multiply(t, 3));
  return out;
});
export const inputs = [{ shape: [128, 512], dtype: 'float32' }];
`;

let run: BenchRun;
let html: string;

beforeAll(async () => {
  const target = await resolveTarget('matmul-tiled');
  run = benchCase(target, {
    shape: target.defaultShape,
    dtype: 'bfloat16',
    meta: {},
    chip: 'trn1',
    sets: [],
  });
  html = await reportHtml(run);
});

const count = (text: string, re: RegExp) => [...text.matchAll(re)].length;

describe('report HTML', () => {
  test('one self-contained page: no script, nothing loaded from anywhere, a CSP that forbids loading', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/url\(|@import|<link|<iframe|<img/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  test('the engine timeline: a row per engine queue, DMA queue and DMA engine; a rect per instruction with a title', () => {
    const svg = /<svg id="timeline-svg"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).not.toBe('');
    const queues = new Set(run.timeline.entries.map((e) => e.queue));
    const dmaEngines = new Set(run.timeline.dma.map((s) => s.engine));
    expect(count(svg, /class="timeline-row"/g)).toBe(queues.size + dmaEngines.size);
    expect(svg).toMatch(/>tensor</);
    expect(svg).toMatch(/>DMA queue 0</);
    expect(svg).toMatch(/>DMA engine 0</);
    // 32 instructions and their DMA slices, each wide enough at this size to get a rect of its own.
    expect(count(svg, /<rect class="instr"/g)).toBe(run.timeline.entries.length + run.timeline.dma.length);
    expect(svg).toMatch(
      /<title>#\d+ ncMatmul on tensor\nkernels\/matmul\.ts:\d+:\d+\nstart [\d.]+ [nµm]?s, end /,
    );
  });

  test('the roofline chart: an SVG rendered by vega with the roofs and the kernel point', () => {
    const svg = /<svg id="roofline-svg"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('class="marks"');
    expect(svg).toContain('TensorE fp8/bf16 (91.75 TFLOP/s)');
    expect(svg).toContain('TensorE fp32 (22.94 TFLOP/s)');
    expect(svg).toContain('arithmetic intensity (FLOP per HBM byte)');
    expect(svg).toMatch(/matmul-tiled: [\d.]+% of bound/);
  });

  test('the idle gaps per engine and the source view with per-line shares', () => {
    expect(html).toMatch(/<h3>TensorE: idle [\d.]+ [nµm]?s \([\d.]+%\)<\/h3>/);
    expect(html).toMatch(/waiting for dmaCopy into &#39;load&#39;/);
    const table = /<table class="source grid" id="source-table">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    // The kernel function, from `kernel(function matmulTiled(...` to its closing line.
    expect(table).toMatch(/<td class="code">export const matmulTiledKernel = kernel\(function matmulTiled/);
    const matmulLine = /<tr><td class="ln">\d+<\/td>(.*?)<td class="code">\s*nisa\.ncMatmul\(a, b/.exec(
      table,
    );
    expect(matmulLine?.[1]).toContain('100.0%'); // every TensorE instruction comes from this line
    const dmaShares = [...table.matchAll(/rgba\(225,87,89,[\d.]+\)" title="[^"]+">([\d.]+)%/g)].map((m) =>
      Number(m[1]),
    );
    expect(dmaShares.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
  });
});

describe('report parts', () => {
  test('esc escapes the five HTML specials', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('the roofline chart escapes the kernel label (vega writes the SVG text)', async () => {
    const svg = await rooflineSvg(run.chip, [{ label: '<b>x</b> & "q"', roofline: run.roofline }]);
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;x&lt;/b&gt; &amp; "q": ');
  });

  test('the kernel function: the argument of the kernel(...) call at the kernel location, else the smallest holding every costed line', async () => {
    const text = [
      "import { kernel } from 'tilekit';", // 1
      'const helper = (x: number) => x + 1;', // 2
      'export const k = kernel(', // 3
      '  function body(a) {', // 4
      '    return helper(a);', // 5
      '  },', // 6
      ');', // 7
      'function other() {', // 8
      '  return 1;', // 9
      '}', // 10
    ].join('\n');
    expect(await kernelFunctionRange(text, { file: 'k.ts', line: 3, column: 18 }, [5])).toEqual([4, 6]);
    expect(await kernelFunctionRange(text, undefined, [9])).toEqual([8, 10]);
    expect(await kernelFunctionRange(text, undefined, [5, 9])).toEqual([5, 9]);
  });

  test('instructions narrower than a pixel merge into one rect that counts them', async () => {
    const narrow = timelineSvg(run.timeline, { width: 20 });
    const rects = count(narrow, /<rect class="instr"/g);
    expect(rects).toBeLessThan(run.timeline.entries.length + run.timeline.dma.length);
    expect(narrow).toMatch(/<title>\d+ instructions: \d+ dmaCopy/);
  });
});

describe('tilekit report (subprocess)', () => {
  test('writes the file; everything from user code is escaped', async () => {
    const dir = tempFiles({ 'evil.ts': EVIL });
    const r = await tilekit(['report', 'evil.ts', '-o', 'out.html'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^wrote out\.html \(\d+ KiB\): evil on trn1: [\d.]+ [nµm]?s, [\d.]+% of the roofline bound\n$/,
    );
    const page = readFileSync(join(dir, 'out.html'), 'utf8');
    expect(page).not.toMatch(/<script|<img|<svg onload|<b>/i);
    expect(page).toContain(
      '// &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;',
    );
    expect(page).toContain('/* &lt;b&gt;bold&lt;/b&gt; &amp; &#39;quotes&#39; */');
    // Buffer names reach the idle causes and the timeline's titles.
    expect(page).toContain('&#39;&lt;img src=x onerror=alert(1)&gt;&#39;');
    expect(page).toContain('&quot;&gt;&lt;svg onload=alert(2)&gt;');
    expect(count(page, /<svg /g)).toBe(2);
    expect(page).toMatch(/<td class="code">export const evil = kernel\(\(a: Tensor\) =&gt; \{<\/td>/);
  });
});
