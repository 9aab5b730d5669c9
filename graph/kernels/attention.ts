/**
 * Attention and RoPE kernels.
 *
 * Attention, per (batch, head) and block of ≤ 128 query rows (kernels.md "fused self-attention"): Qᵀ [D, q] and Kᵀ
 * [D, kv] by TensorE transposes of the loaded rows; scores S = Qᵀᵀ·Kᵀ into PSUM, scaled on evacuation; the causal
 * mask (or the attn_mask input) added as a constant [Sq, Skv] of 0 / -inf; row max, exp with bias -max and the row
 * sum in one ScalarE instruction; exp blocks transposed on TensorE and multiplied by V blocks, accumulated in PSUM;
 * divided by the row sums at the end. Query heads share K/V heads in groups (GQA).
 *
 * RoPE (rotate-half), tokens on partitions, per head: out₁ = x₁·cos − x₂·sin, out₂ = x₂·cos + x₁·sin.
 */
import { kernel, nisa, nl, type Tensor } from '../../dsl/index.ts';
import { nodeError } from '../errors.ts';
import { AttrReader } from '../ops/op-def.ts';
import { attentionInfo, ropeInfo } from '../ops/transformer.ts';
import { deviceDType } from '../space.ts';
import type { Graph, NDArray, Node, StaticType } from '../types.ts';
import { type BuiltKernel, blocks, type KernelIO, P } from './io.ts';

const BANK = 512;
const typeOf = (g: Graph, v: number) => g.values[v].type as StaticType;

function io(g: Graph, v: number): KernelIO {
  const t = typeOf(g, v);
  return { value: v, name: g.values[v].name, shape: t.shape, dtype: deviceDType(t.dtype) };
}

/** Rows [s0, s0 + n) of head h as an HBM view [n, d] (3-D [B, S, H·d] or 4-D [B, H, S, d]). */
function headRows(
  t: Tensor,
  threeD: boolean,
  b: number,
  h: number,
  d: number,
  s0: number,
  n: number,
): Tensor {
  return threeD ? t.get(b, [s0, s0 + n], [h * d, (h + 1) * d]) : t.get(b, h, [s0, s0 + n], ':');
}

/** [n, d] rows → [d, n] in SBUF via TensorE. */
function transposed(rows: Tensor): Tensor {
  return nisa.tensorCopy(nisa.ncTranspose(rows), { dtype: 'float32', name: 'T' });
}

export function attentionKernel(g: Graph, n: Node, name: string): BuiltKernel {
  const [qv, kv, vv, maskv] = n.inputs as (number | null)[];
  const info = attentionInfo(new AttrReader(n.attrs), typeOf(g, qv!), typeOf(g, kv!), typeOf(g, vv!));
  const { B, Hq, Hkv, Sq, Skv, D, Dv, threeD, causal, scale } = info;
  if (D > P || Dv > BANK) throw nodeError('TK0806', n, `head sizes ${D}/${Dv} exceed ${P}/${BANK}`);
  if (Skv > 8192) throw nodeError('TK0806', n, `key length ${Skv} exceeds the 8192 a row of scores holds`);
  const inputs: KernelIO[] = [io(g, qv!), io(g, kv!), io(g, vv!)];
  // The additive mask: the attn_mask input (constant) plus the causal -inf above the diagonal.
  const useMask = causal || maskv != null;
  if (maskv != null && !g.values[maskv].data) {
    throw nodeError(
      'TK0806',
      n,
      'Attention attn_mask computed at run time is not supported (constant masks only)',
    );
  }
  if (useMask) {
    const data = new Float64Array(Sq * Skv);
    const given = maskv != null ? g.values[maskv].data!.data : undefined;
    for (let i = 0; i < Sq; i++)
      for (let j = 0; j < Skv; j++) {
        const m = given
          ? g.values[maskv!].data!.dtype === 'bool'
            ? given[i * Skv + j]
              ? 0
              : -Infinity
            : given[i * Skv + j]
          : 0;
        data[i * Skv + j] = causal && j > i ? Number.NEGATIVE_INFINITY : m;
      }
    const mask: NDArray = { shape: [Sq, Skv], dtype: 'float32', data };
    inputs.push({ value: -1, name: `${name}_mask`, shape: [Sq, Skv], dtype: 'float32', data: mask });
  }
  const o: KernelIO = io(g, n.outputs[0]);
  const body = (Q: Tensor, K: Tensor, V: Tensor, M?: Tensor) => {
    const Y = nl.ndarray(o.shape, o.dtype, { buffer: nl.sharedHbm, name: o.name });
    const kvBlocks = blocks(Skv, P);
    for (const b of nl.affineRange(B)) {
      for (const h of nl.affineRange(Hq)) {
        const kh = Math.floor(h / (Hq / Hkv));
        const kT = nl.ndarray([D, Skv], 'float32', { name: 'kT' });
        const vBlocks = kvBlocks.map((kb) => {
          const rows = nl.load(headRows(K, threeD, b, kh, D, kb.start, kb.size), { name: 'k' });
          nisa.tensorCopy(nisa.ncTranspose(rows), { dst: kT.get(':', [kb.start, kb.start + kb.size]) });
          return nl.load(headRows(V, threeD, b, kh, Dv, kb.start, kb.size), { name: 'v' });
        });
        for (const qb of blocks(Sq, P)) {
          const q = qb.size;
          const qT = transposed(nl.load(headRows(Q, threeD, b, h, D, qb.start, q), { name: 'q' }));
          const s = nl.ndarray([q, Skv], 'float32', { name: 'scores' });
          for (const cb of blocks(Skv, BANK)) {
            const ps = nisa.ncMatmul(qT, kT.get(':', [cb.start, cb.start + cb.size]));
            nisa.activation('copy', ps, { scale, dst: s.get(':', [cb.start, cb.start + cb.size]) });
          }
          const logits = M
            ? nl.add(s, nl.load(M.get([qb.start, qb.start + q], ':'), { name: 'mask' }), { dtype: 'float32' })
            : s;
          const negMax = nisa.tensorReduce('maximum', logits, 1, {
            negate: true,
            dtype: 'float32',
            name: 'neg_max',
          });
          const sums = nl.ndarray([q, 1], 'float32', { name: 'sum' });
          const p = nisa.activation('exp', logits, {
            bias: negMax,
            reduceRes: sums,
            dtype: 'float32',
            name: 'p',
          });
          const acc = nl.ndarray([q, Dv], 'float32', { buffer: nl.psum, name: 'pv' });
          kvBlocks.forEach((kb, i) => {
            const pT = transposed(p.get(':', [kb.start, kb.start + kb.size]));
            nisa.ncMatmul(pT, vBlocks[i], { dst: acc, accumulate: i > 0 });
          });
          const y = nisa.tensorScalar(acc, 'divide', sums, { dtype: 'float32', name: 'y' });
          nl.store(headRows(Y, threeD, b, h, Dv, qb.start, q), y);
        }
      }
    }
    return Y;
  };
  const fn = useMask ? body : (Q: Tensor, K: Tensor, V: Tensor) => body(Q, K, V);
  return { kernel: kernel(fn, { name }), inputs, outputs: [o], source: 'generated' };
}

export function ropeKernel(g: Graph, n: Node, name: string): BuiltKernel {
  const [xv, cv, sv] = n.inputs as number[];
  const info = ropeInfo(new AttrReader(n.attrs), typeOf(g, xv), typeOf(g, cv));
  const { B, H, S, D, rot, threeD } = info;
  const half = rot / 2;
  const o = io(g, n.outputs[0]);
  const body = (X: Tensor, COS: Tensor, SIN: Tensor) => {
    const Y = nl.ndarray(o.shape, o.dtype, { buffer: nl.sharedHbm, name: o.name });
    const width = threeD ? H * D : D;
    const heads = threeD ? [null] : Array.from({ length: H }, (_, h) => h);
    for (const b of nl.affineRange(B)) {
      for (const hh of heads) {
        for (const sb of blocks(S, P)) {
          const rows = [sb.start, sb.start + sb.size] as [number, number];
          const src = hh === null ? X.get(b, rows, ':') : X.get(b, hh, rows, ':');
          const dst = hh === null ? Y.get(b, rows, ':') : Y.get(b, hh, rows, ':');
          const x = nl.load(src, { name: 'x' });
          const c = nl.load(COS.get(b, rows, ':'), { name: 'cos' });
          const s = nl.load(SIN.get(b, rows, ':'), { name: 'sin' });
          const y =
            rot === D
              ? nl.ndarray([sb.size, width], 'float32', { name: 'rope' })
              : nisa.tensorCopy(x, { dtype: 'float32' });
          for (let h = 0; h < (hh === null ? H : 1); h++) {
            const at = (a: number, len: number) => [h * D + a, h * D + a + len] as [number, number];
            const x1 = x.get(':', at(0, half));
            const x2 = x.get(':', at(half, half));
            const a1 = nl.multiply(x1, c, { dtype: 'float32' });
            const b1 = nl.multiply(x2, s, { dtype: 'float32' });
            nisa.tensorTensor(a1, b1, 'subtract', { dst: y.get(':', at(0, half)) });
            const a2 = nl.multiply(x2, c, { dtype: 'float32' });
            const b2 = nl.multiply(x1, s, { dtype: 'float32' });
            nisa.tensorTensor(a2, b2, 'add', { dst: y.get(':', at(half, half)) });
          }
          nl.store(dst, y);
        }
      }
    }
    return Y;
  };
  return {
    kernel: kernel(body, { name }),
    inputs: [io(g, xv), io(g, cv), io(g, sv)],
    outputs: [o],
    source: 'generated',
  };
}
