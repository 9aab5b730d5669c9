/**
 * The README's examples are the test inputs: the first kernel, the error example and the API example are taken
 * from README.md, written to a folder outside the repository and run; their printed output must match the README.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  codeBlocks,
  exec,
  REGISTER,
  REPO,
  readme,
  removeTempDirs,
  section,
  tempFiles,
  tilekit,
} from './test-helpers.ts';

afterAll(removeTempDirs);

const md = readme();
/** The README's sample output, without the line that differs from run to run. */
const stable = (text: string) => text.replace(/^wall time .*\n/m, '');

describe.concurrent('README', () => {
  test('Quickstart is exactly `npm install && npm start` and `npm test`; start runs the suite', () => {
    const quick = section(md, 'Quickstart');
    expect(codeBlocks(quick, 'sh')).toEqual(['npm install && npm start\nnpm test\n']);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    expect(pkg.scripts.start).toBe('node cli/bin.js suite');
    expect(pkg.scripts.test).toBe('vitest run');
    expect(pkg.bin.tilekit).toBe('cli/bin.js');
  });

  test('the first kernel, copied into a folder outside the repo, runs and PASSes with the output shown', async () => {
    const first = section(md, 'Your first kernel');
    const [source] = codeBlocks(first, 'ts');
    expect(source).toContain("from 'tilekit'");
    expect(codeBlocks(first, 'sh')).toEqual(['npx tilekit run my_add.ts\n']);
    const dir = tempFiles({ 'my_add.ts': source });
    const r = await tilekit(['run', 'my_add.ts'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {2}myAdd matches the reference$/m);
    expect(stable(r.stdout)).toBe(stable(codeBlocks(first, 'text')[0]));
  });

  test('`tilekit ir` on the first kernel: a header line and one line per instruction', async () => {
    const [source] = codeBlocks(section(md, 'Your first kernel'), 'ts');
    const dir = tempFiles({ 'my_add.ts': source });
    const r = await tilekit(['ir', 'my_add.ts'], { cwd: dir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('kernel myAdd(%a: hbm float32[256, 512], %b: hbm float32[256, 512]) -> (%out)');
    const instrs = lines.filter((l) => /^ {2}#\d+ /.test(l));
    expect(instrs.map((l) => /#(\d+)/.exec(l)![1])).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(instrs.every((l) => / @ my_add\.ts:\d+:\d+/.test(l))).toBe(true);
  });

  test('the error example prints the diagnostic shown, exit 2', async () => {
    const errors = section(md, 'Errors');
    const dir = tempFiles({ 'my_bad.ts': codeBlocks(errors, 'ts')[0] });
    const r = await tilekit(['run', 'my_bad.ts'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(codeBlocks(errors, 'text')[0]);
  });

  test('the API example runs from a folder outside the repo with cli/register.js', async () => {
    const api = section(md, 'The API at a glance');
    const dir = tempFiles({ 'api.ts': codeBlocks(api, 'ts')[0] });
    expect(api).toContain('node --import /path/to/tilekit/cli/register.js script.ts');
    const r = await exec(process.execPath, ['--import', REGISTER, 'api.ts'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kernel relu\(%x: hbm bfloat16\[128, 256\]\) -> \(%out\)$/m);
    expect(r.stdout).toContain('[ 128, 256 ] bfloat16');
    expect(r.stdout).toMatch(/^PASS /m);
  });
});
