import { type HostArray, rng } from '../ir/host.ts';
import { userLocation } from '../tracer/location.ts';
import { GraphDraft } from './draft.ts';
import { graphError } from './errors.ts';
import { inferNode } from './infer.ts';
import { ndarray } from './ndarray.ts';
import type { GraphOpName } from './ops/index.ts';
import type { AttrValue, Graph, GraphDType, NDArray } from './types.ts';
import { LATEST_OPSET, numelOf } from './types.ts';

/** A value of a graph being built. */
export class GraphTensor {
  /** @internal */
  constructor(
    readonly builder: GraphBuilder,
    readonly id: number,
  ) {}
  get shape(): readonly number[] {
    return this.builder.typeOf(this).shape as readonly number[];
  }
  get dtype(): GraphDType {
    return this.builder.typeOf(this).dtype;
  }
  get name(): string {
    return this.builder.nameOf(this);
  }
}

export interface WeightOptions {
  /** Seed of the uniform values (default: derived from the name). */
  readonly seed?: number;
  /** Values are uniform in [-scale, scale) (default 1 / sqrt(first dim), as a linear layer's init). */
  readonly scale?: number;
  readonly dtype?: GraphDType;
}

function seedOf(name: string): number {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

type Attrs = Record<string, AttrValue>;

export class GraphBuilder {
  private readonly draft: GraphDraft;

  constructor(name = 'graph') {
    this.draft = new GraphDraft(name, LATEST_OPSET);
  }

  /** @internal */
  typeOf(t: GraphTensor) {
    return this.draft.values[t.id].type;
  }
  /** @internal */
  nameOf(t: GraphTensor) {
    return this.draft.values[t.id].name;
  }

  private own(t: GraphTensor | null, what: string): number | null {
    if (t === null) return null;
    if (!(t instanceof GraphTensor) || t.builder !== this) {
      throw graphError('TK0811', `${what} is not a tensor of graph '${this.draft.name}'`, userLocation());
    }
    return t.id;
  }

  /** A graph input of a static shape. */
  input(name: string, shape: readonly number[], dtype: GraphDType = 'float32'): GraphTensor {
    if (!shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw graphError(
        'TK0811',
        `input '${name}' needs a shape of positive integers, got [${shape}]`,
        userLocation(),
      );
    }
    const id = this.draft.addValue(this.draft.freshName(name), { shape: [...shape], dtype });
    this.draft.inputs.push(id);
    return new GraphTensor(this, id);
  }

  /** A constant tensor: an NDArray, a HostArray, or values with a shape. */
  constant(
    name: string,
    values: NDArray | HostArray | ArrayLike<number> | number,
    opts: { shape?: readonly number[]; dtype?: GraphDType } = {},
  ): GraphTensor {
    let arr: NDArray;
    if (typeof values === 'number') arr = ndarray(opts.shape ?? [], opts.dtype ?? 'float32', [values]);
    else if ('data' in values && 'shape' in values) {
      arr = ndarray(opts.shape ?? values.shape, opts.dtype ?? values.dtype, values.data);
    } else {
      const shape = opts.shape ?? [values.length];
      if (numelOf(shape) !== values.length) {
        throw graphError(
          'TK0811',
          `constant '${name}' has ${values.length} values for shape [${shape}]`,
          userLocation(),
        );
      }
      arr = ndarray(shape, opts.dtype ?? 'float32', values);
    }
    const id = this.draft.addValue(this.draft.freshName(name), { shape: arr.shape, dtype: arr.dtype }, arr);
    return new GraphTensor(this, id);
  }

  /** A seeded random weight, uniform in [-scale, scale). */
  weight(name: string, shape: readonly number[], opts: WeightOptions = {}): GraphTensor {
    const next = rng(opts.seed ?? seedOf(name));
    const scale = opts.scale ?? 1 / Math.sqrt(shape[0] ?? 1);
    const values = Array.from({ length: numelOf(shape) }, () => (2 * next() - 1) * scale);
    return this.constant(name, values, { shape, dtype: opts.dtype ?? 'float32' });
  }

  /** Mark a value as a graph output (optionally renamed). */
  output(t: GraphTensor, name?: string): void {
    const id = this.own(t, 'output')!;
    if (name) this.draft.setValue(id, { name: this.draft.freshName(name) });
    this.draft.outputs.push(id);
  }

  /** Any registry op: `g.op('Gelu', [x], { approximate: 'tanh' })`. */
  op(
    op: GraphOpName,
    inputs: readonly (GraphTensor | null)[],
    attrs: Attrs = {},
    opts: { name?: string; outputs?: number } = {},
  ): GraphTensor[] {
    const loc = userLocation();
    const ins = inputs.map((t, i) => this.own(t, `input ${i} of ${op}`));
    const count = opts.outputs ?? 1;
    const outs = Array.from({ length: count }, () =>
      this.draft.addValue('', { shape: [], dtype: 'float32' }),
    );
    const node = this.draft.addNode({
      op,
      name: opts.name,
      inputs: ins,
      outputs: outs,
      attrs,
      origin: { kind: 'ts', loc },
    });
    let inferred: ReturnType<typeof inferNode>;
    try {
      inferred = inferNode(node, (id) => this.draft.values[id], this.draft.opset);
    } catch (e) {
      this.draft.nodes.pop();
      throw e;
    }
    outs.forEach((id, i) => {
      this.draft.setValue(id, {
        name: this.draft.freshName(count === 1 ? node.name : `${node.name}_${i}`),
        type: inferred.types[i],
      });
    });
    return outs.map((id) => new GraphTensor(this, id));
  }

  private one(op: GraphOpName, inputs: readonly (GraphTensor | null)[], attrs: Attrs = {}, name?: string) {
    return this.op(op, inputs, attrs, { name })[0];
  }

  private scalarLike(x: GraphTensor | number, like: GraphTensor): GraphTensor {
    return typeof x === 'number' ? this.constant('scalar', x, { dtype: like.dtype }) : x;
  }

  add(a: GraphTensor, b: GraphTensor | number): GraphTensor {
    return this.one('Add', [a, this.scalarLike(b, a)]);
  }
  sub(a: GraphTensor, b: GraphTensor | number): GraphTensor {
    return this.one('Sub', [a, this.scalarLike(b, a)]);
  }
  mul(a: GraphTensor, b: GraphTensor | number): GraphTensor {
    return this.one('Mul', [a, this.scalarLike(b, a)]);
  }
  div(a: GraphTensor, b: GraphTensor | number): GraphTensor {
    return this.one('Div', [a, this.scalarLike(b, a)]);
  }
  pow(a: GraphTensor, b: GraphTensor | number): GraphTensor {
    return this.one('Pow', [a, this.scalarLike(b, a)]);
  }
  neg(x: GraphTensor): GraphTensor {
    return this.one('Neg', [x]);
  }
  exp(x: GraphTensor): GraphTensor {
    return this.one('Exp', [x]);
  }
  sqrt(x: GraphTensor): GraphTensor {
    return this.one('Sqrt', [x]);
  }
  relu(x: GraphTensor): GraphTensor {
    return this.one('Relu', [x]);
  }
  sigmoid(x: GraphTensor): GraphTensor {
    return this.one('Sigmoid', [x]);
  }
  tanh(x: GraphTensor): GraphTensor {
    return this.one('Tanh', [x]);
  }
  silu(x: GraphTensor): GraphTensor {
    return this.one('Silu', [x]);
  }
  gelu(x: GraphTensor, approximate: 'none' | 'tanh' = 'none'): GraphTensor {
    return this.one('Gelu', [x], { approximate });
  }
  where(cond: GraphTensor, a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.one('Where', [cond, a, b]);
  }
  cast(x: GraphTensor, to: 'float32' | 'int32' | 'int64' | 'bool'): GraphTensor {
    const code = { float32: 1, int32: 6, int64: 7, bool: 9 }[to];
    return this.one('Cast', [x], { to: code });
  }

  /** numpy matmul: [.., M, K] · [.., K, N]. */
  matmul(a: GraphTensor, b: GraphTensor): GraphTensor {
    return this.one('MatMul', [a, b]);
  }
  /** x · w (+ b): a linear layer with w [in, out]. */
  linear(x: GraphTensor, w: GraphTensor, b?: GraphTensor): GraphTensor {
    const y = this.matmul(x, w);
    return b ? this.add(y, b) : y;
  }
  softmax(x: GraphTensor, axis = -1): GraphTensor {
    return this.one('Softmax', [x], { axis });
  }
  layerNorm(x: GraphTensor, scale: GraphTensor, bias?: GraphTensor, epsilon = 1e-5): GraphTensor {
    return this.one('LayerNormalization', bias ? [x, scale, bias] : [x, scale], { axis: -1, epsilon });
  }
  rmsnorm(x: GraphTensor, scale: GraphTensor, epsilon = 1e-5): GraphTensor {
    return this.one('RMSNormalization', [x, scale], { axis: -1, epsilon });
  }
  /**
   * Multi-head attention on [B, S, heads · headDim] tensors (ONNX Attention, 3-D form): softmax(scale · Q Kᵀ) V per
   * head, causal when asked, K/V shared by groups of query heads (GQA) when kvHeads < heads.
   */
  attention(
    q: GraphTensor,
    k: GraphTensor,
    v: GraphTensor,
    opts: { heads: number; kvHeads?: number; causal?: boolean; scale?: number },
  ): GraphTensor {
    const attrs: Attrs = {
      q_num_heads: opts.heads,
      kv_num_heads: opts.kvHeads ?? opts.heads,
      is_causal: opts.causal ? 1 : 0,
    };
    if (opts.scale !== undefined) attrs.scale = opts.scale;
    return this.one('Attention', [q, k, v], attrs);
  }
  /**
   * Llama rotate-half RoPE on [B, S, heads · headDim] for positions 0..S-1: inv_freq_i = 1 / base^(2i / headDim)
   * (ONNX RotaryEmbedding with cos/sin caches built here).
   */
  rope(x: GraphTensor, opts: { heads: number; base?: number }): GraphTensor {
    const [B, S, hidden] = x.shape;
    const D = hidden / opts.heads;
    const half = D / 2;
    const base = opts.base ?? 10000;
    const cos = new Float64Array(B * S * half);
    const sin = new Float64Array(B * S * half);
    for (let b = 0; b < B; b++)
      for (let s = 0; s < S; s++)
        for (let i = 0; i < half; i++) {
          const angle = s / base ** ((2 * i) / D);
          cos[(b * S + s) * half + i] = Math.cos(angle);
          sin[(b * S + s) * half + i] = Math.sin(angle);
        }
    const c = this.constant('rope_cos', cos, { shape: [B, S, half] });
    const s = this.constant('rope_sin', sin, { shape: [B, S, half] });
    return this.one('RotaryEmbedding', [x, c, s], { num_heads: opts.heads });
  }
  reshape(x: GraphTensor, shape: readonly number[]): GraphTensor {
    return this.one('Reshape', [x, this.constant('shape', shape, { shape: [shape.length], dtype: 'int64' })]);
  }
  transpose(x: GraphTensor, perm: readonly number[]): GraphTensor {
    return this.one('Transpose', [x], { perm });
  }
  concat(xs: readonly GraphTensor[], axis: number): GraphTensor {
    return this.one('Concat', xs, { axis });
  }
  split(x: GraphTensor, sizes: readonly number[], axis = 0): GraphTensor[] {
    const s = this.constant('split', sizes, { shape: [sizes.length], dtype: 'int64' });
    return this.op('Split', [x, s], { axis }, { outputs: sizes.length });
  }
  reduceMean(x: GraphTensor, axes: readonly number[], keepdims = true): GraphTensor {
    return this.one('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
  reduceSum(x: GraphTensor, axes: readonly number[], keepdims = true): GraphTensor {
    return this.one('ReduceSum', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
  conv(
    x: GraphTensor,
    w: GraphTensor,
    b?: GraphTensor,
    opts: { strides?: readonly number[]; pads?: readonly number[]; group?: number } = {},
  ): GraphTensor {
    const attrs: Attrs = { group: opts.group ?? 1 };
    if (opts.strides) attrs.strides = opts.strides;
    if (opts.pads) attrs.pads = opts.pads;
    return this.one('Conv', b ? [x, w, b] : [x, w], attrs);
  }

  build(): Graph {
    if (this.draft.outputs.length === 0) {
      throw graphError(
        'TK0811',
        `graph '${this.draft.name}' has no outputs; mark them with g.output(t)`,
        userLocation(),
      );
    }
    return this.draft.freeze();
  }
}
