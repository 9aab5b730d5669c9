/**
 * `tilekit graph` end to end, as a subprocess: the README's commands and outputs, inputs/outputs files, JSON,
 * traces, and diagnostics (exit 2) for an unfixed dynamic dim and a drop-in kernel that computes the wrong thing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { describeFailure } from './diagnostics.ts';
import { formatGraphFileReport, runGraphFile } from './graph.ts';
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

const md = section(readme(), 'Graphs: whole models on the simulated chip');
const HELLO = join(REPO, 'graph/fixtures/hello_deepa.onnx');
const CLS = join(REPO, 'graph/fixtures/ch_ppocr_mobile_v2.0_cls_infer.onnx');
/** Simulated figures change with the timing model; the rest of a report must not. */
const masked = (text: string) =>
  text
    .replace(/\d+\.\d+/g, '#')
    .replace(/ +#/g, ' #')
    .replace(/ {2,}\d+$/gm, ' #');

/** A graph file whose Softmax is served by a kernel dividing by the row max instead of the sum (lines 17, 18). */
const BAD_MLP = `import { kernel, nisa, nl, type Tensor } from 'tilekit';
import { GraphBuilder, KernelRegistry } from 'tilekit/graph';

const badSoftmax = kernel(
  (x: Tensor) => {
    const out = nl.ndarray(x.shape, x.dtype, { buffer: nl.sharedHbm });
    const t = nl.load(x);
    const e = nl.exp(nl.add(t, nisa.tensorReduce('maximum', t, 1, { negate: true })));
    nl.store(out, nl.divide(e, nl.max(e, 1)));
    return out;
  },
  { name: 'badSoftmax' },
);

const g = new GraphBuilder('mlp');
const x = g.input('x', [2, 4, 16]);
  g.output(g.softmax(g.relu(g.matmul(x, g.weight('w', [16, 16])))), 'y');
export const registry = new KernelRegistry().register('Softmax', badSoftmax, { shapeRule: ({ inputs }) => ({ inputs: [[8, 16]] }) });
export const graph = g;
`;

describe.concurrent('tilekit graph', () => {
  test('the README example: hello_deepa.onnx prints the table shown (simulated figures aside)', async () => {
    expect(codeBlocks(md, 'sh')[0]).toBe('npx tilekit graph graph/fixtures/hello_deepa.onnx\n');
    const r = await tilekit(['graph', 'graph/fixtures/hello_deepa.onnx']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(masked(r.stdout)).toBe(masked(codeBlocks(md, 'text')[0]));
  });

  test("the README example: the user's RMSNorm kernel, from a folder of its own, serves the decoder's RMSNorms", async () => {
    const [source] = codeBlocks(md, 'ts');
    expect(source).toBe(readFileSync(join(REPO, 'graph/examples/my_rmsnorm.ts'), 'utf8'));
    const dir = tempFiles({ 'my_rmsnorm.ts': source });
    const decoder = join(REPO, 'graph/examples/decoder.ts');
    expect(codeBlocks(md, 'sh')[2]).toBe(
      'npx tilekit graph /path/to/tilekit/graph/examples/decoder.ts --kernel RMSNormalization=./my_rmsnorm.ts\n',
    );
    const r = await tilekit(['graph', decoder, '--kernel', 'RMSNormalization=./my_rmsnorm.ts'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => / RMSNormalization /.test(l) && /^\s*\d+ /.test(l));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toContain('user:myRmsnorm');
    expect(r.stdout).toMatch(
      /^drop-in {2}myRmsnorm serves RMSNormalization \(rmsnormalization_0\) on \[1, 16, 64\] float32: checked, max abs error \d\.\d+e-\d$/m,
    );
    for (const op of ['MatMul', 'RotaryEmbedding', 'Attention', 'MatMul+Silu', 'MatMul+Mul'])
      expect(r.stdout).toContain(op);
  });

  test('the README API example runs from a folder outside the repo', async () => {
    const dir = tempFiles({ 'api.ts': codeBlocks(md, 'ts')[1] });
    const r = await exec(process.execPath, ['--import', REGISTER, 'api.ts'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[ 8, 10 ] 2 kernels true true\n');
  });

  test('the README error example: a wrong drop-in kernel is refused, exit 2', async () => {
    const dir = tempFiles({ 'mlp.ts': BAD_MLP });
    const r = await tilekit(['graph', 'mlp.ts'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(codeBlocks(md, 'text')[1]);
  });
});

describe('tilekit graph, in process', () => {
  test('a dynamic dim left unfixed: TK0803 with the fix, exit 2; --json puts it on stdout', async () => {
    const err = await runGraphFile(CLS).catch((e) => e);
    const f = describeFailure(err);
    expect(f.exitCode).toBe(2);
    expect(f.text).toMatch(/TK0803 node 'p2o\.Conv\.0' \(Conv, node #213 of .*\): reads graph input 'x'/);
    expect(f.text).toContain('fix them with --input-shape x=<d0>,3,<d2>,<d3> (CLI)');
    expect(JSON.parse(describeFailure(err, { json: true }).text).error.code).toBe('TK0803');
  });

  test("--inputs / --outputs round-trip the fixture inputs to onnxruntime's outputs; --trace; --chip", async () => {
    const e = JSON.parse(readFileSync(join(REPO, 'graph/fixtures/expected/hello_deepa.json'), 'utf8'));
    const dir = tempFiles({ 'in.json': JSON.stringify(e.inputs) });
    const r = await runGraphFile(HELLO, {
      inputs: join(dir, 'in.json'),
      outputs: join(dir, 'out.json'),
      trace: join(dir, 'trace.json'),
      chip: 'trn2',
    });
    expect(r.report.chip).toBe('trn2');
    expect(r.report.steps.map((s) => s.ops[0])).toEqual(['Flatten', 'MatMul', 'MatMul', 'MatMul']);
    expect(JSON.parse(JSON.stringify(r.report)).latencyNs).toBeGreaterThan(0);
    const out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    expect(out['39'].shape).toEqual([1, 1]);
    expect(Math.abs(out['39'].data[0] - e.outputs['39'].data[0])).toBeLessThan(1e-4);
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8'));
    expect(trace.traceEvents.filter((x: { cat?: string }) => x.cat === 'graph')).toHaveLength(3);
    expect(formatGraphFileReport(r, { trace: 't.json' })).toMatch(/trace written to t\.json/);
  });

  test('bad flags: an --input-shape without dims, an --inputs file of the wrong shape, a missing graph export', async () => {
    await expect(runGraphFile(HELLO, { inputShape: ['x'] })).rejects.toThrow(
      "TK0809 --input-shape 'x' must look like name=1,3,48,320",
    );
    const dir = tempFiles({
      'in.json': JSON.stringify({ 'onnx::Flatten_0': { shape: [1, 2], data: [1, 2] } }),
      'nograph.ts': 'export const x = 1;\n',
    });
    await expect(runGraphFile(HELLO, { inputs: join(dir, 'in.json') })).rejects.toThrow(
      "TK0809 input 'onnx::Flatten_0' is [1, 25, 96]; --input-shape gave [1,2]",
    );
    await expect(runGraphFile(join(dir, 'nograph.ts'))).rejects.toThrow(
      /TK0810 .*nograph\.ts exports no graph/,
    );
    await expect(runGraphFile(HELLO, { kernel: ['Softmax=./nope.ts'] })).rejects.toThrow(
      /TK0701 cannot load nope\.ts: no such file/,
    );
  });
});
