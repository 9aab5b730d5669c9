import { describe, expect, it } from 'vitest';
import { compile } from '../../codegen/compile.ts';
import type { Program } from '../../codegen/program.ts';
import { kernel, nisa, nl, randomInputs, type TensorSpec } from '../../index.ts';
import { libraryKernel } from '../../kernels/index.ts';
import { getChip, withOverrides } from '../chips/index.ts';
import { simulate, timeProgram } from '../simulate.ts';
import { toChromeTrace } from './chrome-trace.ts';
import { summarize } from './metrics.ts';
import type { Timeline } from './timeline.ts';

const trn1 = getChip('trn1');
const trn2 = getChip('trn2');
const f32 = (shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });
const bf16 = (shape: number[]): TensorSpec => ({ shape, dtype: 'bfloat16' });

function program(
  name: string,
  shape: Record<string, number>,
  chip = trn1,
  dtype: 'bfloat16' | 'float32' = 'bfloat16',
): Program {
  const { kernel: k, inputs } = libraryKernel(name).build(shape, dtype);
  return compile(k.trace(inputs), chip);
}

/** The invariants every Timeline must satisfy. */
function checkInvariants(tl: Timeline): void {
  const { program: p, entries } = tl;
  expect(entries).toHaveLength(p.instrs.length);
  for (const [q, list] of Object.entries(p.queues)) {
    const es = list!.map((id) => entries[id]);
    for (let i = 1; i < es.length; i++) {
      if (q.startsWith('dma')) expect(es[i].start).toBeGreaterThanOrEqual(es[i - 1].start);
      else expect(es[i].start).toBeGreaterThanOrEqual(es[i - 1].end - 1e-9);
      expect(es[i].end).toBeGreaterThanOrEqual(es[i - 1].end);
    }
  }
  for (const ins of p.instrs) {
    for (const w of ins.waits) {
      const on = p.queues[w.queue]![w.count - 1];
      expect(entries[ins.id].start).toBeGreaterThanOrEqual(entries[on].end - 1e-9);
    }
  }
  const byEngine = new Map<number, { start: number; end: number }[]>();
  for (const s of tl.dma) byEngine.set(s.engine, [...(byEngine.get(s.engine) ?? []), s]);
  for (const slices of byEngine.values()) {
    slices.sort((a, b) => a.start - b.start);
    for (let i = 1; i < slices.length; i++)
      expect(slices[i].start).toBeGreaterThanOrEqual(slices[i - 1].end - 1e-9);
  }
  const s = summarize(tl);
  expect(tl.latencyNs).toBeGreaterThanOrEqual(s.criticalPath.lengthNs - 1e-6);
  for (const a of Object.values(s.active)) expect(a).toBeLessThanOrEqual(1 + 1e-9);
}

describe('timeline invariants', () => {
  const cases: [string, Record<string, number>, string][] = [
    ['add', { rows: 256, cols: 1024 }, 'trn1'],
    ['softmax', { rows: 250, cols: 512 }, 'trn2'],
    ['matmul-tiled', { M: 256, K: 512, N: 1024 }, 'trn1'],
    ['matmul-blocked', { M: 512, K: 256, N: 2048 }, 'trn2'],
    ['matmul-optimized', { M: 512, K: 2048, N: 1024 }, 'trn1'],
    ['matmul-optimized', { M: 512, K: 2048, N: 1024 }, 'trn2'],
  ];
  it.each(cases)('%s %o on %s', (name, shape, chip) => {
    const p = program(name, shape, getChip(chip));
    const tl = timeProgram(p);
    checkInvariants(tl);
    expect(timeProgram(p)).toEqual(tl);
  });

  it('functional and timing-only runs give the same Timeline', () => {
    const p = program('matmul-tiled', { M: 256, K: 256, N: 1024 });
    const { kernel: k, inputs } = libraryKernel('matmul-tiled').build(
      { M: 256, K: 256, N: 1024 },
      'bfloat16',
    );
    const functional = simulate(p, randomInputs(inputs, 3)).timeline;
    expect(functional.entries).toEqual(timeProgram(p).entries);
    expect(k.name).toBe('matmulTiled');
  });
});

describe('hand-computed costs (neuroncore.md §3.3, §3.8; calibration.md §3)', () => {
  it('one DMA of [128, 512] fp32: fixed cost + 8 descriptors and 16 KiB per engine', () => {
    const k = kernel((a) => {
      const t = nl.load(a);
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, t);
      return out;
    });
    const tl = timeProgram(compile(k.trace([f32([128, 512])]), trn1));
    const load = tl.entries[0];
    const perEngine = 8 * trn1.dma.descriptorOverheadNs + (128 * 512 * 4) / 16 / trn1.dma.bytesPerNsPerEngine;
    expect(load.start).toBe(0);
    expect(load.end).toBeCloseTo(trn1.dma.fixedCostNs + perEngine, 9);
    expect(tl.dma.filter((s) => s.id === 0)).toHaveLength(16);
  });

  it('one bf16 matmul with a 512-wide moving tile takes 512 PE cycles', () => {
    const k = kernel((a, b) => {
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nisa.ncMatmul(nl.load(a), nl.load(b)));
      return out;
    });
    const tl = timeProgram(compile(k.trace([bf16([128, 128]), bf16([128, 512])]), trn1));
    const mm = tl.entries.find((e) => e.op === 'ncMatmul')!;
    expect(mm.end - mm.start).toBeCloseTo(512 / trn1.tensor.clockGHz, 9);
    expect(mm.start).toBeCloseTo(Math.max(tl.entries[0].end, tl.entries[1].end), 9);
    const fp32 = timeProgram(compile(k.trace([f32([128, 128]), f32([128, 512])]), trn1)).entries.find(
      (e) => e.op === 'ncMatmul',
    )!;
    expect(fp32.end - fp32.start).toBeCloseTo((4 * 512) / trn1.tensor.clockGHz, 9);
  });

  it('dependent one-element ScalarE instructions issue every 264 cycles (189 ns on trn1)', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 1], nl.float32, { buffer: nl.sharedHbm });
      let t = nl.load(a);
      for (const _ of nl.staticRange(4)) t = nisa.activation('exp', t);
      nl.store(out, t);
      return out;
    });
    const tl = timeProgram(compile(k.trace([f32([128, 1])]), trn1));
    const acts = tl.entries.filter((e) => e.op === 'activation');
    for (let i = 1; i < acts.length; i++)
      expect(acts[i].end - acts[i].start).toBeCloseTo(264 / trn1.scalar.clockGHz, 9);
    expect(264 / trn1.scalar.clockGHz).toBeCloseTo(188.57, 2);
  });

  it('trn2 TensorE starts at half rate after idle (throttling)', () => {
    const k = kernel((a, b) => {
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nisa.ncMatmul(nl.load(a), nl.load(b)));
      return out;
    });
    const mm = timeProgram(compile(k.trace([bf16([128, 128]), bf16([128, 512])]), trn2)).entries.find(
      (e) => e.op === 'ncMatmul',
    )!;
    expect(mm.end - mm.start).toBeCloseTo(
      512 / trn2.tensor.clockGHz / trn2.tensor.throttle!.startFraction,
      6,
    );
  });

  it('a what-if chip with half the DMA engines makes a DMA-bound kernel slower', () => {
    const p1 = program('matmul-tiled', { M: 256, K: 512, N: 1024 });
    const half = withOverrides(trn1, ['dma.engines=8']);
    const { kernel: k, inputs } = libraryKernel('matmul-tiled').build(
      { M: 256, K: 512, N: 1024 },
      'bfloat16',
    );
    const slower = timeProgram(compile(k.trace(inputs), half));
    expect(slower.latencyNs).toBeGreaterThan(1.3 * timeProgram(p1).latencyNs);
  });
});

describe('summary and exports', () => {
  it('attributes idle gaps and computes HFU, MBU and engine activity', () => {
    const s = summarize(timeProgram(program('matmul-tiled', { M: 256, K: 512, N: 1024 })));
    expect(s.flops.tensor).toBe(2 * 256 * 512 * 1024);
    expect(s.hbmBytes).toBe(2 * (512 * 256 + 512 * 1024) * 2 + 256 * 1024 * 2);
    expect(s.hfu).toBeCloseTo(s.flops.tensor / trn1.peaks.tensorFlopsPerNs.bf16 / s.latencyNs, 9);
    expect(s.active.dma).toBeGreaterThan(s.active.tensor);
    const tensorIdle = s.idle.find((i) => i.engine === 'tensor')!;
    expect(tensorIdle.causes[0].cause).toMatch(
      /^waiting for dmaCopy into '(load|.*)' on dma \(kernels\/matmul\.ts:\d+:\d+\)$/,
    );
    expect(tensorIdle.causes.reduce((t, c) => t + c.ns, 0)).toBeCloseTo(tensorIdle.idleNs, 3);
  });

  it('writes Chrome trace event JSON: complete events on named tracks, microseconds', () => {
    const tl = timeProgram(program('matmul-tiled', { M: 256, K: 256, N: 1024 }));
    const trace = JSON.parse(JSON.stringify(toChromeTrace(tl, 'matmul-tiled')));
    expect(Array.isArray(trace.traceEvents)).toBe(true);
    const complete = trace.traceEvents.filter((e: { ph: string }) => e.ph === 'X');
    const meta = trace.traceEvents.filter((e: { ph: string }) => e.ph === 'M');
    expect(complete.length).toBe(tl.entries.length + tl.dma.length);
    for (const e of complete) {
      expect(typeof e.name).toBe('string');
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      expect(e.ts).toBeGreaterThanOrEqual(0);
      expect(e.dur).toBeGreaterThanOrEqual(0);
    }
    const named = new Set(
      meta.filter((m: { name: string }) => m.name === 'thread_name').map((m: { tid: number }) => m.tid),
    );
    for (const e of complete) expect(named.has(e.tid)).toBe(true);
    const mm = complete.find((e: { name: string }) => e.name === 'ncMatmul');
    expect(mm.args.source).toMatch(/kernels\/matmul\.ts:\d+:\d+/);
    expect(mm.ts * 1000).toBeCloseTo(tl.entries[mm.args.id].start, 6);
  });
});
