/**
 * Pass 6: layout choice for the anchors of fused groups.
 * - MatMul: the activation rows are the stationary operand (Xᵀ tiles; the output rows land on PSUM partitions,
 *   where the epilogue wants them) and the weights are the moving operand, [K, N] as stored (a Gemm transB weight
 *   was transposed at compile time by folding); weights stay resident in SBUF when they fit.
 * - Conv: TensorE per kernel tap (stationary weights [Cin, taps, Cout] stored in that layout at compile time, moving
 *   strided windows of the padded input), or VectorE taps for depthwise convs (weights stored [C, taps]); grouped
 *   convs run dense with block-diagonal weights.
 * - Pooling: VectorE max/add over strided windows of the padded input.
 */
import { nodeError } from '../errors.ts';
import { convInfo, type Window2d, window2d } from '../ops/conv.ts';
import type { OpNameOfKind } from '../ops/index.ts';
import { AttrReader } from '../ops/op-def.ts';
import { sizes } from '../space.ts';
import type { Graph, NDArray, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import type { FusedGroup, Unit } from './fuse.ts';

export interface MatmulLayout {
  readonly kind: 'matmul';
  readonly K: number;
  readonly N: number;
  readonly xBatched: boolean;
  readonly wBatched: boolean;
  /** W is loaded once and kept in SBUF. */
  readonly wResident: boolean;
}

export interface ConvLayout {
  readonly kind: 'conv';
  readonly mode: 'tensor' | 'depthwise';
  readonly Cin: number;
  readonly Cout: number;
  readonly H: number;
  readonly W: number;
  readonly win: Window2d;
  /** tensor: [Cin, kH·kW, Cout]; depthwise: [C, kH·kW]. */
  readonly weight: NDArray;
  /** The conv's own bias, per output channel. */
  readonly bias?: Float64Array;
}

export interface PoolLayout {
  readonly kind: 'pool';
  readonly op: 'max' | 'average';
  readonly H: number;
  readonly W: number;
  readonly win: Window2d;
  /** Average pooling: the window size divided by. */
  readonly divisor: number;
}

export type AnchorLayout = MatmulLayout | ConvLayout | PoolLayout;

/** Bytes per partition a resident weight may take. */
const RESIDENT_BYTES = 64 * 1024;
/** Elements per partition of a padded conv/pool input tile. */
export const PADDED_LIMIT = 24 * 1024;
/** TensorE moving operand limit (one PSUM bank of fp32). */
const BANK = 512;

const typeOf = (g: Graph, v: number) => g.values[v].type as StaticType;

function matmulLayout(g: Graph, group: FusedGroup): MatmulLayout {
  const n = group.anchor!;
  const x = typeOf(g, n.inputs[0]!).shape;
  const w = typeOf(g, n.inputs[1]!).shape;
  if (w.length < 2)
    throw nodeError(
      'TK0806',
      n,
      `MatMul with a 1-D second operand [${w}] is not supported; reshape it to [${w[0]}, 1]`,
    );
  const K = w[w.length - 2];
  const N = w[w.length - 1];
  const { O } = sizes(group.space);
  const wBatched = w.length > 2;
  if (wBatched && numelOf(w.slice(0, -2)) !== O) {
    throw nodeError(
      'TK0806',
      n,
      `MatMul batch dims of [${x}] · [${w}] broadcast the weights partially; only equal or shared batches run`,
    );
  }
  const xBatched = wBatched && x.length > 2 && numelOf(x.slice(0, -2)) === O;
  if (wBatched && x.length > 2 && !xBatched) {
    throw nodeError(
      'TK0806',
      n,
      `MatMul batch dims of [${x}] · [${w}] broadcast partially; only equal or shared batches run`,
    );
  }
  const wResident = !wBatched && Math.ceil(K / 128) * N * 4 <= RESIDENT_BYTES;
  return { kind: 'matmul', K, N, xBatched, wBatched, wResident };
}

function convLayout(g: Graph, group: FusedGroup): ConvLayout {
  const n = group.anchor!;
  const x = typeOf(g, n.inputs[0]!).shape;
  const wv = g.values[n.inputs[1]!];
  if (!wv.data)
    throw nodeError(
      'TK0806',
      n,
      'Conv weights computed at run time are not supported (constant weights only)',
    );
  const { C: Cin, M: Cout, group: groups, win } = convInfo(new AttrReader(n.attrs), x, wv.data.shape);
  const [H, W] = [x[2], x[3]];
  const [kH, kW] = win.kernel;
  const T = kH * kW;
  const Hp = H + win.pads[0] + win.pads[2];
  const Wp = W + win.pads[1] + win.pads[3];
  if (Hp * Wp > PADDED_LIMIT) {
    throw nodeError(
      'TK0806',
      n,
      `padded input plane ${Hp}x${Wp} exceeds the ${PADDED_LIMIT} elements per partition a conv kernel holds; use a smaller --input-shape`,
    );
  }
  const bv = n.inputs[2] != null ? g.values[n.inputs[2]] : undefined;
  if (bv && !bv.data) throw nodeError('TK0806', n, 'Conv bias computed at run time is not supported');
  const bias = bv?.data ? Float64Array.from(bv.data.data) : undefined;
  const w = wv.data.data;
  const Cg = Cin / groups;
  if (groups === Cin && Cout === Cin) {
    const weight: NDArray = { shape: [Cin, T], dtype: 'float32', data: Float64Array.from(w) };
    return { kind: 'conv', mode: 'depthwise', Cin, Cout, H, W, win, weight, bias };
  }
  if (win.outHW[1] > BANK) {
    throw nodeError(
      'TK0806',
      n,
      `output width ${win.outHW[1]} exceeds ${BANK}, the TensorE moving size; use a smaller --input-shape`,
    );
  }
  // Dense [Cin, T, Cout]; a grouped conv gets zeros outside its blocks.
  const data = new Float64Array(Cin * T * Cout);
  const Mg = Cout / groups;
  for (let m = 0; m < Cout; m++) {
    const gi = Math.floor(m / Mg);
    for (let c = 0; c < Cg; c++) {
      const ci = gi * Cg + c;
      for (let t = 0; t < T; t++) data[(ci * T + t) * Cout + m] = w[(m * Cg + c) * T + t];
    }
  }
  return {
    kind: 'conv',
    mode: 'tensor',
    Cin,
    Cout,
    H,
    W,
    win,
    weight: { shape: [Cin, T, Cout], dtype: 'float32', data },
    bias,
  };
}

function poolLayout(g: Graph, group: FusedGroup): PoolLayout {
  const n = group.anchor!;
  const x = typeOf(g, n.inputs[0]!).shape;
  const a = new AttrReader(n.attrs);
  const win = window2d(a, x.slice(2), a.ints('kernel_shape'), { ceil: a.int('ceil_mode', 0) === 1 });
  const [H, W] = [x[2], x[3]];
  const Hp = H + win.pads[0] + win.pads[2];
  const Wp = W + win.pads[1] + win.pads[3];
  if (Hp * Wp > PADDED_LIMIT)
    throw nodeError('TK0806', n, `padded input plane ${Hp}x${Wp} is too large for a pooling kernel`);
  const op = n.op === 'MaxPool' ? 'max' : 'average';
  const padded = win.pads.some((p) => p > 0) || a.int('ceil_mode', 0) === 1;
  if (op === 'average' && padded && a.int('count_include_pad', 0) === 0) {
    throw nodeError('TK0806', n, 'AveragePool with padding and count_include_pad=0 is not supported');
  }
  return { kind: 'pool', op, H, W, win, divisor: win.kernel[0] * win.kernel[1] };
}

/** How each anchor op is laid out; Gemm never reaches here (canonicalized into MatMul). */
const ANCHOR_LAYOUTS = {
  MatMul: matmulLayout,
  Gemm: undefined,
  Conv: convLayout,
  MaxPool: poolLayout,
  AveragePool: poolLayout,
} as const satisfies Record<
  OpNameOfKind<'anchor'>,
  ((g: Graph, group: FusedGroup) => AnchorLayout) | undefined
>;

/** The layout of each fused group's anchor, by unit id. */
export function chooseLayouts(g: Graph, units: readonly Unit[]): Map<number, AnchorLayout> {
  const out = new Map<number, AnchorLayout>();
  for (const u of units) {
    if (u.kind !== 'group' || !u.anchor) continue;
    for (const v of u.anchor.inputs) {
      const t = v === null ? undefined : g.values[v].type;
      if (t && t.dtype !== 'float32') {
        throw nodeError(
          'TK0805',
          u.anchor,
          `input '${g.values[v!].name}' is ${t.dtype}; generated kernels compute fp32 graphs (insert a Cast to float32)`,
        );
      }
    }
    const make = ANCHOR_LAYOUTS[u.anchor.op as keyof typeof ANCHOR_LAYOUTS];
    if (!make)
      throw nodeError('TK0802', u.anchor, `${u.anchor.op} is not lowered to a kernel of its own here`);
    out.set(u.id, make(g, u));
  }
  return out;
}
