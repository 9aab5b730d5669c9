/**
 * Pass 4: rewrite ops into the forms the later passes know, folding what is constant:
 * - Gemm → MatMul (+ Mul alpha) (+ Add beta·C), a transposed operand as a Transpose (folded when constant);
 * - BatchNormalization with constant statistics → Mul(scale′) + Add(shift′), per channel, which fuse into the
 *   producer's epilogue (a conv) like any elementwise op;
 * - GlobalAveragePool / GlobalMaxPool → ReduceMean / ReduceMax over the spatial axes (a row reduction).
 */
import { GraphDraft } from '../draft.ts';
import { nodeError } from '../errors.ts';
import { atNode } from '../infer.ts';
import { ndarray } from '../ndarray.ts';
import { AttrReader } from '../ops/op-def.ts';
import type { Graph, Node, StaticType } from '../types.ts';
import { constValue, emitNode } from './rewrite.ts';

const PASS = 'canonicalize';

type Rule = (n: Node, g: Graph, d: GraphDraft) => boolean;

const type = (g: Graph, id: number) => g.values[id].type as StaticType;

const gemm: Rule = (n, g, d) => {
  if (n.op !== 'Gemm') return false;
  const a = new AttrReader(n.attrs);
  const [A, B, C] = n.inputs as [number, number, number | null | undefined];
  const t = (id: number) => emitNode(d, PASS, n, 'Transpose', [id], { perm: [1, 0] })[0];
  const x = a.int('transA', 0) ? t(A) : A;
  const w = a.int('transB', 0) ? t(B) : B;
  const alpha = a.float('alpha', 1);
  const beta = a.float('beta', 1);
  const last = n.outputs[0];
  const hasC = C !== null && C !== undefined && beta !== 0;
  let y = emitNode(
    d,
    PASS,
    n,
    'MatMul',
    [x, w],
    {},
    { outputs: alpha === 1 && !hasC ? [last] : undefined, name: n.name },
  )[0];
  const dtype = type(g, A).dtype;
  if (alpha !== 1) {
    const k = constValue(d, `${n.name}/alpha`, ndarray([], dtype, [alpha]));
    y = emitNode(d, PASS, n, 'Mul', [y, k], {}, { outputs: hasC ? undefined : [last] })[0];
  }
  if (hasC) {
    let c = C!;
    if (beta !== 1)
      c = emitNode(d, PASS, n, 'Mul', [c, constValue(d, `${n.name}/beta`, ndarray([], dtype, [beta]))])[0];
    emitNode(d, PASS, n, 'Add', [y, c], {}, { outputs: [last], name: `${n.name}/bias` });
  }
  return true;
};

const batchNorm: Rule = (n, g, d) => {
  if (n.op !== 'BatchNormalization') return false;
  const [x, s, b, m, v] = n.inputs as number[];
  const params = [s, b, m, v].map((id) => g.values[id].data);
  if (params.some((p) => !p)) {
    throw nodeError(
      'TK0802',
      n,
      'BatchNormalization with statistics computed at run time is not supported (inference with constant statistics only)',
    );
  }
  const [scale, bias, mean, variance] = params.map((p) => p!.data);
  const eps = new AttrReader(n.attrs).float('epsilon', 1e-5);
  const xt = type(g, x);
  const C = xt.shape[1];
  const shape = [C, ...xt.shape.slice(2).map(() => 1)];
  const mul = new Float64Array(C);
  const add = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    mul[c] = scale[c] / Math.sqrt(variance[c] + eps);
    add[c] = bias[c] - mean[c] * mul[c];
  }
  const k1 = constValue(d, `${n.name}/scale`, ndarray(shape, xt.dtype, mul));
  const k2 = constValue(d, `${n.name}/shift`, ndarray(shape, xt.dtype, add));
  const y = emitNode(d, PASS, n, 'Mul', [x, k1], {}, { name: `${n.name}/scale` })[0];
  emitNode(d, PASS, n, 'Add', [y, k2], {}, { outputs: [n.outputs[0]], name: `${n.name}/shift` });
  return true;
};

const globalPool: Rule = (n, g, d) => {
  if (n.op !== 'GlobalAveragePool' && n.op !== 'GlobalMaxPool') return false;
  const rank = type(g, n.inputs[0]!).shape.length;
  const axes = Array.from({ length: rank - 2 }, (_, i) => i + 2);
  const op = n.op === 'GlobalAveragePool' ? 'ReduceMean' : 'ReduceMax';
  emitNode(d, PASS, n, op, [n.inputs[0]], { axes, keepdims: 1 }, { outputs: n.outputs, name: n.name });
  return true;
};

const RULES: readonly Rule[] = [gemm, batchNorm, globalPool];

/** `keep`: nodes served by registered kernels, left as the user registered them. */
export function canonicalize(g: Graph, keep: ReadonlySet<number> = new Set()): Graph {
  const d = GraphDraft.from(g);
  for (const n of g.nodes) {
    if (keep.has(n.id) || !atNode(n, () => RULES.some((rule) => rule(n, g, d)))) d.keepNode(n);
  }
  return d.freeze();
}
