/** The `tilekit` command, run as a subprocess on kernel files in a folder outside the repository. */
import { afterAll, describe, expect, test } from 'vitest';
import { LIBRARY } from '../kernels/index.ts';
import {
  codeBlocks,
  exec,
  REPO,
  readme,
  removeTempDirs,
  section,
  suiteCases,
  tempFiles,
  tilekit,
} from './test-helpers.ts';

afterAll(removeTempDirs);

const ADD = `import { type HostArray, kernel, nl, type Tensor } from 'tilekit';

export const add = kernel((a: Tensor, b: Tensor) => {
  const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm });
  nl.store(out, nl.add(nl.load(a), nl.load(b)));
  return out;
});
export const inputs = [
  { shape: [128, 64], dtype: 'float32' },
  { shape: [128, 64], dtype: 'float32' },
];
`;

/** Two kernels, keyed inputs/reference/tolerance, one gridded, inputs from a function. */
const TWO = `import { hostArray, type HostArray, kernel, nl, type Tensor } from 'tilekit';

const ew = (op: 'add' | 'subtract') => (a: Tensor, b: Tensor) => {
  const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm });
  const cols = nl.ds(nl.programId(0) * 32, 32);
  const x = nl.load(a.get(':', cols));
  const y = nl.load(b.get(':', cols));
  nl.store(out.get(':', cols), op === 'add' ? nl.add(x, y) : nl.subtract(x, y));
  return out;
};
export const addK = kernel(ew('add')).grid(2);
export const subK = kernel(ew('subtract')).grid(2);

const ramp = (k: number) => hostArray([128, 64], 'bfloat16', Array.from({ length: 128 * 64 }, (_, i) => (i % 7) * k));
export const inputs = { addK: (seed: number) => [ramp(1), ramp(seed)], subK: (seed: number) => [ramp(2), ramp(seed)] };
export const reference = {
  addK: (a: HostArray, b: HostArray) => a.data.map((v, i) => v + b.data[i]),
  subK: (a: HostArray, b: HostArray) => [a.data.map((v, i) => v - b.data[i])],
};
export const tolerance = { subK: { atol: 0 } };
`;

const WRONG_REF = `${ADD}
export function reference(a: HostArray, b: HostArray) {
  return Float64Array.from(a.data, (x, i) => x - b.data[i]);
}
`;

const BAD_REF_COUNT = `${ADD}
export const reference = (a: HostArray) => [a.data, a.data];
`;

const P256 = `import { kernel, nl, type Tensor } from 'tilekit';

export const big = kernel((a: Tensor) => {
  const out = nl.ndarray(a.shape, a.dtype, { buffer: nl.sharedHbm });
  const t = nl.load(a);
  nl.store(out, t);
  return out;
});
export const inputs = [{ shape: [256, 64], dtype: 'float32' }];
`;

const SYNTAX = `import { kernel, nl } from 'tilekit';

export const k = kernel((a) => {
  const out = nl.ndarray(a.shape a.dtype, { buffer: nl.sharedHbm });
  return out;
});
`;

const THROWS = `import { kernel } from 'tilekit';

const config = { tiles: 0 };
if (config.tiles === 0) throw new Error('tiles must be positive');
`;

const dir = tempFiles({
  'add.ts': ADD,
  'two.ts': TWO,
  'wrong_ref.ts': WRONG_REF,
  'bad_ref_count.ts': BAD_REF_COUNT,
  'p256.ts': P256,
  'syntax.ts': SYNTAX,
  'throws.ts': THROWS,
});
const run = (...args: string[]) => tilekit(args, { cwd: dir });

describe.concurrent('tilekit (subprocesses, concurrent)', () => {
  describe('tilekit run', () => {
    test('a kernel with no reference runs, outputs unchecked, exit 0', async () => {
      const r = await run('run', 'add.ts', '--chip', 'trn2', '--seed', '3');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^kernel +add {2}\(add\.ts\)$/m);
      expect(r.stdout).toMatch(/^chip +trn2 \(NeuronCore-v3\)$/m);
      expect(r.stdout).toMatch(/^inputs +a: float32\[128, 64\], b: float32\[128, 64\] {2}\(seed 3\)$/m);
      expect(r.stdout).toMatch(/^instructions +4$/m);
      expect(r.stdout).toMatch(/^output 0 +float32\[128, 64\] {2}(-?[\d.e-]+ ){6}\.\.\.$/m);
      expect(r.stdout).toMatch(/^check +no reference exported/m);
    });

    test('a wrong reference: FAIL with the first mismatch, exit 1; --json says passed: false', async () => {
      const [text, json] = await Promise.all([
        run('run', 'wrong_ref.ts'),
        run('run', 'wrong_ref.ts', '--json'),
      ]);
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(
        /^check 0 +MISMATCH {2}max abs err [\d.e-]+, .*mismatches \(atol 1e-5, rtol 1e-5\)$/m,
      );
      expect(text.stdout).toMatch(/first mismatch at \[0, 0\]: got .*, expected /);
      expect(text.stdout).toMatch(/^FAIL {2}1 of 1 output\(s\) of add differ from the reference$/m);
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout);
      expect(report).toMatchObject({ kernel: 'add', chip: 'trn1', passed: false, instructions: 4 });
      expect(report.outputs[0].check).toMatchObject({ ok: false, tolerance: { atol: 1e-5, rtol: 1e-5 } });
    });

    test('--kernel picks among two kernels; keyed inputs, reference and tolerance; gridded kernels', async () => {
      const [add, sub] = await Promise.all([
        run('run', 'two.ts', '--kernel', 'addK', '--seed', '2', '--json'),
        run('run', 'two.ts', '--kernel', 'subK', '--seed', '2'),
      ]);
      expect(add.code).toBe(0);
      const report = JSON.parse(add.stdout);
      expect(report).toMatchObject({ kernel: 'addK', grid: [2], passed: true, seed: 2 });
      expect(report.outputs[0]).toMatchObject({ dtype: 'bfloat16', head: [0, 3, 6, 9, 12, 15] });
      expect(report.outputs[0].check.tolerance).toEqual({ atol: 1e-2, rtol: 1e-2 });
      expect(sub.code).toBe(0);
      expect(sub.stdout).toMatch(/^grid +\[2\]$/m);
      expect(sub.stdout).toMatch(/\(atol 0, rtol 0\.01\)$/m);
      expect(sub.stdout).toMatch(/^PASS {2}subK matches the reference$/m);
    });

    test('several kernels and no --kernel: TK0702 listing them, exit 2', async () => {
      const r = await run('run', 'two.ts');
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        'TK0702 two.ts exports 2 kernels (addK, subK); pick one by name\n  note: with the CLI: --kernel NAME\n',
      );
    });

    test('a syntax error: TK0701 at the file, line and column, with the excerpt; exit 2', async () => {
      const text = await run('ir', 'syntax.ts');
      expect(text.code).toBe(2);
      const lines = text.stderr.split('\n');
      expect(lines[0]).toBe(
        'syntax.ts:4:33  TK0701 cannot load syntax.ts: syntax error: Expected ")" but found "a"',
      );
      expect(lines[1]).toBe('  4 |   const out = nl.ndarray(a.shape a.dtype, { buffer: nl.sharedHbm });');
      expect(lines[2]).toBe(`    | ${' '.repeat(32)}^`);
    });

    test('a throw at import: TK0701 naming the file and the cause, at the throwing line', async () => {
      const r = await run('run', 'throws.ts');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^throws\.ts:4:31 {2}TK0701 cannot load throws\.ts: tiles must be positive\n/);
      expect(r.stderr).toContain("  4 | if (config.tiles === 0) throw new Error('tiles must be positive');");
    });

    test('partition dim 256: file:line:col  TK0101, the excerpt and caret, exit 2; --json', async () => {
      const [text, json] = await Promise.all([run('run', 'p256.ts'), run('run', 'p256.ts', '--json')]);
      expect(text.code).toBe(2);
      expect(text.stdout).toBe('');
      expect(text.stderr.split('\n')).toEqual([
        'p256.ts:5:16  TK0101 partition dimension 256 exceeds the architecture limit of 128; tile the leading dim',
        '  5 |   const t = nl.load(a);',
        '    |                ^',
        '',
      ]);
      expect(json.code).toBe(2);
      expect(json.stderr).toBe('');
      expect(JSON.parse(json.stdout)).toEqual({
        error: {
          code: 'TK0101',
          message: 'partition dimension 256 exceeds the architecture limit of 128; tile the leading dim',
          file: 'p256.ts',
          line: 5,
          column: 16,
          notes: [],
        },
      });
    });

    test('other errors: message only (no stack), exit 3', async () => {
      const plain = await run('run', 'bad_ref_count.ts');
      expect(plain.code).toBe(3);
      expect(plain.stderr).toBe('error: reference returned 2 array(s) for 1 kernel output(s)\n');
    });
  });

  describe('tilekit ir', () => {
    test('prints a `kernel name(...)` header and one line per instruction', async () => {
      const ir = await run('ir', 'two.ts', '--kernel', 'subK');
      expect(ir.code).toBe(0);
      const lines = ir.stdout.trimEnd().split('\n');
      expect(lines[0]).toBe('kernel subK(%a: hbm bfloat16[128, 64], %b: hbm bfloat16[128, 64]) -> (%out)');
      expect(lines[1]).toBe('  grid [2]');
      const instrs = lines.filter((l) => /^ {2}#\d+ /.test(l));
      expect(instrs).toHaveLength(8); // 2 programs x (load, load, subtract, store)
      expect(instrs[2]).toMatch(/^ {2}#2 tensorTensor\(subtract\) .* @ two\.ts:8:\d+ {2}\[pid=0\]$/);
    });
  });

  describe('tilekit suite', () => {
    const cases = LIBRARY.flatMap((k) => k.dtypes.map((d) => ({ kernel: k.name, dtype: d })));

    test('trn1: a row per (kernel, dtype), all PASS, exit 0; the README sample lists the same cases', async () => {
      const r = await tilekit(['suite']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines[0].split(/ {2,}/)).toEqual([
        'kernel',
        'shape',
        'dtype',
        'instrs',
        'max abs err',
        'tolerance',
        'result',
        'sim us',
        'PE %',
        'DVE %',
        'ACT %',
        'DMA %',
        'wall ms',
      ]);
      const rows = suiteCases(r.stdout);
      expect(rows).toEqual(
        cases.map((c) => {
          const lib = LIBRARY.find((k) => k.name === c.kernel)!;
          const shape = Object.entries(lib.defaultShape)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ');
          return `${c.kernel} | ${shape} | ${c.dtype} | PASS`;
        }),
      );
      expect(r.stdout).toContain(`\n${cases.length}/${cases.length} passed on trn1\n`);
      expect(suiteCases(codeBlocks(section(readme(), 'Quickstart'), 'text')[0])).toEqual(rows);
    });
  });

  describe('npx', () => {
    test('npx tilekit --help works from the repository (the package bin)', async () => {
      const r = await exec('npx', ['--no-install', 'tilekit', '--help'], { cwd: REPO });
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe('Usage: tilekit [options] [command]');
    });
  });
});
