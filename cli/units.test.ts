/** In-process tests of the CLI's typed functions: file convention, tables, diagnostics, suite rows, help. */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { hostArray, Kernel, KernelError, kernel, nl, type Tensor } from '../index.ts';
import type { LibraryKernel } from '../kernels/library.ts';
import { describeFailure } from './diagnostics.ts';
import { fmtNum } from './format.ts';
import {
  defaultTolerance,
  expectedOutputs,
  inputsFor,
  kernelExports,
  pickKernel,
  referenceFor,
  tolerancesFor,
} from './kernel-file.ts';
import type { KernelModule } from './load.ts';
import { main } from './main.ts';
import { runKernelFile } from './run.ts';
import { formatSuite, runLibraryCase, type SuiteRow } from './suite.ts';
import { renderTable } from './table.ts';

const copy = (x: Tensor) => {
  const out = nl.ndarray(x.shape, x.dtype, { buffer: nl.sharedHbm });
  nl.store(out, nl.load(x));
  return out;
};
const spec = { shape: [128, 8], dtype: 'float32' } as const;
const mod = (exports: Record<string, unknown>): KernelModule => ({ file: '/tmp/k.ts', exports });

describe('kernel file convention', () => {
  test('kernels are the Kernel exports, named after the export when their function has none', () => {
    const named = kernel(function myCopy(x: Tensor) {
      return copy(x);
    });
    const m = mod({ a: kernel(copy), b: named.grid(2), c: kernel(copy, { name: 'given' }), inputs: [spec] });
    const ks = kernelExports(m);
    expect(ks.map((k) => [k.exportName, k.kernel.name])).toEqual([
      ['a', 'copy'],
      ['b', 'myCopy'],
      ['c', 'given'],
    ]);
    const anon = kernelExports(mod({ k: kernel((x: Tensor) => copy(x)).grid(3) }))[0].kernel;
    expect(anon).toBeInstanceOf(Kernel);
    expect([anon.name, anon.gridDims]).toEqual(['k', [3]]);
  });

  test('pickKernel: the only kernel, or by name; TK0702 otherwise', () => {
    const one = mod({ k: kernel(copy), inputs: [spec] });
    expect(pickKernel(one).exportName).toBe('k');
    const two = mod({ p: kernel(copy), q: kernel(copy), n: 3 });
    expect(pickKernel(two, 'q').exportName).toBe('q');
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof KernelError ? [e.code, e.detail] : e;
      }
    };
    expect(code(() => pickKernel(two))).toEqual([
      'TK0702',
      '/tmp/k.ts exports 2 kernels (p, q); pick one by name',
    ]);
    expect(code(() => pickKernel(two, 'n'))).toEqual([
      'TK0702',
      "kernel 'n' not found in /tmp/k.ts: 'n' is exported but is not a kernel; its kernels: p, q",
    ]);
    expect(code(() => pickKernel(mod({ x: 1 })))).toEqual(['TK0702', '/tmp/k.ts exports no kernels']);
  });

  test('inputs: specs become randomInputs(specs, seed); functions get the seed; keyed by kernel', () => {
    const m = mod({
      k: kernel(copy),
      j: kernel(copy),
      inputs: { k: [spec], j: (seed: number) => [hostArray([1, 2], 'float32', [seed, 2])] },
    });
    const [k, j] = kernelExports(m);
    const a = inputsFor(m, k, 5)[0];
    expect(a.shape).toEqual([128, 8]);
    expect(a.data).toEqual(inputsFor(m, k, 5)[0].data);
    expect(a.data).not.toEqual(inputsFor(m, k, 6)[0].data);
    expect(Array.from(a.data).every((v) => v >= -1 && v < 1)).toBe(true);
    expect(Array.from(inputsFor(m, j, 7)[0].data)).toEqual([7, 2]);
    const none = mod({ k: kernel(copy) });
    expect(() => inputsFor(none, kernelExports(none)[0], 0)).toThrow(/TK0701 .*no inputs for kernel 'k'/);
    const bad = mod({ k: kernel(copy), inputs: [{ shape: [2, 2], dtype: 'float64' }] });
    expect(() => inputsFor(bad, kernelExports(bad)[0], 0)).toThrow(/input 0 has unknown dtype "float64"/);
  });

  test('reference and tolerance: plain or keyed; tolerance defaults by dtype', () => {
    const ref = () => [1];
    const m = mod({ k: kernel(copy), reference: { k: ref }, tolerance: { k: { rtol: 0.5 } } });
    const [k] = kernelExports(m);
    expect(referenceFor(m, k)).toBe(ref);
    expect(tolerancesFor(m, k, ['float32', 'bfloat16'])).toEqual([
      { atol: 1e-5, rtol: 0.5 },
      { atol: 1e-2, rtol: 0.5 },
    ]);
    const plain = mod({ k: kernel(copy), tolerance: { atol: 0.25 } });
    expect(tolerancesFor(plain, kernelExports(plain)[0], ['float16'])).toEqual([{ atol: 0.25, rtol: 1e-2 }]);
    expect(referenceFor(plain, kernelExports(plain)[0])).toBeUndefined();
    expect(defaultTolerance('float8_e4m3')).toEqual({ atol: 0.1, rtol: 0.1 });
    expect(defaultTolerance('int32')).toEqual({ atol: 0, rtol: 0 });
  });

  test('expectedOutputs: one array, a HostArray, or a list of them', () => {
    const h = hostArray([2], 'float32', [1, 2]);
    expect(expectedOutputs(new Float64Array([1, 2]), 1)).toEqual([new Float64Array([1, 2])]);
    expect(expectedOutputs([1, 2], 1)).toEqual([[1, 2]]);
    expect(expectedOutputs(h, 1)).toEqual([h.data]);
    expect(expectedOutputs([h, [3]], 2)).toEqual([h.data, [3]]);
    expect(() => expectedOutputs([h, h], 1)).toThrow('reference returned 2 array(s) for 1 kernel output(s)');
  });
});

describe('reports', () => {
  test('renderTable pads columns and aligns right where asked', () => {
    const rows = [
      { n: 'a', v: 1 },
      { n: 'long', v: 1234 },
    ];
    const cols = [
      { header: 'name', cell: (r: (typeof rows)[0]) => r.n },
      { header: 'v', align: 'right' as const, cell: (r: (typeof rows)[0]) => String(r.v) },
    ];
    expect(renderTable(cols, rows)).toBe('name     v\n----  ----\na        1\nlong  1234\n');
  });

  test('fmtNum', () => {
    expect([0, 2, 0.5, 1 / 3, 5.96e-8, 1e-5, 0.0624, 12345678, Number.NaN].map(fmtNum)).toEqual([
      '0',
      '2',
      '0.5',
      '0.3333',
      '5.96e-8',
      '1e-5',
      '0.0624',
      '1.235e+7',
      'NaN',
    ]);
  });

  test('describeFailure: KernelError formatted on stderr (2), as JSON on stdout (2); others exit 3', () => {
    const e = new KernelError('TK0702', 'kernel not here');
    expect(describeFailure(e)).toEqual({ exitCode: 2, stream: 'stderr', text: 'TK0702 kernel not here\n' });
    const j = describeFailure(e, { json: true });
    expect([j.exitCode, j.stream, JSON.parse(j.text)]).toEqual([
      2,
      'stdout',
      { error: { code: 'TK0702', message: 'kernel not here', notes: [] } },
    ]);
    expect(describeFailure(new RangeError('bad'))).toEqual({
      exitCode: 3,
      stream: 'stderr',
      text: 'error: bad\n',
    });
    expect(JSON.parse(describeFailure(new RangeError('bad'), { json: true }).text)).toEqual({
      error: { name: 'RangeError', message: 'bad' },
    });
    expect(describeFailure(new Error('x'), { debug: true }).text).toMatch(/^Error: x\n\s+at /);
  });
});

describe('suite rows', () => {
  const fake = (over: Partial<LibraryKernel>): LibraryKernel => ({
    name: 'copy',
    description: 'copy',
    shapeParams: ['rows'],
    defaultShape: { rows: 128 },
    testShapes: [],
    dtypes: ['float32'],
    build: (s, d) => ({ kernel: kernel(copy), inputs: [{ shape: [s.rows, 8], dtype: d }] }),
    reference: (_s, [x]) => [Float64Array.from(x.data)],
    tolerance: () => ({ atol: 0, rtol: 0 }),
    ...over,
  });

  test('PASS, FAIL and ERROR rows; formatSuite prints the table, the count and errors in full', () => {
    const pass = runLibraryCase(fake({}), { rows: 128 }, 'float32', { chip: 'trn2' });
    expect(pass).toMatchObject({
      kernel: 'copy',
      chip: 'trn2',
      status: 'PASS',
      maxAbsError: 0,
      instructions: 2,
    });
    const fail = runLibraryCase(
      fake({ reference: (_s, [x]) => [Float64Array.from(x.data, (v) => v + 1)] }),
      { rows: 128 },
      'float32',
    );
    expect(fail).toMatchObject({ status: 'FAIL', maxAbsError: 1, mismatches: 1024 });
    const error = runLibraryCase(fake({}), { rows: 256 }, 'float32');
    expect(error).toMatchObject({ status: 'ERROR', error: { code: 'TK0101' } });
    const text = formatSuite([pass, fail, error] as SuiteRow[]);
    expect(text).toMatch(/^copy +rows=128 {2}float32 +2 +0 {2}atol 0 rtol 0 {2}PASS +[\d.]+( +[\d.]+){5}$/m);
    expect(text).toMatch(/^copy +rows=256 {2}float32 +- +- {2}atol 0 rtol 0 {2}ERROR( +-){5} +[\d.]+$/m);
    expect(text).toContain('\n1/3 passed on trn2, trn1\n');
    expect(text).toContain('copy float32:\n');
    expect(text).toContain('TK0101 partition dimension 256 exceeds the architecture limit of 128');
  });
});

describe('main (in-process)', () => {
  const out: string[] = [];
  const err: string[] = [];
  const capture = () => {
    out.length = 0;
    err.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
  };
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  const tilekit = async (...args: string[]) => {
    capture();
    const code = await main(['node', 'tilekit', ...args]);
    vi.restoreAllMocks();
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  test.each([
    [[], 'Usage: tilekit [options] [command]'],
    [['run'], 'Usage: tilekit run [options] <file.ts>'],
    [['ir'], 'Usage: tilekit ir [options] <file.ts>'],
    [['suite'], 'Usage: tilekit suite [options]'],
  ])('tilekit %j --help', async (cmd, usage) => {
    const r = await tilekit(...cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(usage);
    for (const flag of cmd[0] === 'run' ? ['--kernel', '--chip', '--seed', '--json'] : []) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('`help run` and --version', async () => {
    expect((await tilekit('help', 'run')).stdout.split('\n')[0]).toBe(
      'Usage: tilekit run [options] <file.ts>',
    );
    expect(await tilekit('--version')).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  test("a bad command line prints commander's message and exits 3", async () => {
    const chip = await tilekit('run', 'x.ts', '--chip', 'trn9');
    expect(chip.code).toBe(3);
    expect(chip.stderr).toContain("argument 'trn9' is invalid. Allowed choices are trn1, trn2.");
    const seed = await tilekit('run', 'x.ts', '--seed', '-1');
    expect([seed.code, seed.stderr.includes('expected an integer >= 0')]).toEqual([3, true]);
    const cmd = await tilekit('frobnicate');
    expect([cmd.code, cmd.stderr.includes("unknown command 'frobnicate'")]).toEqual([3, true]);
  });

  test('a missing file is TK0701 (text on stderr; --json on stdout), exit 2', async () => {
    const text = await tilekit('run', '/nonexistent/k.ts');
    expect(text).toEqual({
      code: 2,
      stdout: '',
      stderr: 'TK0701 cannot load /nonexistent/k.ts: no such file\n',
    });
    const json = await tilekit('run', '/nonexistent/k.ts', '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'TK0701' });
    await expect(runKernelFile('/nonexistent/k.ts')).rejects.toThrow(KernelError);
  });
});
