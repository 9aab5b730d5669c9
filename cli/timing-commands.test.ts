import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationJSON, formatCalibration } from './calibrate.ts';
import { chipRows, formatChip } from './chip.ts';
import { resolveChip } from './chip-options.ts';
import { parseShapeArg } from './shape-arg.ts';
import { chromeTraceOf, timeTarget } from './trace.ts';

describe('what-if chips from the command line', () => {
  it('applies --set overrides and a --chip-config file, and names bad keys', () => {
    const chip = resolveChip({ chip: 'trn1', set: ['dma.engines=8', 'sbuf.bytesPerPartition=262144'] });
    expect([chip.dma.engines, chip.sbuf.bytesPerPartition]).toEqual([8, 262144]);
    const dir = mkdtempSync(join(tmpdir(), 'tilekit-chip-'));
    const file = join(dir, 'chip.json');
    writeFileSync(file, JSON.stringify({ base: 'trn2', set: { 'tensor.clockGHz': 3 } }));
    expect(resolveChip({ chip: 'trn1', chipConfig: file }).tensor.clockGHz).toBe(3);
    expect(() => resolveChip({ chip: 'trn1', set: ['dma.engins=8'] })).toThrow(/dma\.engines/);
    expect(() => resolveChip({ chip: 'trn1', set: ['dma.engines=0'] })).toThrow(
      expect.objectContaining({ code: 'TK0903' }),
    );
  });

  it('prints every config value with its source', () => {
    const rows = chipRows(resolveChip({ chip: 'trn1', set: ['dma.engines=8'] }));
    expect(rows.find((r) => r.key === 'dma.engines')).toMatchObject({
      value: 8,
      source: expect.stringContaining('override'),
    });
    for (const r of rows.filter((x) => typeof x.value === 'number')) expect(r.source).not.toBe('');
    expect(formatChip(resolveChip({ chip: 'trn2' }))).toContain('trn2 (NeuronCore-v3)');
  });

  it('parses --shape', () => {
    expect(parseShapeArg('M=4096,K=8192,N=8192')).toEqual({ M: 4096, K: 8192, N: 8192 });
    expect(() => parseShapeArg('M=a')).toThrow(/name=integer/);
  });
});

describe('tilekit trace', () => {
  it('times a library kernel at a given shape and exports its Timeline', async () => {
    const t = await timeTarget('matmul-tiled', {
      shape: { M: 256, K: 256, N: 1024 },
      chip: resolveChip({ chip: 'trn1' }),
    });
    expect(t.title).toBe('matmul-tiled M=256,K=256,N=1024');
    expect(t.summary.instructions).toBe(2 * 2 * (2 * 3 + 2));
    const trace = chromeTraceOf(t);
    expect(trace.traceEvents.filter((e) => e.ph === 'X').length).toBe(
      t.timeline.entries.length + t.timeline.dma.length,
    );
  });

  it('refuses a name that is neither a file nor a library kernel', async () => {
    await expect(timeTarget('no-such-kernel', { chip: resolveChip({ chip: 'trn1' }) })).rejects.toMatchObject(
      { code: 'TK0702' },
    );
  });
});

describe('tilekit calibrate output', () => {
  const c = {
    rows: [
      {
        name: 'matmul-tiled',
        chip: 'trn1',
        publishedNs: 51.8e6,
        simulatedNs: 48.2e6,
        errorPct: -6.9,
        publishedHfu: 0.11,
        hfu: 0.124,
        instructions: 99328,
        wallMs: 1,
      },
    ],
    meanAbsErrorPct: 6.9,
    trn2: [
      {
        name: 'matmul-tiled',
        chip: 'trn2',
        simulatedNs: 42e6,
        published: { dma: 0.999, tensor: 0.87 },
        simulated: { dma: 0.82, tensor: 0.17, vector: 0.01 },
      },
    ],
  };
  it('has the JSON shape { rows: [{ name, chip, publishedNs, simulatedNs, errorPct }], meanAbsErrorPct }', () => {
    const json = JSON.parse(calibrationJSON(c));
    expect(json.rows[0]).toMatchObject({
      name: 'matmul-tiled',
      chip: 'trn1',
      publishedNs: 51.8e6,
      simulatedNs: 48.2e6,
      errorPct: -6.9,
    });
    expect(json.meanAbsErrorPct).toBe(6.9);
    expect(json.trn2[0].published.dma).toBe(0.999);
  });
  it('prints both tables', () => {
    const text = formatCalibration(c);
    expect(text).toMatch(/matmul-tiled +trn1 +51\.80 ms +48\.20 ms +-6\.9 %/);
    expect(text).toContain('mean absolute error: 6.9 %');
    expect(text).toMatch(/matmul-tiled +trn2 +42\.00 ms +99\.90 %/);
  });
});
