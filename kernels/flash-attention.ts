import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';
import { requireShape, resolveMeta } from './checks.ts';
import type { BuildOptions, LibraryKernel, ShapeParams } from './library.ts';

const P = nl.tileSize.pmax;
/** Score columns per PSUM bank (fp32): one QKᵀ matmul, one "chunk". */
const CHUNK = nl.tileSize.psumFmax;
/** Q columns loaded per DMA (4 KiB per partition in bf16). */
const Q_LOAD = 2048;
/** Steps ahead at which Q columns are loaded and scaled. */
const Q_AHEAD = 8;
/** Added to masked scores (bf16-representable): exp(s + MASKED − m) is exactly 0 in fp32. */
export const MASKED = -1e9;
const PSUM_BANKS = nl.tileSize.psumNumBanks;

/**
 * Meta-parameters: `chunks` = 512-column score chunks per online-softmax block (each a PSUM bank; five banks hold
 * score chunks, two the Pᵀ tiles, one the output accumulators); `evacVector` = how many of a block's 128-column Pᵀ
 * tiles VectorE copies out of PSUM (ScalarE copies the rest); `combineScalar` = 1 folds the per-block max on ScalarE
 * (a min-reduce in its accumulator, NeuronCore-v3 only: v2's ACT reduces with add only, neuroncore.md §3.5) instead
 * of VectorE, the busiest engine.
 */
export interface FlashMeta {
  readonly chunks: number;
  readonly evacVector: number;
  readonly combineScalar: number;
}
const DEFAULT_META: Record<'trn1' | 'trn2', FlashMeta> = {
  trn1: { chunks: 2, evacVector: 2, combineScalar: 0 },
  trn2: { chunks: 2, evacVector: 6, combineScalar: 1 },
};

interface Config extends FlashMeta {
  readonly causal: boolean;
  /** Sliding window W (0: none): keep q − W < k ≤ q. */
  readonly window: number;
}

/** One online-softmax step: a Q tile against a block of key chunks. */
interface Step {
  readonly head: number;
  /** Q tile: rows [q0, q0 + 128). */
  readonly q0: number;
  readonly chunks: readonly { readonly k0: number; readonly w: number }[];
  /** Index of this step among its Q tile's steps, and their count. */
  readonly index: number;
  readonly count: number;
}

/** The key range [lo, hi) a Q tile attends to, in whole 128-column tiles. */
function keyRange(q0: number, sk: number, c: Config): { lo: number; hi: number } {
  const hi = c.causal || c.window ? Math.min(sk, q0 + P) : sk;
  const lo = c.window ? Math.max(0, Math.floor((q0 - c.window + 1) / P) * P) : 0;
  return { lo, hi };
}

/** The steps of one head: per Q tile, its key range cut into 512-column chunks, `chunks` chunks per step. */
function stepsOf(head: number, sq: number, sk: number, c: Config): Step[] {
  const steps: Step[] = [];
  for (let q0 = 0; q0 < sq; q0 += P) {
    const { lo, hi } = keyRange(q0, sk, c);
    const chunks: { k0: number; w: number }[] = [];
    for (let k0 = lo; k0 < hi; k0 += CHUNK) chunks.push({ k0, w: Math.min(CHUNK, hi - k0) });
    const count = Math.ceil(chunks.length / c.chunks);
    for (let s = 0; s < count; s++) {
      steps.push({ head, q0, chunks: chunks.slice(s * c.chunks, (s + 1) * c.chunks), index: s, count });
    }
  }
  return steps;
}

/** Is key k kept for query q? */
function keep(q: number, k: number, c: Config): boolean {
  if ((c.causal || c.window) && k > q) return false;
  return !(c.window && k <= q - c.window);
}

/** Δ = q0 − k0 of the 128×128 tiles of a chunk that are partly masked (wholly masked ones never occur). */
function maskedTiles(q0: number, k0: number, w: number, c: Config): number[] {
  const out: number[] = [];
  for (let t0 = k0; t0 < k0 + w; t0 += P) {
    const corners = [
      keep(q0, t0, c),
      keep(q0, t0 + P - 1, c),
      keep(q0 + P - 1, t0, c),
      keep(q0 + P - 1, t0 + P - 1, c),
    ];
    if (!corners.every(Boolean)) out.push(q0 - t0);
  }
  return out;
}

/**
 * Flash attention forward (kernels.md): causal, sliding-window (keep q − W < k ≤ q) or full attention with GQA, online
 * softmax per (Q tile, key block), softmax scale 1/√d, outputs o [b, h, sq, d] and lse [b, h, sq]. Layouts: q
 * [b, h, d, sq], k [b, kvh, d, sk], v [b, kvh, sk, d]; SPMD grid [b, kvh], each program serving the h/kvh query heads
 * of its KV head. Operands go to TensorE in bf16 (cast by the DMA), accumulation is fp32.
 *
 * Per program: Kᵀ [d, sk] and V [sk, d] stay in SBUF for all its heads; V gets a column of ones, so P·[V | 1] also
 * yields the row sums P·1 from the same bf16 P. Per query head, Q is loaded 2048 columns at a time and pre-scaled by
 * 1/√d. Per step (a 128-row Q tile against up to `chunks` 512-column key chunks):
 * - S = (Q/√d)ᵀ K per chunk into PSUM; 128×128 tiles that are partly masked get a mask added on TensorE
 *   (identityᵀ · M, M = 0 or −1e9, built once per program with GpSimd affine_select); key tiles wholly masked (above
 *   the diagonal, or out of the window) are never computed;
 * - VectorE: −rowmax per chunk, then one min-reduce of those and −m_prev gives −m_new (on ScalarE with
 *   `combineScalar`);
 * - ScalarE: α = exp(m_prev − m_new), and P = exp(S − m_new) in bf16 per chunk;
 * - TensorE transposes P 128 columns at a time into one PSUM tile, copied out (VectorE and ScalarE share it);
 * - ScalarE rescales the PSUM accumulator o ← α·o, and TensorE accumulates Pᵀ·[V | 1] into it;
 * - after a Q tile's last step: o / rowsum and lse = m + log(rowsum), stored.
 * kernels.md keeps l as a running log-sum-exp; here the running sum rides in o's last column (rescaled by the same α),
 * and lse = m + log(sum) at the end: the same value without four extra instructions per step. Steps run as a three-
 * stage software pipeline (see the loop), and the PSUM tiles rotate over hand-managed rings.
 */
function flashKernelFor(c: Config) {
  return kernel(function flashAttention(q: Tensor, k: Tensor, v: Tensor) {
    const [B, H, d, sq] = q.shape;
    const [, KVH, , sk] = k.shape;
    const group = H / KVH;
    const b = nl.programId(0);
    const g = nl.programId(1);
    const o = nl.ndarray([B, H, sq, d], q.dtype, { buffer: nl.sharedHbm });
    const lse = nl.ndarray([B, H, sq], nl.float32, { buffer: nl.sharedHbm });

    // This KV head's Kᵀ [d, sk] and [V | 1] [128, sk/128, d + 1], bf16, for all its query heads.
    const kT = nl.ndarray([d, sk], nl.bfloat16, { name: 'kT' });
    for (let c0 = 0; c0 < sk; c0 += Q_LOAD) {
      const cols = nl.ds(c0, Math.min(Q_LOAD, sk - c0));
      nisa.dmaCopy(kT.get(':', cols), k.get(b, g, ':', cols));
    }
    const nKT = sk / P;
    const vAug = nl.ndarray([P, nKT, d + 1], nl.bfloat16, { name: 'vAug' });
    nisa.memset(vAug.get(':', ':', [d, d + 1]), 1);
    for (let t = 0; t < nKT; t++) nisa.dmaCopy(vAug.get(':', t, [0, d]), v.get(b, g, nl.ds(t * P, P), ':'));

    // Masks for partly masked 128×128 tiles, by Δ = q0 − k0: 0 where kept, MASKED elsewhere.
    const ident = nl.ndarray([P, P], nl.bfloat16, { name: 'identity' });
    nisa.memset(ident, 0);
    nisa.affineSelect(ident, 1, { dst: ident, pattern: [[-1, P]], channelMultiplier: 1, cmpOp: 'notEqual' });
    const masks = new Map<number, Tensor>();
    const maskFor = (delta: number): Tensor => {
      let m = masks.get(delta);
      if (m) return m;
      m = nl.ndarray([P, P], nl.bfloat16, { name: 'mask' });
      nisa.memset(m, 0, undefined, { engine: 'gpsimd' });
      // Causal: keep Δ + p − f ≥ 0 (k ≤ q).
      nisa.affineSelect(m, MASKED, {
        dst: m,
        pattern: [[-1, P]],
        offset: delta,
        channelMultiplier: 1,
        cmpOp: 'greaterEqual',
      });
      // Window: keep (W − Δ) + f − p > 0 (k > q − W).
      if (c.window) {
        nisa.affineSelect(m, MASKED, {
          dst: m,
          pattern: [[1, P]],
          offset: c.window - delta,
          channelMultiplier: -1,
          cmpOp: 'greater',
        });
      }
      masks.set(delta, m);
      return m;
    };

    // PSUM, rotated by hand (the 8 banks): score chunks, the Pᵀ tiles of a step, the output accumulators. Each ring
    // tile is first written here, outside the loops, so the allocator places it once instead of pooling it.
    const nS = PSUM_BANKS - 2 - 1;
    const sRing = Array.from({ length: nS }, () =>
      nl.ndarray([P, CHUNK], nl.float32, { buffer: nl.psum, name: 'scores' }),
    );
    const pTRing = [0, 1].map(() =>
      nl.ndarray([P, c.chunks * (CHUNK / P), P], nl.bfloat16, { buffer: nl.psum, name: 'pT' }),
    );
    const oRing = [0, 1].map(() => nl.ndarray([P, d + 1], nl.float32, { buffer: nl.psum, name: 'o' }));
    for (const t of [...sRing, ...pTRing, ...oRing]) nisa.memset(t, 0);
    let chunkNo = 0;
    let tileNo = 0;

    const steps: Step[] = [];
    for (let hh = 0; hh < group; hh++) steps.push(...stepsOf(g * group + hh, sq, sk, c));
    // Q for each head, 2048 columns at a time, scaled by 1/√d and rounded to bf16 once (ScalarE).
    const qChunks = new Map<string, Tensor>();
    const qTile = (head: number, q0: number): Tensor => {
      const c0 = Math.floor(q0 / Q_LOAD) * Q_LOAD;
      const key = `${head}:${c0}`;
      let t = qChunks.get(key);
      if (!t) {
        const cols = nl.ds(c0, Math.min(Q_LOAD, sq - c0));
        const raw = nl.load(q.get(b, head, ':', cols), { name: 'q' });
        t = nisa.activation('copy', raw, { scale: 1 / Math.sqrt(d), dtype: nl.bfloat16, name: 'qScaled' });
        qChunks.set(key, t);
      }
      return t.get(':', nl.ds(q0 - c0, P));
    };
    // Per Q tile: the −running-max columns of its steps ([s, 0] holds −m before step s), and its accumulator.
    let partials: Tensor | undefined;
    let acc: Tensor | undefined;

    /** Stage A of step si: scores (masked where needed), −row maxes, and −m_new into the next step's column. */
    const scoresOf = (si: number) => {
      const st = steps[si];
      if (st.index === 0)
        partials = nl.ndarray([P, st.count + 1, c.chunks + 1], nl.float32, { name: 'negMax' });
      const part = partials!;
      const qT = qTile(st.head, st.q0);
      // Load and scale the Q columns of a later step now, so they are ready when it comes.
      const ahead = steps[si + Q_AHEAD];
      if (ahead) qTile(ahead.head, ahead.q0);
      const scores = st.chunks.map(({ k0, w }, ci) => {
        const s = sRing[chunkNo++ % nS].get(':', [0, w]);
        nisa.ncMatmul(qT, kT.get(':', nl.ds(k0, w)), { dst: s, accumulate: false });
        for (const delta of maskedTiles(st.q0, k0, w, c)) {
          const off = st.q0 - delta - k0;
          nisa.ncMatmul(ident, maskFor(delta), { dst: s.get(':', nl.ds(off, P)), accumulate: true });
        }
        nisa.tensorReduce('maximum', s, 1, { negate: true, dst: part.get(':', st.index, [ci + 1, ci + 2]) });
        return s;
      });
      const negPrev = part.get(':', st.index, [0, 1]);
      const negNew = part.get(':', st.index + 1, [0, 1]);
      // The first step has no previous max: reduce the chunks' columns only.
      const first = st.index === 0 ? 1 : 0;
      const cols = part.get(':', st.index, [first, st.chunks.length + 1]);
      if (c.combineScalar)
        nisa.activation('copy', cols, { reduceRes: negNew, reduceOp: 'minimum', name: 'combine' });
      else nisa.tensorReduce('minimum', cols, 1, { dst: negNew });
      return { scores, negPrev, negNew };
    };
    type Scored = ReturnType<typeof scoresOf>;

    /** Stage B (ScalarE): α = exp(m_prev − m_new) unless it is the tile's first step, and P = exp(S − m_new) in bf16. */
    const expOf = (si: number, { scores, negPrev, negNew }: Scored) => {
      const alpha =
        steps[si].index > 0
          ? nisa.activation('exp', negPrev, { scale: -1, bias: negNew, name: 'alpha' })
          : undefined;
      const probs = scores.map((sc) =>
        nisa.activation('exp', sc, { bias: negNew, dtype: nl.bfloat16, name: 'p' }),
      );
      return { alpha, probs, negNew };
    };
    type Exped = ReturnType<typeof expOf>;

    /** Stage C (TensorE): P transposed 128 columns at a time into this step's PSUM Pᵀ tile. */
    const transposeOf = (si: number, { probs }: Exped) => {
      const st = steps[si];
      const nSub = st.chunks.reduce((n, ch) => n + ch.w / P, 0);
      const pT = pTRing[si % 2].get(':', [0, nSub], ':');
      const kTiles: number[] = [];
      st.chunks.forEach(({ k0, w }, ci) => {
        for (let j = 0; j < w / P; j++) {
          nisa.ncTranspose(probs[ci].get(':', nl.ds(j * P, P)), { dst: pT.get(':', kTiles.length, ':') });
          kTiles.push(k0 / P + j);
        }
      });
      return { pT, kTiles };
    };
    type Transposed = ReturnType<typeof transposeOf>;

    /** Stage D: Pᵀ out of PSUM (VectorE and ScalarE), o ← α·o, o += Pᵀ·[V | 1] (TensorE). */
    const evacuate = (si: number, e: Exped, { pT, kTiles }: Transposed) => {
      const st = steps[si];
      if (st.index === 0) acc = oRing[tileNo++ % 2];
      const nSub = kTiles.length;
      const pTs = nl.ndarray([P, nSub, P], nl.bfloat16, { name: 'pTs' });
      const nv = Math.min(c.evacVector, nSub);
      if (nv > 0) nisa.tensorCopy(pT.get(':', [0, nv], ':'), { dst: pTs.get(':', [0, nv], ':') });
      if (nv < nSub) {
        nisa.tensorCopy(pT.get(':', [nv, nSub], ':'), {
          dst: pTs.get(':', [nv, nSub], ':'),
          engine: 'scalar',
        });
      }
      if (e.alpha) nisa.activation('copy', acc!, { scale: e.alpha, dst: acc! });
      return pTs;
    };
    const accumulatePV = (si: number, pTs: Tensor, { kTiles }: Transposed) => {
      const st = steps[si];
      const oAcc = acc!;
      kTiles.forEach((kt, j) => {
        nisa.ncMatmul(pTs.get(':', j, ':'), vAug.get(':', kt, ':'), {
          dst: oAcc,
          accumulate: st.index > 0 || j > 0,
        });
      });
      return oAcc;
    };
    /** After a Q tile's last step: o / rowsum and lse = m + log(rowsum) (ScalarE; 1/rowsum on VectorE), stored. */
    const finalize = (si: number, oAcc: Tensor, negNew: Tensor) => {
      const st = steps[si];
      const rows = nl.ds(st.q0, Math.min(P, sq - st.q0));
      const sum = oAcc.get(':', [d, d + 1]);
      const inv = nisa.reciprocal(sum, { name: 'invSum' });
      const y = nisa.activation('copy', oAcc.get(':', [0, d]), { scale: inv, dtype: q.dtype, name: 'y' });
      nl.store(o.get(b, st.head, rows, ':'), y);
      const logSum = nisa.activation('log', sum, { name: 'logSum' });
      const l = nisa.tensorScalar(logSum, 'subtract', negNew, { engine: 'gpsimd', name: 'lse' });
      nl.store(lse.get(b, st.head, rows).reshape([P, 1]), l);
    };

    // A three-stage software pipeline over the steps: iteration i issues step i's Pᵀ copies and o rescale, step
    // i + 2's scores, step i + 1's transposes, step i's P·V, then step i + 2's exponentials, and step i's finish. Each
    // engine's in-order queue then holds work in the order it becomes ready: TensorE runs scores, transposes and P·V
    // back to back while VectorE and ScalarE work on other steps.
    const n = steps.length;
    const scored: (Scored | undefined)[] = [];
    const exped: (Exped | undefined)[] = [];
    const transposed: (Transposed | undefined)[] = [];
    for (const si of [0, 1]) {
      if (si >= n) break;
      scored[si] = scoresOf(si);
      exped[si] = expOf(si, scored[si]!);
    }
    transposed[0] = transposeOf(0, exped[0]!);
    for (const i of nl.sequentialRange(n)) {
      const pTs = evacuate(i, exped[i]!, transposed[i]!);
      if (i + 2 < n) scored[i + 2] = scoresOf(i + 2);
      if (i + 1 < n) transposed[i + 1] = transposeOf(i + 1, exped[i + 1]!);
      const oAcc = accumulatePV(i, pTs, transposed[i]!);
      if (i + 2 < n) exped[i + 2] = expOf(i + 2, scored[i + 2]!);
      if (steps[i].index === steps[i].count - 1) finalize(i, oAcc, exped[i]!.negNew);
      scored[i] = undefined;
      exped[i] = undefined;
      transposed[i] = undefined;
    }
    return [o, lse];
  });
}

const kernels = new Map<string, ReturnType<typeof flashKernelFor>>();
function kernelFor(c: Config) {
  const key = JSON.stringify(c);
  let kk = kernels.get(key);
  if (!kk) kernels.set(key, (kk = flashKernelFor(c)));
  return kk;
}

/**
 * The plain-TS reference in fp64 from the same inputs: per (b, h, q) the softmax of s_k = q·k / √d over the kept keys
 * (kv head h / (h/kvh)), o = Σ softmax · v and lse = log Σ exp(s_k).
 */
export function flashReference(
  q: HostArray,
  k: HostArray,
  v: HostArray,
  causal: boolean,
  window: number,
): Float64Array[] {
  const [B, H, d, sq] = q.shape;
  const [, KVH, , sk] = k.shape;
  const c: Config = { causal, window, chunks: 1, evacVector: 0, combineScalar: 0 };
  const o = new Float64Array(B * H * sq * d);
  const lse = new Float64Array(B * H * sq);
  const s = new Float64Array(sk);
  const scale = 1 / Math.sqrt(d);
  // Float64 copies keep the loops monomorphic; kᵀ and q are read one key / query at a time.
  const kd = Float64Array.from(k.data);
  const vd = Float64Array.from(v.data);
  const qi = new Float64Array(d);
  const kt = new Float64Array(sk * d);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const kv = Math.floor(h / (H / KVH));
      const qb = (b * H + h) * d * sq;
      const kb = (b * KVH + kv) * d * sk;
      const vb = (b * KVH + kv) * sk * d;
      for (let j = 0; j < sk; j++) for (let e = 0; e < d; e++) kt[j * d + e] = kd[kb + e * sk + j];
      for (let i = 0; i < sq; i++) {
        for (let e = 0; e < d; e++) qi[e] = q.data[qb + e * sq + i];
        let max = Number.NEGATIVE_INFINITY;
        s.fill(Number.NEGATIVE_INFINITY);
        for (let j = 0; j < sk; j++) {
          if (!keep(i, j, c)) continue;
          let dot = 0;
          for (let e = 0; e < d; e++) dot += qi[e] * kt[j * d + e];
          s[j] = dot * scale;
          max = Math.max(max, s[j]);
        }
        let sum = 0;
        const ob = ((b * H + h) * sq + i) * d;
        for (let j = 0; j < sk; j++) {
          if (s[j] === Number.NEGATIVE_INFINITY) continue;
          const p = Math.exp(s[j] - max);
          sum += p;
          for (let e = 0; e < d; e++) o[ob + e] += p * vd[vb + j * d + e];
        }
        for (let e = 0; e < d; e++) o[ob + e] /= sum;
        lse[(b * H + h) * sq + i] = max + Math.log(sum);
      }
    }
  }
  return [o, lse];
}

const PARAMS = ['batch', 'heads', 'kvHeads', 'seq', 'seqK', 'd', 'causal', 'window'] as const;

/** The shape with its optional parameters filled in: kvHeads = heads, seqK = seq, window = 0. */
function dims(shape: ShapeParams) {
  const full = {
    ...shape,
    kvHeads: shape.kvHeads ?? shape.heads,
    seqK: shape.seqK ?? shape.seq,
    window: shape.window ?? 0,
  };
  const s = requireShape('flash-attention', full, PARAMS, ['causal', 'window']);
  const bad = (m: string) => {
    throw new RangeError(`flash-attention: ${m}`);
  };
  if (s.heads % s.kvHeads !== 0) bad(`heads ${s.heads} must be a multiple of kvHeads ${s.kvHeads}`);
  if (s.seq % P !== 0 || s.seqK % P !== 0) bad(`seq ${s.seq} and seqK ${s.seqK} must be multiples of ${P}`);
  if (s.d > P) bad(`d ${s.d} must be at most ${P}`);
  if (s.causal > 1) bad(`causal is 0 or 1, got ${s.causal}`);
  return s;
}

function config(shape: ShapeParams, opts: BuildOptions | undefined): Config {
  const s = dims(shape);
  const chip = opts?.chip === 'trn2' ? 'trn2' : 'trn1';
  const meta = resolveMeta<keyof FlashMeta>('flash-attention', { ...DEFAULT_META[chip] }, opts?.meta, [
    'evacVector',
    'combineScalar',
  ]);
  for (const k of ['evacVector', 'combineScalar'] as const) {
    if (!Number.isInteger(meta[k])) throw new RangeError(`flash-attention: ${k} must be an integer`);
  }
  if (meta.combineScalar > 1) throw new RangeError('flash-attention: combineScalar is 0 or 1');
  if (meta.chunks > 2)
    throw new RangeError(`flash-attention: chunks ${meta.chunks} needs more than 8 PSUM banks`);
  return { causal: s.causal === 1, window: s.window, ...meta };
}

export const flashAttention: LibraryKernel = {
  name: 'flash-attention',
  description:
    'flash attention forward: causal / sliding window / full with GQA, online softmax; outputs o and lse (grid [batch, kvHeads])',
  shapeParams: [...PARAMS],
  defaultShape: { batch: 1, heads: 2, kvHeads: 1, seq: 512, seqK: 512, d: 64, causal: 1, window: 0 },
  // kernels.md: fp32 [b,h,sq,sk,kvh] = [1,6,4096,4096,3], [1,1,4096,8192,1] and sliding window 1024, d 128
  // (TILEKIT_FULL: minutes on the host). npm test runs the same features at small sizes.
  testShapes: [
    { batch: 1, heads: 2, kvHeads: 1, seq: 512, seqK: 512, d: 64, causal: 1, window: 0 },
    { batch: 2, heads: 2, kvHeads: 2, seq: 256, seqK: 512, d: 128, causal: 0, window: 0 },
    { batch: 1, heads: 1, kvHeads: 1, seq: 1024, seqK: 1024, d: 64, causal: 1, window: 384 },
  ],
  fullTestShapes: [
    { batch: 1, heads: 6, kvHeads: 3, seq: 4096, seqK: 4096, d: 128, causal: 1, window: 0 },
    { batch: 1, heads: 1, kvHeads: 1, seq: 4096, seqK: 8192, d: 128, causal: 1, window: 0 },
    { batch: 1, heads: 1, kvHeads: 1, seq: 4096, seqK: 4096, d: 128, causal: 1, window: 1024 },
  ],
  dtypes: ['float32', 'bfloat16'],
  metaParams: ['chunks', 'evacVector', 'combineScalar'],
  defaultMeta: (chip) => ({ ...(chip === 'trn2' ? DEFAULT_META.trn2 : DEFAULT_META.trn1) }),
  build(shape, dtype, opts) {
    const s = dims(shape);
    return {
      kernel: kernelFor(config(shape, opts)).grid(s.batch, s.kvHeads),
      inputs: [
        { shape: [s.batch, s.heads, s.d, s.seq], dtype },
        { shape: [s.batch, s.kvHeads, s.d, s.seqK], dtype },
        { shape: [s.batch, s.kvHeads, s.seqK, s.d], dtype },
      ],
    };
  },
  reference: (shape, [q, k, v]) => {
    const s = dims(shape);
    return flashReference(q, k, v, s.causal === 1, s.window);
  },
  // kernels.md: atol 1e-2 (o and lse). bf16 operands and P: errors ~1e-3.
  tolerance: (): Tolerance => ({ atol: 1e-2, rtol: 0 }),
};
