/**
 * A small ONNX model (opset 20) exercising the transformer ops the importer covers, written with graph/onnx/encode.ts
 * so onnxruntime can give its expected outputs: LayerNormalization, MatMul (2-D weights and batched Q·Kᵀ, P·V),
 * Split (num_outputs), Transpose, Mul, Where (causal mask), Softmax, Gelu, Erf, Add, a shape subgraph
 * (Shape → Gather / Slice → Concat → Cast → Cast → Concat → Reshape) that folds once the dynamic dims are fixed,
 * Gather, Slice and Concat.
 * Input x: ['batch', 'seq', 16]; the mask is [8, 8], so seq must be 8.
 */
import { rng } from '../../ir/host.ts';
import { ndarray } from '../ndarray.ts';
import type { OnnxModelSpec } from '../onnx/encode.ts';

const D = 16;
const S = 8;

function weight(shape: readonly number[], seed: number, scale: number) {
  const next = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return ndarray(
    shape,
    'float32',
    Array.from({ length: n }, () => (2 * next() - 1) * scale),
  );
}

export function transformerOpsModel(): OnnxModelSpec {
  const causal = Array.from({ length: S * S }, (_, k) => (Math.floor(k / S) >= k % S ? 1 : 0));
  return {
    name: 'transformer_ops',
    opset: 20,
    inputs: [{ name: 'x', shape: ['batch', 'seq', D] }],
    outputs: [{ name: 'y' }, { name: 'probs' }],
    initializers: [
      { name: 'gamma', value: weight([D], 11, 1) },
      { name: 'beta', value: weight([D], 12, 0.5) },
      { name: 'w_qkv', value: weight([D, 3 * D], 13, 0.25) },
      { name: 'scale', value: ndarray([], 'float32', [0.25]) },
      { name: 'mask', value: ndarray([S, S], 'bool', causal) },
      { name: 'neg', value: ndarray([], 'float32', [-1e9]) },
      { name: 'zero', value: ndarray([1], 'int64', [0]) },
      { name: 'one', value: ndarray([1], 'int64', [1]) },
      { name: 'two', value: ndarray([1], 'int64', [2]) },
      { name: 'minus_one', value: ndarray([1], 'int64', [-1]) },
      { name: 'rows', value: ndarray([3], 'int64', [2, 0, 5]) },
      { name: 'starts', value: ndarray([1], 'int64', [1]) },
      { name: 'ends', value: ndarray([1], 'int64', [7]) },
      { name: 'axes1', value: ndarray([1], 'int64', [1]) },
      { name: 'steps2', value: ndarray([1], 'int64', [2]) },
    ],
    nodes: [
      {
        op: 'LayerNormalization',
        name: 'ln',
        inputs: ['x', 'gamma', 'beta'],
        outputs: ['ln'],
        attrs: { axis: { i: -1 }, epsilon: { f: 1e-5 } },
      },
      { op: 'MatMul', name: 'qkv', inputs: ['ln', 'w_qkv'], outputs: ['qkv'] },
      {
        op: 'Split',
        name: 'split_qkv',
        inputs: ['qkv'],
        outputs: ['q', 'k', 'v'],
        attrs: { axis: { i: -1 }, num_outputs: { i: 3 } },
      },
      { op: 'Transpose', name: 'k_t', inputs: ['k'], outputs: ['kT'], attrs: { perm: { ints: [0, 2, 1] } } },
      { op: 'MatMul', name: 'scores', inputs: ['q', 'kT'], outputs: ['scores'] },
      { op: 'Mul', name: 'scaled', inputs: ['scores', 'scale'], outputs: ['scaled'] },
      { op: 'Where', name: 'masked', inputs: ['mask', 'scaled', 'neg'], outputs: ['masked'] },
      { op: 'Softmax', name: 'softmax', inputs: ['masked'], outputs: ['probs'], attrs: { axis: { i: -1 } } },
      { op: 'MatMul', name: 'attend', inputs: ['probs', 'v'], outputs: ['attn'] },
      { op: 'Gelu', name: 'gelu', inputs: ['attn'], outputs: ['g'] },
      { op: 'Erf', name: 'erf', inputs: ['attn'], outputs: ['e'] },
      { op: 'Add', name: 'sum', inputs: ['g', 'e'], outputs: ['ge'] },
      // Shape subgraph: [batch, seq, -1] from Shape(x), folded at compile time once batch and seq are fixed.
      { op: 'Shape', name: 'shape_x', inputs: ['x'], outputs: ['sx'] },
      { op: 'Gather', name: 'batch', inputs: ['sx', 'zero'], outputs: ['b'], attrs: { axis: { i: 0 } } },
      { op: 'Slice', name: 'seq', inputs: ['sx', 'one', 'two'], outputs: ['s'] },
      { op: 'Concat', name: 'batch_seq', inputs: ['b', 's'], outputs: ['bs'], attrs: { axis: { i: 0 } } },
      { op: 'Cast', name: 'to_int32', inputs: ['bs'], outputs: ['bs32'], attrs: { to: { i: 6 } } },
      { op: 'Cast', name: 'to_int64', inputs: ['bs32'], outputs: ['bs64'], attrs: { to: { i: 7 } } },
      {
        op: 'Concat',
        name: 'target',
        inputs: ['bs64', 'minus_one'],
        outputs: ['target'],
        attrs: { axis: { i: 0 } },
      },
      { op: 'Reshape', name: 'reshape', inputs: ['ge', 'target'], outputs: ['r'] },
      {
        op: 'Gather',
        name: 'pick_rows',
        inputs: ['r', 'rows'],
        outputs: ['picked'],
        attrs: { axis: { i: 1 } },
      },
      {
        op: 'Slice',
        name: 'every_other',
        inputs: ['ln', 'starts', 'ends', 'axes1', 'steps2'],
        outputs: ['sl'],
      },
      { op: 'Concat', name: 'y', inputs: ['picked', 'sl'], outputs: ['y'], attrs: { axis: { i: 1 } } },
    ],
  };
}

/**
 * ONNX opset 23 ops the decoder block uses: RMSNormalization, RotaryEmbedding (3-D, rotate-half, caches without
 * position ids) and Attention (3-D, causal, GQA with 2 query heads per K/V head). x: [1, 8, 32].
 */
export function attentionOpsModel(): OnnxModelSpec {
  const H = 4;
  const KVH = 2;
  const HD = 8;
  const hidden = H * HD;
  const half = HD / 2;
  const cos: number[] = [];
  const sin: number[] = [];
  for (let s = 0; s < S; s++)
    for (let i = 0; i < half; i++) {
      const a = s / 10000 ** ((2 * i) / HD);
      cos.push(Math.cos(a));
      sin.push(Math.sin(a));
    }
  return {
    name: 'attention_ops',
    opset: 23,
    inputs: [{ name: 'x', shape: [1, S, hidden] }],
    outputs: [{ name: 'y' }],
    initializers: [
      { name: 'g', value: weight([hidden], 21, 1) },
      { name: 'wq', value: weight([hidden, hidden], 22, 0.3) },
      { name: 'wk', value: weight([hidden, KVH * HD], 23, 0.3) },
      { name: 'wv', value: weight([hidden, KVH * HD], 24, 0.3) },
      { name: 'cos', value: ndarray([1, S, half], 'float32', cos) },
      { name: 'sin', value: ndarray([1, S, half], 'float32', sin) },
    ],
    nodes: [
      {
        op: 'RMSNormalization',
        name: 'norm',
        inputs: ['x', 'g'],
        outputs: ['n'],
        attrs: { axis: { i: -1 }, epsilon: { f: 1e-6 } },
      },
      { op: 'MatMul', name: 'q_proj', inputs: ['n', 'wq'], outputs: ['q'] },
      { op: 'MatMul', name: 'k_proj', inputs: ['n', 'wk'], outputs: ['k'] },
      { op: 'MatMul', name: 'v_proj', inputs: ['n', 'wv'], outputs: ['v'] },
      {
        op: 'RotaryEmbedding',
        name: 'rope_q',
        inputs: ['q', 'cos', 'sin'],
        outputs: ['qr'],
        attrs: { num_heads: { i: H } },
      },
      {
        op: 'RotaryEmbedding',
        name: 'rope_k',
        inputs: ['k', 'cos', 'sin'],
        outputs: ['kr'],
        attrs: { num_heads: { i: KVH } },
      },
      {
        op: 'Attention',
        name: 'attention',
        inputs: ['qr', 'kr', 'v'],
        outputs: ['y'],
        attrs: { q_num_heads: { i: H }, kv_num_heads: { i: KVH }, is_causal: { i: 1 } },
      },
    ],
  };
}
