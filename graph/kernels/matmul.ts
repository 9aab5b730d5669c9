/**
 * The MatMul anchor: Y[rows, N] = X[rows, K] · W[K, N] (+ bias row), rows on the PSUM partitions so the epilogue
 * sees output rows on partitions. Stationary: Xᵀ tiles [k, rows] (a free reshape when a block has one row, else a
 * TensorE transpose of the loaded rows); moving: W tiles [k, ≤512] (held in SBUF for the whole kernel when they fit).
 * A bias row is one more matmul, onesᵀ[1, rows] · b[1, n], accumulated in PSUM (exact), instead of an add.
 */
import type { Tensor } from '../../dsl/index.ts';
import { nisa, nl } from '../../dsl/index.ts';
import { consumers } from '../draft.ts';
import type { FusedGroup } from '../passes/fuse.ts';
import type { MatmulLayout } from '../passes/layout.ts';
import { patternOf, sizes } from '../space.ts';
import type { Graph, Node } from '../types.ts';
import { type AnchorGen, type AnchorRun, EvacRun, evacInputs, planEvacuation } from './anchor.ts';
import { blocks, type KernelIO, P } from './io.ts';

const BANK = 512;

/** An Add of a constant [N] row right after the matmul, folded into PSUM as a K = 1 matmul. */
function biasRow(g: Graph, group: FusedGroup, mm: Node): { node: Node; value: number } | undefined {
  const y = mm.outputs[0];
  if (group.outputs.includes(y)) return undefined;
  const rs = consumers(g).get(y) ?? [];
  if (rs.length !== 1 || rs[0].op !== 'Add' || !group.nodes.includes(rs[0])) return undefined;
  const add = rs[0];
  const other = add.inputs[add.inputs[0] === y ? 1 : 0]!;
  const c = g.values[other];
  const p = c.data ? patternOf(c.data.shape, group.space) : undefined;
  if (!p || p.o || p.c || !p.f) return undefined;
  return { node: add, value: other };
}

export function matmulAnchor(g: Graph, group: FusedGroup, layout: MatmulLayout, name: string): AnchorGen {
  const mm = group.anchor!;
  const [xv, wv] = mm.inputs as [number, number];
  const sz = sizes(group.space);
  const { K, N, xBatched, wBatched } = layout;
  const bias = biasRow(g, group, mm);
  const evac = planEvacuation(g, group, bias ? bias.node.outputs[0] : mm.outputs[0]);
  const absorbed = bias ? { ...evac, absorbed: [bias.node, ...evac.absorbed] } : evac;
  const inputs: KernelIO[] = [
    { value: xv, name: g.values[xv].name, shape: [xBatched ? sz.O : 1, sz.C, K], dtype: 'float32' },
    { value: wv, name: g.values[wv].name, shape: [wBatched ? sz.O : 1, K, N], dtype: 'float32' },
  ];
  if (bias)
    inputs.push({ value: bias.value, name: g.values[bias.value].name, shape: [1, N], dtype: 'float32' });
  const evacIO = evacInputs(evac, name);
  inputs.push(...evacIO);
  const kBlocks = blocks(K, P);

  return {
    inputs,
    evac: absorbed,
    granule: BANK,
    bind(params): AnchorRun {
      const [X, W] = params;
      const B = bias ? params[2] : undefined;
      const ev = params.slice(bias ? 3 : 2);
      const run = new EvacRun(evac, {
        scale: typeof evac.scale === 'number' ? undefined : ev[0],
        bias: typeof evac.bias === 'number' ? undefined : ev[typeof evac.scale === 'number' ? 0 : 1],
      });
      // Weights held in SBUF for the whole kernel when shared by every block and small enough.
      const resident =
        layout.wResident && !wBatched
          ? kBlocks.map((k) => nl.load(W.get(0, [k.start, k.start + k.size], ':'), { name: 'w' }))
          : undefined;
      const biasTile = B ? nl.load(B, { name: 'bias' }) : undefined;
      let o = 0;
      let pc = 0;
      let xT: Tensor[] = [];
      let ones: Tensor | undefined;
      return {
        beginO(oo) {
          o = oo;
        },
        beginC(oo, c0, pcc) {
          pc = pcc;
          const xo = xBatched ? oo : 0;
          if (pc === 1) {
            // One row: its transpose is the same bytes, read as a column.
            xT = kBlocks.map((k) =>
              nl.load(X.get(xo, [c0, c0 + 1], [k.start, k.start + k.size]).reshape([k.size, 1]), {
                name: 'xT',
              }),
            );
          } else {
            const rows = nl.load(X.get(xo, [c0, c0 + pc], ':'), { name: 'x' });
            xT = kBlocks.map((k) => {
              const t = nisa.ncTranspose(rows.get(':', [k.start, k.start + k.size]));
              return nisa.tensorCopy(t, { dtype: 'float32', name: 'xT' });
            });
          }
          if (biasTile) ones = nl.ones([1, pc], 'float32');
          run.beginC(c0, pc, (t, a, n) => nl.load(t.get([a, a + n], ':')));
        },
        chunk(f0, fc) {
          const out = nl.ndarray([pc, fc], 'float32', { name: 'mm' });
          const wo = wBatched ? o : 0;
          for (const sub of blocks(fc, BANK)) {
            const n0 = f0 + sub.start;
            const acc = nl.ndarray([pc, sub.size], 'float32', { buffer: nl.psum, name: 'acc' });
            kBlocks.forEach((k, ki) => {
              const w = resident
                ? resident[ki].get(':', [n0, n0 + sub.size])
                : nl.load(W.get(wo, [k.start, k.start + k.size], [n0, n0 + sub.size]), { name: 'w' });
              nisa.ncMatmul(xT[ki], w, { dst: acc, accumulate: ki > 0 });
            });
            if (biasTile && ones)
              nisa.ncMatmul(ones, biasTile.get(':', [n0, n0 + sub.size]), { dst: acc, accumulate: true });
            run.apply(acc, out.get(':', [sub.start, sub.start + sub.size]));
          }
          return out;
        },
      };
    },
  };
}
