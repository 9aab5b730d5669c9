import type { PhysAccess, ProgInstr } from '../../../codegen/program.ts';
import type { AluOp } from '../../../ir/alu.ts';
import { applyAlu } from '../../../ir/alu.ts';
import { e4m3fnValues, e4m3Values, e5m2Values, f16Values } from '../../../ir/dtypes/float-codec.ts';
import type { DType } from '../../../ir/dtypes.ts';
import type { EvalKernels } from '../../../ir/op-def.ts';
import type { DmaCopyAttrs } from '../../../ir/ops/dma.ts';
import { type MatmulAttrs, matmulRows } from '../../../ir/ops/matmul.ts';
import type { MemSpace } from '../../../ir/types.ts';
import { count, type Memories } from '../../memory.ts';
import type { BackendName, BackendSession, MemorySizes } from '../types.ts';
import { type WasmMemory, WebAssemblyApi } from './api.ts';
import {
  ALU_BINARY,
  type Kind,
  kernelModule,
  LIST_WORDS,
  MR,
  NW,
  TABLE_E4M3,
  TABLE_E4M3FN,
  TABLE_E5M2,
  TABLE_F16,
  TABLES_END,
} from './kernels.ts';
import { CTL_WORDS, MAX_CHUNKS, type MatmulJob, type ThreadPool } from './threads.ts';

const KIND: Readonly<Record<DType, Kind>> = {
  float32: 'f32',
  tfloat32: 'tf32',
  bfloat16: 'bf16',
  float16: 'f16',
  float8_e4m3: 'e4m3',
  float8_e4m3fn: 'e4m3fn',
  float8_e5m2: 'e5m2',
  int8: 'i8',
  uint8: 'u8',
  int16: 'i16',
  uint16: 'u16',
  int32: 'i32',
  uint32: 'u32',
};
const FLOAT_KIND = new Set<Kind>(['f32', 'tf32', 'bf16', 'f16', 'e4m3', 'e4m3fn', 'e5m2']);
const TABLED = new Set<Kind>(['f16', 'e4m3', 'e4m3fn', 'e5m2']);

/**
 * A same-dtype move as decode + encode does it (ir/dtypes/bulk.ts): [lane bits, mask, NaN test mask, largest
 * non-NaN magnitude, canonical NaN]. Integers move unchanged; floats keep every pattern except NaNs, which become
 * the format's canonical NaN (tfloat32 also drops its ignored low mantissa bits).
 */
const CANON: Readonly<Record<Kind, readonly [8 | 16 | 32, number, number, number, number]>> = {
  f32: [32, -1, 0x7fffffff, 0x7f800000, 0x7fc00000],
  tf32: [32, 0xffffe000 | 0, 0x7fffffff, 0x7f800000, 0x7fc00000],
  bf16: [16, 0xffff, 0x7fff, 0x7f80, 0x7fc0],
  f16: [16, 0xffff, 0x7fff, 0x7c00, 0x7e00],
  e4m3: [8, 0xff, 0x7f, 0x78, 0x7c],
  e4m3fn: [8, 0xff, 0x7f, 0x7e, 0x7f],
  e5m2: [8, 0xff, 0x7f, 0x7c, 0x7e],
  i8: [8, -1, 0, 0, 0],
  u8: [8, -1, 0, 0, 0],
  i16: [16, -1, 0, 0, 0],
  u16: [16, -1, 0, 0, 0],
  i32: [32, -1, 0, 0, 0],
  u32: [32, -1, 0, 0, 0],
};

/** Matmul operand limits of the scratch areas (TensorE's own limits: K ≤ 128 (256 in doubleRow), M ≤ 128, N ≤ 512). */
const MAX_R = 256;
const MAX_M = 128;
const MAX_N = 512;

const KiB = 1024;
const align = (n: number, a: number) => Math.ceil(n / a) * a;

/** Linear memory layout: tables, control words, matmul scratch, a generic fp64 arena, run lists, then the memories. */
const CTRL = align(TABLES_END, 256);
/** Two classify summaries (A at CLASSIFY, B at CLASSIFY + 16): low-bit OR, max exponent, min nonzero exponent. */
const CLASSIFY = CTRL + CTL_WORDS * 4;
const TMP_A = CTRL + 4 * KiB;
const TMP_B = TMP_A + MAX_R * MAX_M * 4;
/**
 * Panel blocks are one cache line more than their data apart: blocks exactly 4 KiB apart (R = 128, NW = 8) would
 * all map to the same L1 sets while a row is scattered into them.
 */
const BLOCK_PAD = 64;
const panelPitch = (R: number, w: number) => R * w * 4 + BLOCK_PAD;
const PANEL_A_BYTES = (MAX_M / MR) * panelPitch(MAX_R, MR);
const PANEL_B_BYTES = (MAX_N / NW) * panelPitch(MAX_R, NW);
const PANEL_A = TMP_B + MAX_R * MAX_N * 4;
const PANEL_B = PANEL_A + PANEL_A_BYTES;
const PANEL_A64 = PANEL_B + PANEL_B_BYTES;
const PANEL_B64 = PANEL_A64 + 2 * PANEL_A_BYTES;
const C = PANEL_B64 + 2 * PANEL_B_BYTES;
const ARENA = C + MAX_M * MAX_N * 4;
const ARENA_BYTES = 2048 * KiB;
/** Run lists (kernels.ts listFunc): entries of LIST_WORDS i32. */
const LIST = ARENA + ARENA_BYTES;
const LIST_ENTRIES = Math.floor((256 * KiB) / (LIST_WORDS * 4));
const DATA = LIST + 256 * KiB;
const PAGE = 65536;
const MAX_PAGES = 65536;

/** Matmuls of at least this many multiply-adds are split over the worker threads. */
const PARALLEL_MACS = 1 << 21;

type Fn = (...args: number[]) => number;

export interface WasmSessionOptions {
  readonly threads?: ThreadPool;
  /** Leave ncMatmul to EvalKernels.matmul (e.g. gpujs provides its own). */
  readonly matmul?: EvalKernels['matmul'];
  readonly name?: BackendName;
}

/** Bytes of linear memory a session needs, or undefined when it exceeds 32-bit WebAssembly memory. */
export function wasmPages(sizes: MemorySizes): number | undefined {
  const end = DATA + align(sizes.hbm, 64) + align(sizes.sbuf, 64) + align(sizes.psum, 64);
  const pages = Math.ceil(end / PAGE);
  return pages <= MAX_PAGES ? pages : undefined;
}

/**
 * One simulation's memories inside a WebAssembly memory, with the kernels of kernels.ts run straight on them.
 */
export class WasmSession implements BackendSession {
  readonly backend: BackendName;
  readonly hbm: Uint8Array;
  readonly sbuf: Uint8Array;
  readonly psum: Uint8Array;
  readonly kernels: EvalKernels;
  private readonly memory: WasmMemory;
  private readonly x: Readonly<Record<string, Fn>>;
  private readonly f32: Float32Array;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly ctl: Int32Array;
  private readonly base: Readonly<Record<MemSpace, number>>;
  private readonly threads: ThreadPool | undefined;
  private readonly shared: boolean;
  private tables = false;
  private readonly runsA = new Runs();
  private readonly runsB = new Runs();
  private readonly list: RunList;
  private readonly list2: RunList;

  constructor(sizes: MemorySizes, pages: number, opts: WasmSessionOptions = {}) {
    const api = WebAssemblyApi!;
    this.backend = opts.name ?? 'wasm';
    this.threads = opts.threads;
    this.shared = opts.threads !== undefined;
    this.memory = new api.Memory({ initial: pages, maximum: pages, shared: this.shared });
    const inst = new api.Instance(kernelModule(this.shared), { env: { memory: this.memory } });
    this.x = inst.exports as Record<string, Fn>;
    const buf = this.memory.buffer;
    this.f32 = new Float32Array(buf);
    this.f64 = new Float64Array(buf);
    this.i32 = new Int32Array(buf);
    this.ctl = new Int32Array(buf, CTRL, CTL_WORDS);
    const hbm = DATA;
    const sbuf = hbm + align(sizes.hbm, 64);
    const psum = sbuf + align(sizes.sbuf, 64);
    this.base = { hbm, sbuf, psum };
    this.hbm = new Uint8Array(buf, hbm, sizes.hbm);
    this.sbuf = new Uint8Array(buf, sbuf, sizes.sbuf);
    this.psum = new Uint8Array(buf, psum, sizes.psum);
    this.list = new RunList(this.i32, LIST, LIST_ENTRIES);
    this.list2 = new RunList(this.i32, LIST, LIST_ENTRIES);
    const binaryOps = new Set<AluOp>(ALU_BINARY);
    this.kernels = {
      matmul: opts.matmul ?? ((...a) => this.matmulValues(...a)),
      binary: { ops: binaryOps, run: (op, a, b, out) => this.binary(op, a, b, out) },
    };
    if (opts.matmul) this.execMatmulDirect = false;
  }

  private execMatmulDirect = true;

  // ---- generic operand reads and writes (fp64 values through the arena) ----

  read(mem: Memories, a: PhysAccess, out: Float64Array): boolean {
    const n = out.length;
    if (n * 8 > ARENA_BYTES) return false;
    const kind = KIND[a.dtype];
    this.needTables(kind);
    const r = this.runsA.collect(a, this.base[a.space], this.pitch(mem, a));
    const list = this.list;
    let pos = 0;
    for (let k = 0; k < r.count; k++) {
      const cnt = r.n(k);
      list.push(r.addr(k), r.stride(k), cnt, ARENA + pos * 8, 0);
      pos += cnt;
    }
    list.call(this.x[`dec64_${kind}`]);
    out.set(this.f64.subarray(ARENA / 8, ARENA / 8 + n));
    return true;
  }

  write(mem: Memories, a: PhysAccess, values: Float64Array): boolean {
    const n = values.length;
    if (n * 8 > ARENA_BYTES) return false;
    this.f64.set(values, ARENA / 8);
    const r = this.runsA.collect(a, this.base[a.space], this.pitch(mem, a));
    const list = this.list;
    let pos = 0;
    for (let k = 0; k < r.count; k++) {
      const cnt = r.n(k);
      list.push(ARENA + pos * 8, cnt, r.addr(k), r.stride(k), 0);
      pos += cnt;
    }
    list.call(this.x[`enc64_${KIND[a.dtype]}`]);
    return true;
  }

  private pitch(mem: Memories, a: PhysAccess): number {
    return mem.pitch[a.space];
  }

  // ---- whole instructions ----

  execute(mem: Memories, ins: ProgInstr): boolean {
    switch (ins.op) {
      case 'ncMatmul':
        return this.execMatmulDirect && this.execMatmul(mem, ins);
      case 'dmaCopy': {
        const at = ins.attrs as DmaCopyAttrs;
        if (at.indirect || at.dstRmwOp) return false;
        return this.move(mem, ins.ins[0], ins.outs[0], at.cast ?? false);
      }
      case 'tensorCopy':
        return this.move(mem, ins.ins[0], ins.outs[0], false);
      default:
        return false;
    }
  }

  /**
   * Copy src's elements to dst's: the same dtype as a canonicalising byte move, float to float through fp32.
   * `cast` (DMA casting) rounds each value to fp32 first: a no-op for floats, not for integers (declined).
   */
  private move(mem: Memories, src: PhysAccess, dst: PhysAccess, cast: boolean): boolean {
    const n = count(src);
    if (n !== count(dst) || n === 0) return false;
    const sk = KIND[src.dtype];
    const dk = KIND[dst.dtype];
    if (sk === dk && cast && !FLOAT_KIND.has(sk)) return false;
    if (sk !== dk && (!FLOAT_KIND.has(sk) || !FLOAT_KIND.has(dk))) return false;
    const s = this.runsA.collect(src, this.base[src.space], this.pitch(mem, src));
    const d = this.runsB.collect(dst, this.base[dst.space], this.pitch(mem, dst));
    const list = this.list;
    if (sk === dk) {
      const [bits, mask, absMask, inf, nan] = CANON[sk];
      merge(s, d, Number.POSITIVE_INFINITY, (sa, ss, da, ds, len) => list.push(sa, ss, da, ds, len));
      list.call(this.x[`copy${bits}`], mask, absMask, inf, nan);
      return true;
    }
    this.needTables(sk);
    // through fp32 in the arena, in batches that fit it
    const cap = ARENA_BYTES / 4;
    const enc = this.list2;
    let off = 0;
    const flush = () => {
      list.call(this.x[`dec32_${sk}`]);
      enc.call(this.x[`enc32_${dk}`]);
      off = 0;
    };
    merge(s, d, cap, (sa, ss, da, ds, len) => {
      if (off + len > cap) flush();
      list.push(sa, ss, len, ARENA + off * 4, 0);
      enc.push(ARENA + off * 4, len, da, ds, 0);
      off += len;
    });
    flush();
    return true;
  }

  private execMatmul(mem: Memories, ins: ProgInstr): boolean {
    const attrs = ins.attrs as MatmulAttrs;
    if (attrs.isTranspose) return false;
    const [stat, mov] = ins.ins;
    const [out] = ins.outs;
    const sk = KIND[stat.dtype];
    const mk = KIND[mov.dtype];
    if (!FLOAT_KIND.has(sk) || !FLOAT_KIND.has(mk) || out.dtype !== 'float32') return false;
    const R = stat.shape[0] * (attrs.perfMode === 'doubleRow' ? 2 : 1);
    const M = count(stat) / R;
    const N = count(mov) / R;
    if (!Number.isInteger(M) || !Number.isInteger(N) || R > MAX_R || M > MAX_M || N > MAX_N) return false;
    if (count(out) !== M * N || M === 0 || N === 0) return false;
    const mBlocks = Math.ceil(M / MR);
    const nBlocks = Math.ceil(N / NW);
    this.i32.set([0, 0, 255, 0, 0, 0, 255, 0], CLASSIFY / 4);
    this.loadPanels(mem, stat, sk, R, M, MR, mBlocks, PANEL_A, TMP_A, CLASSIFY);
    this.loadPanels(mem, mov, mk, R, N, NW, nBlocks, PANEL_B, TMP_B, CLASSIFY + 16);
    const o = this.runsA.collect(out, this.base[out.space], this.pitch(mem, out));
    // rows of N contiguous fp32 at a constant pitch, whole register blocks: the kernel writes the PSUM itself
    let direct = o.count === M && M % MR === 0 && N % NW === 0;
    const rowStride = M > 1 ? o.addr(1) - o.addr(0) : 0;
    for (let k = 0; direct && k < o.count; k++) {
      direct = o.n(k) === N && o.stride(k) === 4 && o.addr(k) === o.addr(0) + k * rowStride;
    }
    if (direct) {
      this.runMatmul(R, mBlocks, nBlocks, o.addr(0), rowStride, attrs.accumulate ? 2 : 1);
      return true;
    }
    const cStride = nBlocks * NW * 4;
    this.runMatmul(R, mBlocks, nBlocks, C, cStride, 0);
    const list = this.list;
    let pos = 0;
    for (let k = 0; k < o.count; k++) {
      let at = o.addr(k);
      const stride = o.stride(k);
      let cnt = o.n(k);
      // a run stays within one output row unless the access folds rows together
      while (cnt > 0) {
        const m = Math.floor(pos / N);
        const col = pos - m * N;
        const len = Math.min(cnt, N - col);
        list.push(C + m * cStride + col * 4, len, at, stride, 0);
        at += len * stride;
        pos += len;
        cnt -= len;
      }
    }
    list.call(this.x.combine, attrs.accumulate ? 1 : 0);
    return true;
  }

  /**
   * Decode an operand [rows][cols] into panels [blocks][rows][w] and its classify summary at `summary`: straight
   * from memory when every run is whole rows, else through the contiguous `tmp` and `pack`.
   */
  private loadPanels(
    mem: Memories,
    a: PhysAccess,
    kind: Kind,
    rows: number,
    cols: number,
    w: number,
    blocks: number,
    panel: number,
    tmp: number,
    summary: number,
  ): void {
    this.needTables(kind);
    const r = this.runsA.collect(a, this.base[a.space], this.pitch(mem, a));
    const list = this.list;
    let whole = cols % w === 0;
    for (let k = 0; whole && k < r.count; k++) whole = r.n(k) % cols === 0;
    if (whole) {
      let row = 0;
      for (let k = 0; k < r.count; k++) {
        const stride = r.stride(k);
        for (let at = r.addr(k), left = r.n(k); left > 0; left -= cols, at += cols * stride, row++) {
          list.push(at, stride, cols, panel + row * w * 4, 0);
        }
      }
      list.call(this.x[`decpack_${kind}`], Math.log2(w), panelPitch(rows, w), summary);
      return;
    }
    let pos = 0;
    for (let k = 0; k < r.count; k++) {
      list.push(r.addr(k), r.stride(k), r.n(k), tmp + pos * 4, 0);
      pos += r.n(k);
    }
    list.call(this.x[`dec32_${kind}`]);
    this.x.pack(tmp, rows, cols, w, blocks, panel, panelPitch(rows, w));
    this.x.classify(panel, (blocks * panelPitch(rows, w)) / 4, summary);
  }

  /**
   * The sums of the panels into cp (row pitch cStride, `mode` as kernels.ts matmulKernel). The fp32 SIMD kernel runs
   * when every product is exact in fp32 (then fp32 arithmetic equals the reference's fp64 product rounded after each
   * addition); otherwise the fp64 kernel repeats the reference's arithmetic.
   */
  private runMatmul(
    R: number,
    mBlocks: number,
    nBlocks: number,
    cp: number,
    cStride: number,
    mode: number,
  ): void {
    const x = this.x;
    const c = CLASSIFY / 4;
    const i = this.i32;
    const exact = productsExact(i[c], i[c + 1], i[c + 2], i[c + 4], i[c + 5], i[c + 6]);
    let ap = PANEL_A;
    let bp = PANEL_B;
    let aPitch = panelPitch(R, MR);
    let bPitch = panelPitch(R, NW);
    if (!exact) {
      x.widen(PANEL_A, (mBlocks * aPitch) / 4, PANEL_A64);
      x.widen(PANEL_B, (nBlocks * bPitch) / 4, PANEL_B64);
      ap = PANEL_A64;
      bp = PANEL_B64;
      aPitch *= 2;
      bPitch *= 2;
    }
    const f = exact ? x.mm32 : x.mm64;
    if (
      this.threads &&
      mBlocks > 1 &&
      mBlocks <= MAX_CHUNKS &&
      R * mBlocks * MR * nBlocks * NW >= PARALLEL_MACS
    ) {
      const job = {
        kernel: exact ? 0 : 1,
        ap,
        bp,
        cp,
        R,
        chunks: mBlocks,
        nBlocks,
        cStride,
        mode,
        aPitch,
        bPitch,
      };
      this.threads.run(kernelModule(true), this.memory, this.ctl, job as MatmulJob, (mb) =>
        f(ap, bp, cp, R, mb, mb + 1, nBlocks, cStride, mode, aPitch, bPitch),
      );
    } else {
      f(ap, bp, cp, R, 0, mBlocks, nBlocks, cStride, mode, aPitch, bPitch);
    }
  }

  /** EvalKernels.matmul on fp64 arrays (the generic path); values not exact in fp32 go to the reference loop. */
  private matmulValues(
    stat: Float64Array,
    mov: Float64Array,
    out: Float64Array,
    R: number,
    M: number,
    N: number,
    accumulate: boolean,
  ): void {
    if (R > MAX_R || M > MAX_M || N > MAX_N || M === 0 || N === 0 || !allFp32(stat) || !allFp32(mov)) {
      matmulRows(stat, mov, out, R, M, N, accumulate);
      return;
    }
    const x = this.x;
    const mBlocks = Math.ceil(M / MR);
    const nBlocks = Math.ceil(N / NW);
    this.f32.set(stat.subarray(0, R * M), TMP_A / 4);
    this.f32.set(mov.subarray(0, R * N), TMP_B / 4);
    x.pack(TMP_A, R, M, MR, mBlocks, PANEL_A, panelPitch(R, MR));
    x.pack(TMP_B, R, N, NW, nBlocks, PANEL_B, panelPitch(R, NW));
    x.classify(PANEL_A, (mBlocks * panelPitch(R, MR)) / 4, CLASSIFY);
    x.classify(PANEL_B, (nBlocks * panelPitch(R, NW)) / 4, CLASSIFY + 16);
    const cStride = nBlocks * NW;
    this.runMatmul(R, mBlocks, nBlocks, C, cStride * 4, 0);
    const f = this.f32;
    for (let m = 0; m < M; m++) {
      const c = C / 4 + m * cStride;
      const o = m * N;
      if (accumulate) for (let n = 0; n < N; n++) out[o + n] = Math.fround(out[o + n] + f[c + n]);
      else for (let n = 0; n < N; n++) out[o + n] = f[c + n];
    }
  }

  /** EvalKernels.binary: the `binary` kernel on the arena; tiles too large for it use applyAlu. */
  private binary(op: AluOp, a: Float64Array, b: Float64Array, out: Float64Array): void {
    const n = out.length;
    const code = (ALU_BINARY as readonly AluOp[]).indexOf(op);
    if (n * 24 > ARENA_BYTES || code < 0) {
      for (let i = 0; i < n; i++) out[i] = applyAlu(op, a[i], b[i]);
      return;
    }
    const A = ARENA / 8;
    this.f64.set(a.subarray(0, n), A);
    this.f64.set(b.subarray(0, n), A + n);
    this.x.binary(code, ARENA, ARENA + n * 8, ARENA + n * 16, n);
    out.set(this.f64.subarray(A + 2 * n, A + 3 * n));
  }

  /** The f16 / fp8 value tables, copied into linear memory the first time a session decodes such a dtype. */
  private needTables(kind: Kind): void {
    if (this.tables || !TABLED.has(kind)) return;
    this.f32.set(f16Values(), TABLE_F16 / 4);
    this.f32.set(e4m3Values(), TABLE_E4M3 / 4);
    this.f32.set(e4m3fnValues(), TABLE_E4M3FN / 4);
    this.f32.set(e5m2Values(), TABLE_E5M2 / 4);
    this.tables = true;
  }
}

/**
 * True when every product a·b of the two operands is exact in fp32, from each side's classify summary (OR of the
 * low 12 mantissa bits, max and min biased exponent of the nonzero values): at most 12 significant bits each (so a
 * product has at most 24) and exponents that keep every product a normal, finite fp32 number.
 */
export function productsExact(
  lowA: number,
  maxA: number,
  minA: number,
  lowB: number,
  maxB: number,
  minB: number,
) {
  if (lowA !== 0 || lowB !== 0) return false;
  if (maxA === 255 || maxB === 255 || minA === 0 || minB === 0) return false; // inf/NaN, subnormal
  if (minA === 255 || minB === 255) return true; // one side is all zeros
  // |a·b| in [2^(ea+eb), 2^(ea+eb+2)) must stay within [2^-126, 2^128)
  return maxA + maxB - 254 <= 126 && minA + minB - 254 >= -126;
}

function allFp32(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Math.fround(x) !== x && !Number.isNaN(x)) return false;
  }
  return true;
}

/**
 * Walk two run lists in step: `fn(srcAddr, srcStride, dstAddr, dstStride, n)` for each stretch where both sides
 * are within one run, at most `cap` elements.
 */
function merge(
  s: Runs,
  d: Runs,
  cap: number,
  fn: (sa: number, ss: number, da: number, ds: number, n: number) => void,
): void {
  let i = 0;
  let j = 0;
  let sa = s.addr(0);
  let sRem = s.n(0);
  let da = d.addr(0);
  let dRem = d.n(0);
  while (i < s.count && j < d.count) {
    const n = Math.min(sRem, dRem, cap);
    const ss = s.stride(i);
    const ds = d.stride(j);
    fn(sa, ss, da, ds, n);
    sa += n * ss;
    da += n * ds;
    sRem -= n;
    dRem -= n;
    if (sRem === 0 && ++i < s.count) {
      sa = s.addr(i);
      sRem = s.n(i);
    }
    if (dRem === 0 && ++j < d.count) {
      da = d.addr(j);
      dRem = d.n(j);
    }
  }
}

/** An access pattern's innermost runs (absolute address, byte stride, count), in element order. */
class Runs {
  private data = new Float64Array(3 * 256);
  private idx = new Int32Array(8);
  count = 0;

  addr(k: number): number {
    return this.data[3 * k];
  }
  stride(k: number): number {
    return this.data[3 * k + 1];
  }
  n(k: number): number {
    return this.data[3 * k + 2];
  }

  /** Collect the runs of `a` in a memory starting at `base` with partition pitch `pitch` (Memories.walk's order). */
  collect(a: PhysAccess, base: number, pitch: number): this {
    const dims = a.dims;
    const nd = dims.length;
    const eb = a.elemBytes;
    const inStride = nd > 0 ? dims[nd - 1][0] * eb : eb;
    const inN = nd > 0 ? dims[nd - 1][1] : 1;
    const outer = Math.max(nd - 1, 0);
    let per = 1;
    for (let d = 0; d < outer; d++) per *= dims[d][1];
    const total = inN > 0 ? a.partitions * per : 0;
    if (this.data.length < 3 * total) this.data = new Float64Array(3 * total);
    if (this.idx.length < outer) this.idx = new Int32Array(outer);
    const out = this.data;
    const idx = this.idx;
    let k = 0;
    for (let p = 0; p < a.partitions && total > 0; p++) {
      const pb = base + (a.startPartition + p) * pitch + a.byteOffset;
      idx.fill(0);
      let off = 0;
      for (let o = 0; o < per; o++) {
        out[k++] = pb + off;
        out[k++] = inStride;
        out[k++] = inN;
        for (let d = outer - 1; d >= 0; d--) {
          off += dims[d][0] * eb;
          if (++idx[d] < dims[d][1]) break;
          off -= dims[d][0] * eb * dims[d][1];
          idx[d] = 0;
        }
      }
    }
    this.count = total;
    return this;
  }
}

/** Entries for a run-list kernel (kernels.ts listFunc), collected on the host and copied into LIST per call. */
class RunList {
  private buf = new Int32Array(LIST_WORDS * 1024);
  private used = 0;

  constructor(
    private readonly mem: Int32Array,
    private readonly at: number,
    private readonly capacity: number,
  ) {}

  push(a: number, b: number, c: number, d: number, e: number): void {
    let i = this.used * LIST_WORDS;
    if (i + LIST_WORDS > this.buf.length) {
      const grown = new Int32Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    const m = this.buf;
    m[i++] = a;
    m[i++] = b;
    m[i++] = c;
    m[i++] = d;
    m[i] = e;
    this.used++;
  }

  /** Run `fn(list, count, ...extra)` over the entries pushed since the last call, in batches that fit LIST. */
  call(fn: Fn, ...extra: number[]): void {
    for (let k = 0; k < this.used; k += this.capacity) {
      const n = Math.min(this.capacity, this.used - k);
      this.mem.set(this.buf.subarray(k * LIST_WORDS, (k + n) * LIST_WORDS), this.at / 4);
      fn(this.at, n, ...extra);
    }
    this.used = 0;
  }
}

/** Whether this runtime can run the wasm backend (WebAssembly with SIMD). */
export function wasmUnavailable(): string | undefined {
  if (!WebAssemblyApi) return 'WebAssembly is not available in this JavaScript runtime';
  try {
    kernelModule(false);
  } catch (e) {
    return `the WebAssembly SIMD module does not compile here: ${(e as Error).message}`;
  }
  return undefined;
}
