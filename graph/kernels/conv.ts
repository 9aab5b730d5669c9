/**
 * Conv and pooling anchors over NCHW with channels on partitions and output pixels along the free dim. The input
 * plane of a channel block is loaded once into a zero-padded SBUF tile [c, Hp, Wp]; every kernel tap is then a
 * strided window of it ([c, rows, OW], strides from the conv's strides and dilations):
 * - tensor mode: one matmul per (input-channel block, tap) into PSUM, stationary weights [cin, cout];
 * - depthwise: multiply-accumulate of the windows by per-partition weights on VectorE;
 * - pooling: max/add of the windows on VectorE.
 */
import type { Tensor } from '../../dsl/index.ts';
import { nisa, nl } from '../../dsl/index.ts';
import type { FusedGroup } from '../passes/fuse.ts';
import type { ConvLayout, PoolLayout } from '../passes/layout.ts';
import { sizes } from '../space.ts';
import type { Graph } from '../types.ts';
import { type AnchorGen, type AnchorRun, EvacRun, evacInputs, planEvacuation } from './anchor.ts';
import { blocks, type KernelIO, P } from './io.ts';

const BANK = 512;

interface Geometry {
  readonly H: number;
  readonly W: number;
  readonly win: ConvLayout['win'];
}

/** Load channels [c0, c0 + pc) of image o into a padded [pc, Hp, Wp] tile filled with `fill`. */
function paddedPlane(X: Tensor, o: number, c0: number, pc: number, geo: Geometry, fill: number): Tensor {
  const [pt, pl, pb, pr] = geo.win.pads;
  const src = X.get(o, [c0, c0 + pc], ':', ':');
  if (pt + pl + pb + pr === 0) return nl.load(src, { name: 'plane' });
  const tile = nl.full([pc, geo.H + pt + pb, geo.W + pl + pr], fill, 'float32', { name: 'padded' });
  nisa.dmaCopy(tile.get(':', [pt, pt + geo.H], [pl, pl + geo.W]), src);
  return tile;
}

/** The window of tap (kh, kw) for output rows [oh0, oh0 + rows): [c, rows, OW]. */
function tapWindow(plane: Tensor, geo: Geometry, kh: number, kw: number, oh0: number, rows: number): Tensor {
  const [sh, sw] = geo.win.strides;
  const [dh, dw] = geo.win.dilations;
  const OW = geo.win.outHW[1];
  const r0 = kh * dh + sh * oh0;
  const c0 = kw * dw;
  return plane.get(':', [r0, r0 + sh * (rows - 1) + 1, sh], [c0, c0 + sw * (OW - 1) + 1, sw]);
}

export function convAnchor(g: Graph, group: FusedGroup, layout: ConvLayout, name: string): AnchorGen {
  const conv = group.anchor!;
  const xv = conv.inputs[0]!;
  const sz = sizes(group.space);
  const evac = planEvacuation(g, group, conv.outputs[0], { bias: layout.bias ?? 0 });
  const [kH, kW] = layout.win.kernel;
  const T = kH * kW;
  const OW = layout.win.outHW[1];
  const inputs: KernelIO[] = [
    { value: xv, name: g.values[xv].name, shape: [sz.O, layout.Cin, layout.H, layout.W], dtype: 'float32' },
    { value: -1, name: `${name}_weight`, shape: layout.weight.shape, dtype: 'float32', data: layout.weight },
    ...evacInputs(evac, name),
  ];
  const cinBlocks = blocks(layout.Cin, P);
  return {
    inputs,
    evac,
    granule: OW,
    bind(params): AnchorRun {
      const [X, Wt, ...ev] = params;
      const run = new EvacRun(evac, {
        scale: typeof evac.scale === 'number' ? undefined : ev[0],
        bias: typeof evac.bias === 'number' ? undefined : ev[typeof evac.scale === 'number' ? 0 : 1],
      });
      let o = 0;
      let pc = 0;
      let planes: Tensor[] = [];
      let weights: Tensor[] = [];
      let dwPlane: Tensor | undefined;
      let dwWeights: Tensor | undefined;
      return {
        beginO(oo) {
          o = oo;
          if (layout.mode === 'tensor')
            planes = cinBlocks.map((b) => paddedPlane(X, o, b.start, b.size, layout, 0));
        },
        beginC(_oo, c0, pcc) {
          pc = pcc;
          if (layout.mode === 'tensor') {
            weights = cinBlocks.map((b) =>
              nl.load(Wt.get([b.start, b.start + b.size], ':', [c0, c0 + pc]), { name: 'w' }),
            );
          } else {
            dwPlane = paddedPlane(X, o, c0, pc, layout, 0);
            dwWeights = nl.load(Wt.get([c0, c0 + pc], ':'), { name: 'w' });
          }
          run.beginC(c0, pc, (t, a, n) => nl.load(t.get([a, a + n], ':')));
        },
        chunk(f0, fc) {
          const oh0 = f0 / OW;
          const rows = fc / OW;
          const out = nl.ndarray([pc, fc], 'float32', { name: 'conv' });
          if (layout.mode === 'depthwise') {
            let acc: Tensor | undefined;
            for (let t = 0; t < T; t++) {
              const win = tapWindow(dwPlane!, layout, Math.floor(t / kW), t % kW, oh0, rows);
              const w = dwWeights!.get(':', [t, t + 1]);
              acc =
                acc === undefined
                  ? nisa.tensorScalar(win, 'multiply', w, { dtype: 'float32', name: 'dw' })
                  : nisa.scalarTensorTensor(win, 'multiply', w, 'add', acc, { dtype: 'float32', name: 'dw' });
            }
            const flat = acc!.reshape([pc, fc]);
            return run.trivial ? flat : run.apply(flat, out);
          }
          const perBank = Math.max(1, Math.floor(BANK / OW));
          for (let r0 = 0; r0 < rows; r0 += perBank) {
            const r = Math.min(perBank, rows - r0);
            const acc = nl.ndarray([pc, r * OW], 'float32', { buffer: nl.psum, name: 'acc' });
            let first = true;
            cinBlocks.forEach((_b, bi) => {
              for (let t = 0; t < T; t++) {
                const win = tapWindow(planes[bi], layout, Math.floor(t / kW), t % kW, oh0 + r0, r);
                nisa.ncMatmul(weights[bi].get(':', t, ':'), win, { dst: acc, accumulate: !first });
                first = false;
              }
            });
            run.apply(acc, out.get(':', [r0 * OW, (r0 + r) * OW]));
          }
          return out;
        },
      };
    },
  };
}

export function poolAnchor(g: Graph, group: FusedGroup, layout: PoolLayout): AnchorGen {
  const pool = group.anchor!;
  const xv = pool.inputs[0]!;
  const sz = sizes(group.space);
  const C = group.space.shape[1];
  const [kH, kW] = layout.win.kernel;
  const OW = layout.win.outHW[1];
  const evac = { func: 'identity' as const, scale: 1, bias: 0, absorbed: [], result: pool.outputs[0] };
  return {
    inputs: [{ value: xv, name: g.values[xv].name, shape: [sz.O, C, layout.H, layout.W], dtype: 'float32' }],
    evac,
    granule: OW,
    bind([X]): AnchorRun {
      let o = 0;
      let pc = 0;
      let plane: Tensor | undefined;
      const fill = layout.op === 'max' ? Number.NEGATIVE_INFINITY : 0;
      return {
        beginO(oo) {
          o = oo;
        },
        beginC(_oo, c0, pcc) {
          pc = pcc;
          plane = paddedPlane(X, o, c0, pc, layout, fill);
        },
        chunk(f0, fc) {
          const oh0 = f0 / OW;
          const rows = fc / OW;
          const alu = layout.op === 'max' ? 'maximum' : 'add';
          let acc: Tensor = tapWindow(plane!, layout, 0, 0, oh0, rows);
          for (let t = 1; t < kH * kW; t++) {
            const win = tapWindow(plane!, layout, Math.floor(t / kW), t % kW, oh0, rows);
            acc = nisa.tensorTensor(acc, win, alu, { dtype: 'float32', name: 'pool' });
          }
          if (kH * kW === 1) acc = nisa.tensorCopy(acc, { dtype: 'float32' });
          const flat = acc.reshape([pc, fc]);
          return layout.op === 'max'
            ? flat
            : nisa.tensorScalar(flat, 'multiply', 1 / layout.divisor, { dtype: 'float32' });
        },
      };
    },
  };
}
