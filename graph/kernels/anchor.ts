/**
 * Anchors: the kernels at the head of a fused group (matmul, conv, pooling). An anchor produces its output one
 * [p, f] chunk at a time into SBUF; a PSUM result is evacuated by one ScalarE activation that also applies the
 * group's leading per-channel affine ops and activation (conv + BatchNorm + ReLU is one instruction per chunk):
 * func(x · scale + bias), with scale and bias folded from constants at compile time.
 */
import type { Tensor } from '../../dsl/index.ts';
import { nisa } from '../../dsl/index.ts';
import type { ActivationFn } from '../../ir/activation.ts';
import { consumers } from '../draft.ts';
import type { FusedGroup } from '../passes/fuse.ts';
import { type Pattern, patternOf } from '../space.ts';
import type { Graph, NDArray, Node } from '../types.ts';
import { numelOf } from '../types.ts';
import type { KernelIO } from './io.ts';
import { evacuationFunc } from './tile-ops.ts';

/** Per-channel (C run) factor: a number, or one value per C index. */
export type ChannelVec = number | Float64Array;

export interface Evacuation {
  readonly func: ActivationFn;
  readonly scale: ChannelVec;
  readonly bias: ChannelVec;
  /** Epilogue nodes folded into the evacuation. */
  readonly absorbed: readonly Node[];
  /** The value the evacuated chunk holds (the last absorbed node's output, else the anchor's). */
  readonly result: number;
}

export interface AnchorRun {
  /** Once per O index, before its channel blocks. */
  beginO(o: number): void;
  /** Once per (o, channel block [c0, c0 + pc)). */
  beginC(o: number, c0: number, pc: number): void;
  /** The anchor's fp32 chunk for columns [f0, f0 + fc) of the current block, evacuated, in SBUF. */
  chunk(f0: number, fc: number): Tensor;
}

export interface AnchorGen {
  /** Kernel parameters the anchor reads, in order (graph values and prepared constants). */
  readonly inputs: readonly KernelIO[];
  /** What the evacuation applies, and the epilogue nodes it absorbs (their ops are not emitted again). */
  readonly evac: Evacuation;
  /** F chunks are multiples of this (or the whole F). */
  readonly granule: number;
  /** Bind the anchor to its kernel parameters (the tensors for `inputs`, in order). */
  bind(params: readonly Tensor[]): AnchorRun;
}

const constOf = (g: Graph, v: number | null): NDArray | undefined =>
  v === null ? undefined : g.values[v].data;

/** A constant's per-channel vector in the group's space, or undefined if it is not one (varies along O or F). */
function channelVec(g: Graph, group: FusedGroup, v: number): ChannelVec | undefined {
  const data = constOf(g, v);
  if (!data) return undefined;
  if (numelOf(data.shape) === 1) return data.data[0];
  const p: Pattern | undefined = patternOf(data.shape, group.space);
  if (!p || p.o || p.f || !p.c) return undefined;
  return Float64Array.from(data.data);
}

function combine(a: ChannelVec, b: ChannelVec, fn: (x: number, y: number) => number): ChannelVec {
  if (typeof a === 'number' && typeof b === 'number') return fn(a, b);
  const n = typeof a === 'number' ? (b as Float64Array).length : a.length;
  const at = (v: ChannelVec, i: number) => (typeof v === 'number' ? v : v[i]);
  return Float64Array.from({ length: n }, (_, i) => fn(at(a, i), at(b, i)));
}

/**
 * Fold the chain after the anchor into the evacuation while each value has one reader, in the group, and is not
 * stored: Mul/Div by a per-channel constant (scale), Add/Sub of one (bias), then at most one activation.
 */
export function planEvacuation(
  g: Graph,
  group: FusedGroup,
  start: number,
  init: { scale?: ChannelVec; bias?: ChannelVec } = {},
): Evacuation {
  const readers = consumers(g);
  const inGroup = new Set(group.nodes.map((n) => n.id));
  let scale: ChannelVec = init.scale ?? 1;
  let bias: ChannelVec = init.bias ?? 0;
  let func: ActivationFn = 'identity';
  const absorbed: Node[] = [];
  let cur = start;
  for (;;) {
    if (group.outputs.includes(cur)) break;
    const rs = readers.get(cur) ?? [];
    if (rs.length !== 1 || !inGroup.has(rs[0].id)) break;
    const n = rs[0];
    if (n.outputs.length !== 1 || group.levels.get(n.outputs[0]) !== 'tile') break;
    const other = n.inputs.length === 2 ? n.inputs[n.inputs[0] === cur ? 1 : 0] : null;
    const k = other === null ? undefined : channelVec(g, group, other);
    const first = n.inputs[0] === cur;
    let ok = true;
    if (func !== 'identity') ok = false;
    else if (n.op === 'Mul' && k !== undefined) {
      scale = combine(scale, k, (a, b) => a * b);
      bias = combine(bias, k, (a, b) => a * b);
    } else if (n.op === 'Div' && k !== undefined && first) {
      scale = combine(scale, k, (a, b) => a / b);
      bias = combine(bias, k, (a, b) => a / b);
    } else if (n.op === 'Add' && k !== undefined) bias = combine(bias, k, (a, b) => a + b);
    else if (n.op === 'Sub' && k !== undefined && first) bias = combine(bias, k, (a, b) => a - b);
    else {
      const f = n.inputs.length === 1 ? evacuationFunc(n) : undefined;
      if (f) func = f;
      else ok = false;
    }
    if (!ok) break;
    absorbed.push(n);
    cur = n.outputs[0];
  }
  return { func, scale, bias, absorbed, result: cur };
}

/** Kernel parameters for an evacuation's per-channel vectors ([C, 1] constants). */
export function evacInputs(evac: Evacuation, name: string): KernelIO[] {
  const io: KernelIO[] = [];
  for (const [what, v] of [
    ['scale', evac.scale],
    ['bias', evac.bias],
  ] as const) {
    if (typeof v === 'number') continue;
    io.push({
      value: -1,
      name: `${name}_${what}`,
      shape: [v.length, 1],
      dtype: 'float32',
      data: { shape: [v.length, 1], dtype: 'float32', data: v },
    });
  }
  return io;
}

/** Binds the evacuation's vectors: per channel block, [pc, 1] tiles (or numbers). */
export class EvacRun {
  private scaleTile: Tensor | number;
  private biasTile: Tensor | number;
  constructor(
    private readonly evac: Evacuation,
    private readonly params: { scale?: Tensor; bias?: Tensor },
  ) {
    this.scaleTile = typeof evac.scale === 'number' ? evac.scale : 1;
    this.biasTile = typeof evac.bias === 'number' ? evac.bias : 0;
  }

  beginC(c0: number, pc: number, load: (t: Tensor, c0: number, pc: number) => Tensor): void {
    if (this.params.scale) this.scaleTile = load(this.params.scale, c0, pc);
    if (this.params.bias) this.biasTile = load(this.params.bias, c0, pc);
  }

  get trivial(): boolean {
    return this.evac.func === 'identity' && this.scaleTile === 1 && this.biasTile === 0;
  }

  /** dst = func(src · scale + bias) on ScalarE (src in PSUM or SBUF). */
  apply(src: Tensor, dst: Tensor): Tensor {
    const bias = this.biasTile === 0 ? undefined : this.biasTile;
    return nisa.activation(this.evac.func, src, { scale: this.scaleTile, bias, dst, dtype: 'float32' });
  }
}
