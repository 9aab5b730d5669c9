/**
 * The generated kernel of a fused group, written with tilekit's DSL. Loops: O (affine) → channel blocks of ≤ 128
 * partitions (affine) → F chunks (affine; sequential when reductions accumulate across chunks). Per chunk the
 * anchor (if any) produces its tile, then each epilogue node is emitted from the lowering table (tile-ops.ts) on
 * tiles, per-partition columns and immediates; values read after the group are stored as they are computed.
 */
import { kernel, nisa, nl, type Tensor } from '../../dsl/index.ts';
import { activeTrace } from '../../tracer/context.ts';
import { AttrReader } from '../ops/op-def.ts';
import { CHUNK, type FusedGroup, operandPattern } from '../passes/fuse.ts';
import type { AnchorLayout } from '../passes/layout.ts';
import { deviceDType, sizes } from '../space.ts';
import type { Graph, Node, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import type { AnchorGen } from './anchor.ts';
import { convAnchor, poolAnchor } from './conv.ts';
import { type BuiltKernel, blocks, type KernelIO, loadOperand, P, spaceView } from './io.ts';
import { matmulAnchor } from './matmul.ts';
import { isReduceOp, REDUCE_OPS, TILE_OPS, type TileCtx, type TileVal } from './tile-ops.ts';

const typeOf = (g: Graph, v: number) => g.values[v].type as StaticType;

function makeAnchor(
  g: Graph,
  group: FusedGroup,
  layout: AnchorLayout | undefined,
  name: string,
): AnchorGen | undefined {
  if (!group.anchor || !layout) return undefined;
  if (layout.kind === 'matmul') return matmulAnchor(g, group, layout, name);
  if (layout.kind === 'conv') return convAnchor(g, group, layout, name);
  return poolAnchor(g, group, layout);
}

/** A scalar constant becomes an immediate; everything else is a kernel input. */
function scalarConst(g: Graph, v: number): number | undefined {
  const d = g.values[v].data;
  return d && numelOf(d.shape) === 1 ? d.data[0] : undefined;
}

/** Chunk length along F: the whole row, or CHUNK rounded to the anchor's granule. */
function chunkSize(F: number, whole: boolean, granule: number): number {
  if (whole || F <= CHUNK) return F;
  return Math.max(granule, Math.floor(CHUNK / granule) * granule);
}

export function buildFusedKernel(
  g: Graph,
  group: FusedGroup,
  layout: AnchorLayout | undefined,
  name: string,
): BuiltKernel {
  const sz = sizes(group.space);
  const anchor = makeAnchor(g, group, layout, name);
  const skip = new Set<number>([
    ...(anchor ? [group.anchor!.id] : []),
    ...(anchor?.evac.absorbed ?? []).map((n) => n.id),
  ]);
  const epilogue = group.nodes.filter((n) => !skip.has(n.id));
  const computed = new Set(group.nodes.flatMap((n) => n.outputs));
  // Values the epilogue reads from outside: kernel inputs unless immediates.
  const ext: number[] = [];
  for (const n of epilogue) {
    for (const v of n.inputs) {
      if (v === null || computed.has(v) || ext.includes(v) || scalarConst(g, v) !== undefined) continue;
      ext.push(v);
    }
  }
  const extIO: KernelIO[] = ext.map((v) => ({
    value: v,
    name: g.values[v].name,
    shape: typeOf(g, v).shape,
    dtype: deviceDType(typeOf(g, v).dtype),
  }));
  const inputs = [...(anchor?.inputs ?? []), ...extIO];
  const outputs: KernelIO[] = group.outputs.map((v) => ({
    value: v,
    name: g.values[v].name,
    shape: typeOf(g, v).shape,
    dtype: deviceDType(typeOf(g, v).dtype),
  }));
  const hasReduce = epilogue.some((n) => isReduceOp(n.op));
  const fc = chunkSize(sz.F, group.wholeRows, anchor?.granule ?? 1);
  const chunks = blocks(sz.F, fc);
  const accumulate = hasReduce && chunks.length > 1;
  const ctxOf = (n: Node): TileCtx => ({ node: n, attrs: new AttrReader(n.attrs), opset: g.opset, F: sz.F });
  // Which node each traced instruction serves: the per-op view of the kernel's time.
  const attribution = new Map<number, number>();
  const producer = new Map(group.nodes.flatMap((n) => n.outputs.map((v) => [v, n.id] as const)));
  const anchorNode = group.nodes[0].id;
  const serving = <T>(nodeId: number, fn: () => T): T => {
    const ctx = activeTrace();
    const from = ctx.instrs.length;
    const out = fn();
    for (let i = from; i < ctx.instrs.length; i++)
      if (!attribution.has(ctx.instrs[i].id)) attribution.set(ctx.instrs[i].id, nodeId);
    return out;
  };

  const body = (...params: Tensor[]) => {
    const anchorParams = params.slice(0, anchor?.inputs.length ?? 0);
    const extParams = params.slice(anchor?.inputs.length ?? 0);
    const run = anchor?.bind(anchorParams);
    const extView = new Map(ext.map((v, i) => [v, spaceView(extParams[i], operandPattern(g, group, v), sz)]));
    const outs = outputs.map((o) => nl.ndarray(o.shape, o.dtype, { buffer: nl.sharedHbm, name: o.name }));
    const outView = new Map(
      group.outputs.map((v, i) => [
        v,
        outs[i].reshape([sz.O, sz.C, group.levels.get(v) === 'col' ? 1 : sz.F]),
      ]),
    );
    const storeTile = (v: number, t: TileVal, o: number, c0: number, pc: number, f0: number, n: number) => {
      const tile = typeof t === 'number' ? nl.full([pc, n], t, 'float32') : t;
      nl.store(outView.get(v)!.get(o, [c0, c0 + pc], [f0, f0 + n]), tile);
    };
    for (const o of nl.affineRange(sz.O)) {
      run?.beginO(o);
      for (const cb of nl.affineRange(Math.ceil(sz.C / P))) {
        const c0 = cb * P;
        const pc = Math.min(P, sz.C - c0);
        run?.beginC(o, c0, pc);
        const colCache = new Map<number, Tensor>();
        const env = new Map<number, TileVal>();
        const partials = new Map<number, Tensor>();
        const valueAt = (v: number, f0: number, n: number): TileVal => {
          const known = env.get(v);
          if (known !== undefined) return known;
          const k = scalarConst(g, v);
          if (k !== undefined) return k;
          const p = operandPattern(g, group, v);
          if (!p.f && colCache.has(v)) return colCache.get(v)!;
          const t = loadOperand(extView.get(v)!, p, { o, c0, pc, f0, fc: n }, g.values[v].name);
          if (!p.f) colCache.set(v, t);
          return t;
        };
        const emit = (n: Node, f0: number, fn: number) => {
          const args = n.inputs.map((v) => (v === null ? undefined : valueAt(v, f0, fn)));
          if (isReduceOp(n.op)) {
            const r = REDUCE_OPS[n.op];
            const x = args[0];
            const part =
              typeof x === 'number'
                ? nl.full([pc, 1], x, 'float32')
                : nisa.tensorReduce(r.alu, x!, 1, { dtype: 'float32', name: 'partial' });
            const prev = partials.get(n.outputs[0]);
            const acc = prev ? nisa.tensorTensor(prev, part, r.alu, { dtype: 'float32', name: 'acc' }) : part;
            partials.set(n.outputs[0], acc);
            if (!accumulate)
              env.set(
                n.outputs[0],
                r.mean ? nisa.tensorScalar(acc, 'multiply', 1 / sz.F, { dtype: 'float32' }) : acc,
              );
            return;
          }
          const emitter = TILE_OPS[n.op as keyof typeof TILE_OPS];
          env.set(n.outputs[0], emitter(ctxOf(n), args));
        };
        const loop = accumulate ? nl.sequentialRange : nl.affineRange;
        for (const ci of loop(chunks.length)) {
          const { start: f0, size: n } = chunks[ci];
          for (const k of [...env.keys()]) if (group.levels.get(k) === 'tile') env.delete(k);
          if (run)
            env.set(
              anchor!.evac.result,
              serving(anchorNode, () => run.chunk(f0, n)),
            );
          for (const node of epilogue) {
            if (accumulate && group.levels.get(node.outputs[0]) === 'col' && !isReduceOp(node.op)) continue;
            serving(node.id, () => emit(node, f0, n));
          }
          for (const v of group.outputs) {
            if (group.levels.get(v) !== 'tile') continue;
            serving(producer.get(v)!, () => storeTile(v, env.get(v)!, o, c0, pc, f0, n));
          }
        }
        if (accumulate) {
          for (const node of epilogue) {
            if (isReduceOp(node.op)) {
              const r = REDUCE_OPS[node.op];
              const acc = partials.get(node.outputs[0])!;
              const mean = () => nisa.tensorScalar(acc, 'multiply', 1 / sz.F, { dtype: 'float32' });
              env.set(node.outputs[0], r.mean ? serving(node.id, mean) : acc);
            } else if (group.levels.get(node.outputs[0]) === 'col') serving(node.id, () => emit(node, 0, 1));
          }
        }
        for (const v of group.outputs) {
          if (group.levels.get(v) !== 'col') continue;
          serving(producer.get(v)!, () => storeTile(v, env.get(v)!, o, c0, pc, 0, 1));
        }
      }
    }
    return outs;
  };
  return {
    kernel: kernel(body, { name }),
    inputs,
    outputs,
    source: 'generated',
    attribution,
    absorbed: new Set((anchor?.evac.absorbed ?? []).map((n) => n.id)),
  };
}
