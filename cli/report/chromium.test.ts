/**
 * The report rendered by a real browser: Debian's `chromium` (CI installs it, see .ci/run), driven headless by
 * playwright-core. Checks the timeline, the roofline chart and the source view are laid out and visible, that the page
 * asks for nothing but itself, and keeps a screenshot (TILEKIT_REPORT_SCREENSHOT=path.png to choose where).
 * Skipped, with the reason printed, where Chromium is absent.
 */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { benchCase } from '../bench.ts';
import { resolveTarget } from '../bench-target.ts';
import { reportHtml } from './page.ts';

const CHROMIUM = process.env.TILEKIT_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const reason = `${CHROMIUM} not found (apt-get install -y chromium, or set TILEKIT_CHROMIUM)`;
if (!available) console.warn(`skipping the headless Chromium report test: ${reason}`);

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const dir = mkdtempSync(join(tmpdir(), 'tilekit-chromium-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.skipIf(!available)(
  `the report renders in headless Chromium: timeline, roofline chart and source view${available ? '' : ` (skipped: ${reason})`}`,
  async () => {
    const target = await resolveTarget('matmul-tiled');
    const run = benchCase(target, {
      shape: target.defaultShape,
      dtype: 'bfloat16',
      meta: {},
      chip: 'trn1',
      sets: [],
    });
    const file = join(dir, 'report.html');
    writeFileSync(file, await reportHtml(run));
    const url = pathToFileURL(file).href;

    const { chromium } = await import('playwright-core');
    // A fresh profile each run; launchPersistentContext is how playwright takes --user-data-dir.
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1300, height: 900 },
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(url, { waitUntil: 'load' });

      const count = (sel: string) => page.locator(sel).count();
      const box = async (sel: string) => (await page.locator(sel).boundingBox()) ?? { width: 0, height: 0 };
      const text = async (sel: string) => (await page.locator(sel).textContent()) ?? '';
      expect(await count('svg')).toBe(2);
      const timeline = await box('#timeline-svg');
      expect(timeline.width).toBeGreaterThan(800);
      expect(timeline.height).toBeGreaterThan(100);
      expect(await count('#timeline-svg .timeline-row')).toBeGreaterThan(4);
      const instrs = await count('#timeline-svg rect.instr');
      expect(instrs).toBe(run.timeline.entries.length + run.timeline.dma.length);
      expect(await count('#timeline-svg rect.instr > title')).toBe(instrs);
      const roofline = await box('#roofline-svg');
      expect(roofline.width).toBeGreaterThan(400);
      expect(roofline.height).toBeGreaterThan(250);
      expect(await count('#roofline-svg path, #roofline-svg line')).toBeGreaterThan(10);
      expect(await text('#roofline-svg')).toContain('TensorE fp8/bf16');
      expect(await count('#source-table tr')).toBeGreaterThan(10);
      expect(await text('#source-table')).toContain('nisa.ncMatmul(a, b');
      expect((await box('#source-table')).height).toBeGreaterThan(100);
      // Hovering an instruction shows its title: the browser sees op, source line, start and end.
      const title = await page.locator('#timeline-svg rect.instr > title').first().textContent();
      expect(title).toMatch(/^#\d+ \w+ on \w+\n\S+:\d+:\d+\nstart .+, end /);
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);

      const shot = process.env.TILEKIT_REPORT_SCREENSHOT ?? join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
    } finally {
      await context.close();
    }
  },
);
