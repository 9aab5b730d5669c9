/** `tilekit bench`: the JSON shape, the roofline numbers on a hand-computed case, sweeps, --list, kernel files. */
import { afterAll, describe, expect, test } from 'vitest';
import { LIBRARY } from '../kernels/index.ts';
import { getChip } from '../simulator/chips/index.ts';
import { type BenchResult, benchCase, formatBench } from './bench.ts';
import { type BenchOptions, benchCommand, libraryListing } from './bench-command.ts';
import { isInteractive, progressBar } from './bench-progress.ts';
import {
  type BenchTarget,
  expandSweeps,
  parseMeta,
  parseShape,
  parseSweep,
  resolveTarget,
} from './bench-target.ts';
import { removeTempDirs, tempFiles, tilekit } from './test-helpers.ts';

afterAll(removeTempDirs);

const JSON_KEYS = [
  'active',
  'chip',
  'dtype',
  'flops',
  'hbmBytes',
  'kernel',
  'latencyNs',
  'roofline',
  'shape',
];
const ENGINES = ['dma', 'gpsimd', 'scalar', 'tensor', 'vector'];

/** A kernel file: one bf16 matmul tile, lhsT [128, 128] and rhs [128, 512] (16,777,216 FLOP, 294,912 B). */
const MM_FILE = `import { kernel, nisa, nl, type Tensor } from 'tilekit';

export const mm = kernel((lhsT: Tensor, rhs: Tensor) => {
  const out = nl.ndarray([128, 512], lhsT.dtype, { buffer: nl.sharedHbm });
  const acc = nisa.ncMatmul(nl.load(lhsT), nl.load(rhs));
  nl.store(out, nisa.tensorCopy(acc, { dtype: out.dtype }));
  return out;
});
export const inputs = [
  { shape: [128, 128], dtype: 'bfloat16' },
  { shape: [128, 512], dtype: 'bfloat16' },
];
`;

/** A kernel file exporting a LibraryKernel-shaped object: shape parameters and dtypes for the user's kernel. */
const LIB_FILE = `import { kernel, nl, type Tensor } from 'tilekit';

const scale = kernel(function scale(x: Tensor) {
  const out = nl.ndarray(x.shape, x.dtype, { buffer: nl.sharedHbm });
  for (const i of nl.affineRange(x.shape[0] / 128)) {
    const r = nl.ds(i * 128, 128);
    nl.store(out.get(r, ':'), nl.multiply(nl.load(x.get(r, ':')), 2));
  }
  return out;
});

export const myScale = {
  name: 'my-scale',
  description: 'y = 2x',
  shapeParams: ['rows', 'cols'],
  defaultShape: { rows: 256, cols: 512 },
  dtypes: ['float32', 'bfloat16'],
  build: (s: { rows: number; cols: number }, dtype: string) => ({
    kernel: scale,
    inputs: [{ shape: [s.rows, s.cols], dtype }],
  }),
};
`;

function expectBenchJson(r: BenchResult): void {
  expect(Object.keys(r).sort()).toEqual(JSON_KEYS);
  expect(Object.keys(r.active).sort()).toEqual(ENGINES);
  for (const v of Object.values(r.active)) expect(v >= 0 && v <= 1).toBe(true);
  expect(Object.keys(r.roofline).sort()).toEqual(['boundNs', 'efficiency', 'limitedBy']);
  expect(r.latencyNs).toBeGreaterThan(0);
  expect(r.roofline.efficiency).toBeCloseTo(r.roofline.boundNs / r.latencyNs, 12);
}

describe.concurrent('tilekit bench (subprocess)', () => {
  test('--json: the issue shape; matmul-tiled 256×256×1024 bf16 has the hand-computed FLOPs, bytes and bound', async () => {
    const r = await tilekit(['bench', 'matmul-tiled', '--shape', 'M=256,K=256,N=1024', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as BenchResult;
    expectBenchJson(j);
    expect(j).toMatchObject({ kernel: 'matmul-tiled', chip: 'trn1', dtype: 'bfloat16' });
    expect(j.shape).toEqual({ M: 256, K: 256, N: 1024 });
    // 2·M·K·N matmul FLOPs; no other engine computes.
    expect(j.flops).toBe(2 * 256 * 256 * 1024);
    // Each of the (M/128)(N/512)(K/128) = 8 steps loads a [128, 128] and a [128, 512] bf16 tile; C is stored once.
    expect(j.hbmBytes).toBe(8 * (128 * 128 + 128 * 512) * 2 + 256 * 1024 * 2);
    const chip = getChip('trn1');
    const computeNs = j.flops / chip.peaks.tensorFlopsPerNs.bf16;
    const memoryNs = j.hbmBytes / chip.peaks.dmaBytesPerNs;
    expect(memoryNs).toBeGreaterThan(computeNs);
    expect(j.roofline.limitedBy).toBe('hbm');
    expect(j.roofline.boundNs).toBeCloseTo(memoryNs, 6);
  });

  test('a kernel file: its inputs as the shape, FLOPs and bytes of one matmul tile', async () => {
    const dir = tempFiles({ 'kernels.ts': `${MM_FILE}\n${LIB_FILE.replace(/^import .*\n/, '')}` });
    const r = await tilekit(['bench', 'kernels.ts', '--kernel', 'mm', '--json', '--chip', 'trn2'], {
      cwd: dir,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as BenchResult;
    expectBenchJson(j);
    expect(j).toMatchObject({ kernel: 'mm', chip: 'trn2', dtype: 'bfloat16', flops: 2 * 128 * 128 * 512 });
    expect(j.shape).toEqual({ lhsT: [128, 128], rhs: [128, 512] });
    expect(j.hbmBytes).toBe((128 * 128 + 128 * 512 + 128 * 512) * 2);
  });

  test('a kernel file exporting a LibraryKernel: --shape, --dtype and --sweep work on it', async () => {
    const dir = tempFiles({ 'scale.ts': LIB_FILE });
    const args = [
      'bench',
      'scale.ts',
      '--shape',
      'cols=256',
      '--sweep',
      'rows=128,384',
      '--dtype',
      'bfloat16',
    ];
    const r = await tilekit([...args, '--json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as BenchResult[];
    expect(rows.map((x) => x.shape)).toEqual([
      { rows: 128, cols: 256 },
      { rows: 384, cols: 256 },
    ]);
    expect(rows.map((x) => [x.kernel, x.dtype])).toEqual([
      ['my-scale', 'bfloat16'],
      ['my-scale', 'bfloat16'],
    ]);
    // Read once and written once, 2 bytes an element.
    expect(rows.map((x) => x.hbmBytes)).toEqual([128 * 256 * 4, 384 * 256 * 4]);
  });
});

/** `benchCommand` with its output captured and a non-TTY progress stream. */
async function bench(arg: string | undefined, o: Partial<BenchOptions>): Promise<string> {
  let out = '';
  let progress = '';
  const io = {
    out: { write: (t: string) => (out += t) },
    progress: { isTTY: false, write: (t: string) => (progress += t) },
  };
  expect(await benchCommand(arg, { chip: 'trn1', set: [], sweep: [], ...o }, io)).toBe(0);
  expect(progress).toBe('');
  return out;
}

describe('tilekit bench (in process)', () => {
  test('text: latency, engine activity, FLOPs, bytes, intensity, bound, efficiency, idle causes', async () => {
    const out = await bench('softmax', { chip: 'trn2' });
    for (const key of [
      'kernel',
      'latency',
      'active',
      'FLOPs',
      'HBM bytes',
      'intensity',
      'roofline',
      'efficiency',
    ]) {
      expect(out).toMatch(new RegExp(`^${key} `, 'm'));
    }
    expect(out).toMatch(/^chip +trn2 \(NeuronCore-v3\)$/m);
    expect(out).toMatch(/limited by HBM bandwidth/);
    expect(out).toMatch(/^top idle causes$/m);
    expect(out).toMatch(/waiting for /);
  });

  test('--list (text and JSON) lists every library kernel with its shape parameters and defaults', async () => {
    const text = await bench(undefined, { list: true });
    for (const lk of LIBRARY) {
      const defaults = lk.shapeParams.map((p) => `${p}=${lk.defaultShape[p]}`).join(',');
      expect(text).toMatch(new RegExp(`^${lk.name} +${defaults} `, 'm'));
    }
    const json = await bench(undefined, { list: true, json: true });
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(libraryListing(LIBRARY))));
  });

  test('errors: unknown kernel, unknown shape parameter, bad sweep, --shape on a kernel with fixed inputs', async () => {
    await expect(bench('no-such-kernel', {})).rejects.toThrow(
      /unknown kernel 'no-such-kernel'.*bench --list/,
    );
    await expect(bench('matmul-tiled', { shape: 'Q=4' })).rejects.toThrow(
      /unknown shape parameter 'Q' of matmul-tiled; its shape parameters: M, K, N/,
    );
    await expect(bench('matmul-tiled', { sweep: ['N'] })).rejects.toThrow(/--sweep: expected key=v1,v2/);
    await expect(bench(undefined, {})).rejects.toThrow(/name a library kernel or a kernel file/);
    const fixed = { ...(await resolveTarget('add')), kind: 'file' as const, name: 'mm', shapeParams: [] };
    expect(() => parseShape(fixed, 'M=1')).toThrow(
      /kernel 'mm' has no shape parameters; export a LibraryKernel/,
    );
  });

  test('--sweep: the cartesian product, first sweep outermost; JSON array; a table in text', async () => {
    const target = await resolveTarget('matmul-tiled');
    const base = {
      shape: parseShape(target, 'M=128'),
      dtype: 'bfloat16' as const,
      meta: {},
      chip: 'trn1',
      sets: [],
    };
    const cases = expandSweeps(target, base, [parseSweep('N=512,1024'), parseSweep('chip=trn1,trn2')]);
    expect(cases.map((c) => `${c.shape.N} ${c.chip}`)).toEqual([
      '512 trn1',
      '512 trn2',
      '1024 trn1',
      '1024 trn2',
    ]);
    const setCases = expandSweeps(target, base, [parseSweep('dma.engines=8,16')]);
    expect(setCases.map((c) => c.sets)).toEqual([['dma.engines=8'], ['dma.engines=16']]);

    const opts = { shape: 'M=128,K=128', sweep: ['N=512,1024', 'chip=trn1,trn2'], json: true };
    const rows = JSON.parse(await bench('matmul-tiled', opts)) as BenchResult[];
    expect(rows).toHaveLength(4);
    rows.forEach(expectBenchJson);
    expect(rows.map((r) => [r.shape.N, r.chip])).toEqual([
      [512, 'trn1'],
      [512, 'trn2'],
      [1024, 'trn1'],
      [1024, 'trn2'],
    ]);
    expect(rows[2].flops).toBe(2 * rows[0].flops);
    const table = await bench('matmul-tiled', { ...opts, json: false, sweep: ['N=512,1024'] });
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^kernel +shape +dtype +chip +latency .* efficiency +limited by$/);
    expect(lines.slice(2)).toHaveLength(2);
    expect(lines[3]).toMatch(/^matmul-tiled +M=128 K=128 N=1024 +bfloat16 +trn1 /);
  });

  test('--meta and meta-parameter sweeps reach build(shape, dtype, chip, meta); the JSON then has "meta"', async () => {
    const add = await resolveTarget('add');
    const calls: string[] = [];
    const target: BenchTarget = {
      ...add,
      metaParams: ['cols', 'tile'],
      build: (shape, dtype, chip, meta) => {
        calls.push(`${chip} ${JSON.stringify(meta)}`);
        return add.build(shape, dtype, chip, {});
      },
    };
    expect(parseMeta(target, 'tile=4')).toEqual({ tile: 4 });
    expect(() => parseMeta(target, 'tiel=4')).toThrow(
      /unknown meta-parameter 'tiel' of add; its meta-parameters: cols, tile/,
    );
    const base = {
      shape: add.defaultShape,
      dtype: 'float32' as const,
      meta: { tile: 4 },
      chip: 'trn2',
      sets: [],
    };
    // A name that is both a shape and a meta-parameter sweeps the shape; `meta.NAME` sweeps the meta-parameter.
    const cases = expandSweeps(target, base, [parseSweep('cols=512'), parseSweep('meta.cols=128,256')]);
    expect(cases.map((c) => [c.shape.cols, c.meta])).toEqual([
      [512, { tile: 4, cols: 128 }],
      [512, { tile: 4, cols: 256 }],
    ]);
    const run = benchCase(target, cases[1]);
    expect(calls).toEqual(['trn2 {"tile":4,"cols":256}']);
    expect(run.result.meta).toEqual({ tile: 4, cols: 256 });
    expect(Object.keys(benchCase(target, { ...base, meta: {} }).result)).not.toContain('meta');
  });

  test('a chip setting changes the roofline: fewer DMA engines, a lower HBM roof', async () => {
    const target = await resolveTarget('add');
    const c = { shape: target.defaultShape, dtype: 'float32' as const, meta: {}, chip: 'trn1', sets: [] };
    const full = benchCase(target, c);
    const half = benchCase(target, { ...c, sets: ['dma.engines=8'] });
    expect(half.result.chip).toBe('trn1 dma.engines=8');
    expect(half.roofline.hbmBytesPerNs).toBeLessThan(full.roofline.hbmBytesPerNs);
    expect(half.roofline.memoryNs).toBeGreaterThan(full.roofline.memoryNs);
    expect(formatBench(half)).toMatch(/^chip +trn1 dma\.engines=8 \(NeuronCore-v2\)$/m);
  });

  test('the progress bar draws on an interactive terminal only, and erases itself', () => {
    const written: string[] = [];
    const tty = { isTTY: true, columns: 60, write: (t: string) => written.push(t) };
    expect(isInteractive(tty, {})).toBe(true);
    expect(isInteractive(tty, { CI: 'true' })).toBe(false);
    expect(isInteractive({ isTTY: false, write: () => 0 }, {})).toBe(false);
    const bar = progressBar(4, tty, true);
    bar.step('trace');
    bar.step('compile');
    bar.done();
    expect(written[0]).toMatch(/^\r\[\.{24}\] 0\/4 trace/);
    expect(written[1]).toMatch(/^\r\[#{6}\.{18}\] 1\/4 compile/);
    expect(written.at(-1)).toBe('\r\x1b[K');
    const silent: string[] = [];
    const off = progressBar(4, { isTTY: false, write: (t: string) => silent.push(t) });
    off.step('x');
    off.done();
    expect(silent).toEqual([]);
  });
});
