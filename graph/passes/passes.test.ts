/** The passes on the real models: what folds, what fuses, the layouts chosen, and an HBM plan that reuses safely. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compileGraph } from '../compile.ts';
import { decoderBlock } from '../examples/decoder.ts';
import { importOnnx } from '../onnx/import.ts';
import type { HbmPlan } from './plan.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const hello = compileGraph(importOnnx(fixture('hello_deepa.onnx'), 'hello_deepa.onnx'));
const cls = compileGraph(importOnnx(fixture('ch_ppocr_mobile_v2.0_cls_infer.onnx'), 'cls.onnx'), {
  inputShapes: { x: [1, 3, 48, 32] },
});
const ops = (s: { nodes: readonly { op: string }[] }) => s.nodes.map((n) => n.op).join('+');

describe('pass pipeline', () => {
  test('passes run in the documented order', () => {
    expect(hello.passes.map((p) => p.name)).toEqual([
      'fix-shapes',
      'infer-shapes',
      'fold-constants',
      'drop-ins',
      'canonicalize',
      'fold-constants',
      'fuse',
      'layout',
      'select-kernels',
      'plan-hbm',
    ]);
  });

  test('hello_deepa: each Gemm with its bias, the decomposed LayerNorm and the activation is one kernel', () => {
    expect(hello.steps.map(ops)).toEqual([
      'Flatten',
      'MatMul+Add+ReduceMean+Sub+Pow+ReduceMean+Add+Sqrt+Div+Mul+Add+Relu',
      'MatMul+Add+ReduceMean+Sub+Pow+ReduceMean+Add+Sqrt+Div+Mul+Add+Relu',
      'MatMul+Add+Sigmoid',
    ]);
    expect(hello.steps[0].kind).toBe('view');
    // Gemm's transB weight is stored [K, N] at compile time; the bias rides in PSUM; the weights stay resident.
    const first = hello.units[1];
    expect(first.kind === 'group' && first.anchor?.name).toBe('/layer1/Gemm');
    const w = hello.graph.values.find((v) => v.name.startsWith('/layer1/Gemm/Transpose'));
    expect(w?.data?.shape).toEqual([2400, 32]);
  });

  test('cls: constants and the shape subgraph fold, BatchNorm and the activations fuse into the convs', () => {
    expect(cls.graph.nodes.length).toBeLessThan(cls.source.nodes.length / 1.8);
    const kinds = new Map<string, number>();
    for (const s of cls.steps) kinds.set(ops(s), (kinds.get(ops(s)) ?? 0) + 1);
    // conv + BN + hardswish (Add, Clip, Mul, Div) and the squeeze-excite average in one kernel
    expect(kinds.get('Conv+Mul+Add+Add+Clip+Mul+Div+ReduceMean')).toBe(8);
    expect(kinds.get('Conv+Mul+Add+Relu')).toBeGreaterThan(3);
    expect(kinds.get('Conv+HardSigmoid')).toBe(9);
    expect(cls.steps.at(-1) && ops(cls.steps.at(-1)!)).toBe('MatMul+Add+Softmax');
    expect(cls.steps.filter((s) => s.kind === 'kernel')).toHaveLength(64);
  });

  test('layout: depthwise convs run on VectorE, the others on TensorE with [Cin, taps, Cout] weights', () => {
    const modes = new Map<string, number>();
    for (const u of cls.units) {
      if (u.kind !== 'group' || u.anchor?.op !== 'Conv') continue;
      const group = Number((u.anchor.attrs.group as number | undefined) ?? 1);
      const key = group > 1 ? 'depthwise' : 'dense';
      modes.set(key, (modes.get(key) ?? 0) + 1);
    }
    expect(modes.get('depthwise')).toBe(11);
    expect(modes.get('dense')).toBe(42);
  });
});

function checkPlan(plan: HbmPlan) {
  const b = plan.buffers;
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length; j++) {
      const timeOverlap = b[i].live[0] <= b[j].live[1] && b[j].live[0] <= b[i].live[1];
      const spaceOverlap = b[i].offset < b[j].offset + b[j].bytes && b[j].offset < b[i].offset + b[i].bytes;
      expect(timeOverlap && spaceOverlap, `${b[i].name} and ${b[j].name} overlap`).toBe(false);
    }
  }
  expect(plan.activationBytes).toBe(Math.max(...b.map((x) => x.offset + x.bytes)));
}

describe('HBM plan', () => {
  test.each([
    ['hello_deepa', hello],
    ['cls', cls],
    ['decoder', compileGraph(decoderBlock())],
  ])('%s: no two live buffers overlap; dead buffers are reused', (_name, cg) => {
    checkPlan(cg.plan);
    expect(cg.plan.activationBytes).toBeLessThanOrEqual(cg.plan.unsharedBytes);
  });

  test('cls reuses buffers: the activation region is a fraction of one-range-per-value', () => {
    expect(cls.plan.activationBytes).toBeLessThan(cls.plan.unsharedBytes / 4);
    // The Reshape before the classifier is a view: it shares its input's range.
    expect(cls.plan.buffers.some((b) => b.aliases.length > 0)).toBe(true);
  });
});
