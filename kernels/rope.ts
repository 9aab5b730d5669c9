import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { hostArray } from '../ir/host.ts';
import { requireShape } from './checks.ts';
import type { LibraryKernel } from './library.ts';

const P = nl.tileSize.pmax;
/** kernels.md: inv_freq_i = 1 / 10000^(2i / hd). */
export const ROPE_BASE = 10000;

/** The rotation angle of position s and column c (frequencies duplicated to length hd). */
export function ropeAngle(s: number, c: number, hd: number): number {
  return s / ROPE_BASE ** ((2 * (c % (hd / 2))) / hd);
}

const hostTables = new Map<string, { cos: HostArray; sin: HostArray }>();

/** cos and sign-folded sin tables [seq, hd]: sinS[:, :h] = −sin, sinS[:, h:] = +sin (kernels.md's two halves). */
function tables(seq: number, hd: number): { cos: HostArray; sin: HostArray } {
  const key = `${seq}x${hd}`;
  const hit = hostTables.get(key);
  if (hit) return hit;
  const cos = new Float64Array(seq * hd);
  const sin = new Float64Array(seq * hd);
  for (let s = 0; s < seq; s++) {
    for (let c = 0; c < hd; c++) {
      const a = ropeAngle(s, c, hd);
      cos[s * hd + c] = Math.cos(a);
      sin[s * hd + c] = (c < hd / 2 ? -1 : 1) * Math.sin(a);
    }
  }
  const t = { cos: hostArray([seq, hd], 'float32', cos), sin: hostArray([seq, hd], 'float32', sin) };
  hostTables.set(key, t);
  return t;
}

/** The tables as shared HBM constants, made once per trace (every SPMD program of the grid uses the same ones). */
const traceTables = new WeakMap<object, { cos: Tensor; sin: Tensor }>();
function constants(x: Tensor, seq: number, hd: number): { cos: Tensor; sin: Tensor } {
  let c = traceTables.get(x.ctx);
  if (!c) {
    const t = tables(seq, hd);
    c = {
      cos: nl.sharedConstant(t.cos, { name: 'cos' }),
      sin: nl.sharedConstant(t.sin, { name: 'sinSigned' }),
    };
    traceTables.set(x.ctx, c);
  }
  return c;
}

/** Rows per partition at most: 32 × hd 128 fp32 = 16 KiB per partition per DMA. */
const MAX_ROWS_PER_PARTITION = 32;

/**
 * The row blocks of one (batch, head): [first row, rows per partition R, partitions]. RoPE is per row, so a block of
 * 128·R consecutive rows puts R consecutive rows on each partition: one contiguous R·hd run per partition per DMA
 * (neuroncore.md §3.8: ≥ 2 KiB per partition). A seq that is not a multiple of 128 uses 128-row tiles (R = 1), the
 * last one ragged.
 */
function rowBlocks(seq: number): [number, number, number][] {
  const R = seq % P === 0 ? Math.min(MAX_ROWS_PER_PARTITION, seq / P) : 1;
  const blocks: [number, number, number][] = [];
  for (let s0 = 0; s0 < seq; s0 += P * R) blocks.push([s0, R, Math.min(P, Math.ceil((seq - s0) / R))]);
  return blocks;
}

/**
 * Llama RoPE, rotate-half (kernels.md): with h = hd/2, out[:h] = x[:h]·cos[:h] − x[h:]·sin[:h] and
 * out[h:] = x[h:]·cos[h:] + x[:h]·sin[h:], applied to q and k [bs, heads, seq, hd]. SPMD grid [bs, heads]; seq on
 * partitions, R consecutive rows per partition (`rowBlocks`). The cos and (sign-folded) sin tables are shared HBM
 * constants computed when the kernel is traced (fp64, rounded to fp32), loaded in the same layout. Per block and
 * tensor: x·cos, the two swapped halves times sin, one add, in place; q's steps run on VectorE and k's on GpSimd.
 */
export const ropeKernel = kernel(function rope(q: Tensor, k: Tensor) {
  const [, , seq, hd] = q.shape;
  const h = hd / 2;
  const b = nl.programId(0);
  const head = nl.programId(1);
  const qOut = nl.ndarray(q.shape, q.dtype, { buffer: nl.sharedHbm });
  const kOut = nl.ndarray(k.shape, k.dtype, { buffer: nl.sharedHbm });
  const { cos: cosT, sin: sinT } = constants(q, seq, hd);
  const blocks = rowBlocks(seq);
  for (const bi of nl.affineRange(blocks.length)) {
    const [s0, R, n] = blocks[bi];
    /** The block of an HBM [seq, hd] view as [n partitions, R rows, hd]. */
    const block = (t: Tensor) => t.get(nl.ds(s0, n * R), ':').reshape([n, R, hd]);
    const c = nl.load(block(cosT), { name: 'cos' });
    const s = nl.load(block(sinT), { name: 'sin' });
    for (const [x, out, engine] of [
      [q, qOut, 'vector'],
      [k, kOut, 'gpsimd'],
    ] as const) {
      const xt = nl.load(block(x.get(b, head)), { name: 'x' });
      const rot = nl.ndarray([n, R, hd], nl.float32, { name: 'rot' });
      const half = (t: Tensor, lo: number) => t.get(':', ':', [lo, lo + h]);
      nisa.tensorTensor(half(xt, h), half(s, 0), 'multiply', { dst: half(rot, 0), engine });
      nisa.tensorTensor(half(xt, 0), half(s, h), 'multiply', { dst: half(rot, h), engine });
      const xc = nisa.tensorTensor(xt, c, 'multiply', { dtype: nl.float32, engine, name: 'xcos' });
      nisa.tensorTensor(xc, rot, 'add', { dst: xt, engine });
      nl.store(block(out.get(b, head)), xt);
    }
  }
  return [qOut, kOut];
});

/** The plain-TS reference: rotate-half RoPE of one [bs, heads, seq, hd] tensor in fp64. */
export function ropeReference(x: HostArray): Float64Array {
  const [bs, heads, seq, hd] = x.shape;
  const h = hd / 2;
  const y = new Float64Array(x.data.length);
  for (let bh = 0; bh < bs * heads; bh++) {
    for (let s = 0; s < seq; s++) {
      const o = (bh * seq + s) * hd;
      for (let c = 0; c < hd; c++) {
        const a = ropeAngle(s, c, hd);
        const other = c < h ? -x.data[o + c + h] : x.data[o + c - h];
        y[o + c] = x.data[o + c] * Math.cos(a) + other * Math.sin(a);
      }
    }
  }
  return y;
}

export const rope: LibraryKernel = {
  name: 'rope',
  description: 'Llama rotate-half RoPE of q and k [batch, heads, seq, hd]; SPMD grid [batch, heads]',
  shapeParams: ['batch', 'heads', 'seq', 'hd'],
  defaultShape: { batch: 1, heads: 2, seq: 128, hd: 128 },
  // kernels.md: bs 2, heads 32, seq {64, 128, 256}, hd 128, fp32: 64 programs each, ~4-9 s per shape on the host,
  // so seq 128 and 256 run with TILEKIT_FULL=1. 300 adds ragged seq tiles.
  testShapes: [
    { batch: 2, heads: 32, seq: 64, hd: 128 },
    { batch: 1, heads: 2, seq: 300, hd: 64 },
  ],
  fullTestShapes: [
    { batch: 2, heads: 32, seq: 128, hd: 128 },
    { batch: 2, heads: 32, seq: 256, hd: 128 },
  ],
  dtypes: ['float32'],
  build(shape, dtype) {
    const { batch, heads, seq, hd } = requireShape('rope', shape, ['batch', 'heads', 'seq', 'hd']);
    if (hd % 2 !== 0 || hd > P) throw new RangeError(`rope: hd ${hd} must be even and at most ${P}`);
    const spec = { shape: [batch, heads, seq, hd], dtype };
    return { kernel: ropeKernel.grid(batch, heads), inputs: [spec, spec] };
  },
  reference: (_shape, [q, k]) => [ropeReference(q), ropeReference(k)],
  // kernels.md: atol = rtol = 1e-5. fp32 tables (≤ 2^-24 relative) and three fp32 roundings per output.
  tolerance: (): Tolerance => ({ atol: 1e-5, rtol: 1e-5 }),
};
