import { defineOp, fail } from '../op-def.ts';
import { elemsPerPartition, partitions, requireDType, requireSpace, samePartitions } from './checks.ts';
import { ON_CHIP } from './elementwise.ts';

/** GpSimd core i serves partitions [16i, 16i + 16) (neuroncore.md §3.6 [A1]). */
export const GPSIMD_CORE_PARTITIONS = 16;
export const LOCAL_GATHER_ELEMS = [1, 2, 4, 8, 16, 32] as const;
export const LOCAL_GATHER_MAX_INDICES = 4096;

export interface LocalGatherAttrs {
  readonly numElemPerIdx: number;
  /** Valid indices per GpSimd core; default all 16 × (indices per partition). */
  readonly numValidIndices: number;
}

/**
 * GpSimd gather inside each 16-partition core group (neuroncore.md §2.1 local_gather [IL]). The docs leave the data
 * layout loose; tilekit's reading: a core's indices are taken partition-first (index j of core c is
 * index[16c + j % 16, floor(j / 16)]); index value k addresses element k of the core's 16-partition source slice in
 * row-major order (partition 16c + floor(k / F), element k % F); the numElemPerIdx elements starting there land
 * in the index's partition at free position floor(j / 16) · numElemPerIdx. Indices past numValidIndices write 0;
 * out-of-range indices read NaN (undefined on hardware). ins = [src, index uint16]; no dtype cast.
 */
export const localGather = defineOp<LocalGatherAttrs>({
  summary: 'gather within each GpSimd core 16-partition group',
  engines: ['gpsimd'],
  check: ({ ins: [src, index], outs: [out], attrs }) => {
    for (const v of [src, index, out])
      requireSpace(v, ['sbuf'], 'localGather operand (GpSimd reaches SBUF only)');
    if (partitions(src) % GPSIMD_CORE_PARTITIONS !== 0) {
      fail(
        'TK0224',
        `localGather works on whole 16-partition GpSimd core groups; ${partitions(src)} partitions is not a multiple of 16`,
      );
    }
    samePartitions(index, src, 'localGather index');
    samePartitions(out, src, 'localGather destination');
    requireDType(index, ['uint16'], 'localGather index');
    if (out.dtype !== src.dtype)
      fail('TK0206', `localGather does not cast: source ${src.dtype}, destination ${out.dtype}`);
    const e = attrs.numElemPerIdx;
    if (!(LOCAL_GATHER_ELEMS as readonly number[]).includes(e)) {
      fail('TK0225', `localGather numElemPerIdx ${e} must be one of ${LOCAL_GATHER_ELEMS.join(', ')}`);
    }
    const perCore = GPSIMD_CORE_PARTITIONS * elemsPerPartition(index);
    const valid = attrs.numValidIndices;
    if (!Number.isInteger(valid) || valid < 1 || valid > perCore || valid > LOCAL_GATHER_MAX_INDICES) {
      fail(
        'TK0225',
        `localGather numValidIndices ${valid} must be in 1..${Math.min(perCore, LOCAL_GATHER_MAX_INDICES)} (at most 4096 per core and the indices present)`,
      );
    }
    if (elemsPerPartition(out) !== elemsPerPartition(index) * e) {
      fail(
        'TK0205',
        `localGather writes ${elemsPerPartition(index) * e} elements per partition, destination is [${out.shape}]`,
      );
    }
  },
  evaluate: ({ ins: [src, index], inShapes: [sShape, iShape], outs: [out], attrs }) => {
    const P = sShape[0];
    const F = src.length / P;
    const I = index.length / iShape[0];
    const e = attrs.numElemPerIdx;
    const G = GPSIMD_CORE_PARTITIONS;
    for (let c = 0; c < P / G; c++) {
      for (let j = 0; j < G * I; j++) {
        const p = c * G + (j % G);
        const col = Math.floor(j / G);
        const k = index[p * I + col];
        for (let t = 0; t < e; t++) {
          const flat = k + t;
          const v =
            j < attrs.numValidIndices
              ? flat < G * F
                ? src[(c * G + Math.floor(flat / F)) * F + (flat % F)]
                : Number.NaN
              : 0;
          out[p * I * e + col * e + t] = v;
        }
      }
    }
  },
  flops: () => 0,
  describe: (a) => `elemPerIdx=${a.numElemPerIdx} valid=${a.numValidIndices}`,
});

/**
 * out[p, j] = data[p, idx[p, j]] over the flattened free elements of each partition, uint32 indices, GpSimd, SBUF only
 * (neuroncore.md §2.1 nc_n_gather [IN]). Out-of-range indices read NaN (0 in integer tiles); the hardware leaves them
 * undefined. ins = [data, indices].
 */
export const ncNGather = defineOp<Record<string, never>>({
  summary: 'per-partition gather with uint32 indices (GpSimd)',
  engines: ['gpsimd'],
  check: ({ ins: [data, idx], outs: [out] }) => {
    for (const v of [data, idx, out])
      requireSpace(v, ['sbuf'], 'ncNGather operand (GpSimd reaches SBUF only)');
    requireDType(idx, ['uint32'], 'ncNGather indices');
    samePartitions(idx, data, 'ncNGather indices');
    samePartitions(out, data, 'ncNGather destination');
    if (elemsPerPartition(out) !== elemsPerPartition(idx)) {
      fail(
        'TK0205',
        `ncNGather writes one element per index (${elemsPerPartition(idx)}), destination is [${out.shape}]`,
      );
    }
  },
  evaluate: ({ ins: [data, idx], inShapes: [dShape], outs: [out] }) => {
    const P = dShape[0];
    const F = data.length / P;
    const N = idx.length / P;
    for (let p = 0; p < P; p++) {
      for (let j = 0; j < N; j++) {
        const k = idx[p * N + j];
        out[p * N + j] = k < F ? data[p * F + k] : Number.NaN;
      }
    }
  },
  flops: () => 0,
});

export const SHUFFLE_QUADRANT = 32;
export const SHUFFLE_KEEP = 255;

export interface StreamShuffleAttrs {
  /** 32 entries: output partition i of each quadrant copies input partition mask[i]; 255 leaves it unchanged. */
  readonly mask: readonly number[];
}

/**
 * Partition shuffle within each 32-partition quadrant on VectorE (neuroncore.md §2.1 nc_stream_shuffle [IL, IN]):
 * dst[32q + i] = src[32q + mask[i]], mask[i] = 255 keeps dst's partition. src and dst have the same dtype, partitions
 * and elements per partition; the partition count is a multiple of 32 or at most 32.
 */
export const ncStreamShuffle = defineOp<StreamShuffleAttrs>({
  summary: 'shuffle partitions within 32-partition quadrants (VectorE)',
  engines: ['vector'],
  check: ({ ins: [src], outs: [dst], attrs }) => {
    requireSpace(src, ON_CHIP, 'ncStreamShuffle source');
    requireSpace(dst, ON_CHIP, 'ncStreamShuffle destination');
    if (src.dtype !== dst.dtype)
      fail('TK0206', `ncStreamShuffle moves bits: source ${src.dtype}, destination ${dst.dtype}`);
    samePartitions(dst, src, 'ncStreamShuffle destination');
    if (elemsPerPartition(dst) !== elemsPerPartition(src)) {
      fail(
        'TK0205',
        `ncStreamShuffle source and destination differ in elements per partition ([${src.shape}] vs [${dst.shape}])`,
      );
    }
    const P = partitions(src);
    if (P > SHUFFLE_QUADRANT && P % SHUFFLE_QUADRANT !== 0) {
      fail(
        'TK0224',
        `ncStreamShuffle works on whole 32-partition quadrants; ${P} partitions is not a multiple of 32`,
      );
    }
    const lanes = Math.min(P, SHUFFLE_QUADRANT);
    if (!Array.isArray(attrs.mask) || attrs.mask.length !== SHUFFLE_QUADRANT) {
      fail(
        'TK0225',
        `ncStreamShuffle mask must have 32 entries, got ${Array.isArray(attrs.mask) ? attrs.mask.length : typeof attrs.mask}`,
      );
    }
    attrs.mask.forEach((m, i) => {
      if (i >= lanes || m === SHUFFLE_KEEP) return;
      if (!Number.isInteger(m) || m < 0 || m >= lanes) {
        fail(
          'TK0225',
          `ncStreamShuffle mask[${i}] = ${m}: must be a source partition 0..${lanes - 1} of the quadrant or 255 (keep)`,
        );
      }
    });
  },
  readsOutputs: () => true,
  evaluate: ({ ins: [src], inShapes: [shape], outs: [dst], attrs }) => {
    const P = shape[0];
    const F = src.length / P;
    const lanes = Math.min(P, SHUFFLE_QUADRANT);
    for (let q = 0; q < P; q += lanes) {
      for (let i = 0; i < lanes; i++) {
        const m = attrs.mask[i];
        if (m === SHUFFLE_KEEP) continue;
        dst.set(src.subarray((q + m) * F, (q + m + 1) * F), (q + i) * F);
      }
    }
  },
  flops: () => 0,
  describe: (a) => `mask=[${a.mask.join(',')}]`,
});

export interface NonzeroWithCountAttrs {
  readonly indexOffset: number;
  readonly paddingVal: number;
}

/**
 * For partitions 0, 16, ..., 112 (each GpSimd core's first partition): the positions (+ indexOffset) of the nonzero
 * elements, then paddingVal up to F, then the count in slot F; other partitions of dst are not written
 * (neuroncore.md §2.1 nonzero_with_count [IN]). dst has one more element per partition than src. Generation rule,
 * not checked at trace time: NeuronCore-v3 and newer.
 */
export const nonzeroWithCount = defineOp<NonzeroWithCountAttrs>({
  summary: 'indices of nonzero elements plus their count (GpSimd)',
  engines: ['gpsimd'],
  check: ({ ins: [src], outs: [dst] }) => {
    requireSpace(src, ['sbuf'], 'nonzeroWithCount source (GpSimd reaches SBUF only)');
    requireSpace(dst, ['sbuf'], 'nonzeroWithCount destination');
    samePartitions(dst, src, 'nonzeroWithCount destination');
    if (elemsPerPartition(dst) !== elemsPerPartition(src) + 1) {
      fail(
        'TK0205',
        `nonzeroWithCount writes ${elemsPerPartition(src) + 1} elements per partition (indices + count), destination is [${dst.shape}]`,
      );
    }
  },
  readsOutputs: () => true,
  evaluate: ({ ins: [src], inShapes: [shape], outs: [dst], attrs }) => {
    const P = shape[0];
    const F = src.length / P;
    for (let p = 0; p < P; p += GPSIMD_CORE_PARTITIONS) {
      let n = 0;
      const base = p * (F + 1);
      for (let f = 0; f < F; f++) if (src[p * F + f] !== 0) dst[base + n++] = f + attrs.indexOffset;
      for (let f = n; f < F; f++) dst[base + f] = attrs.paddingVal;
      dst[base + F] = n;
    }
  },
  flops: () => 0,
  describe: (a) => `offset=${a.indexOffset} pad=${a.paddingVal}`,
});

/**
 * For segment ids s[0..n) in one partition: start and end of the run of equal ids each element belongs to, as
 * dst[0, 0, i] (start) and dst[0, 1, i] (end); padding (id 0) gets start n and end -1
 * (neuroncore.md §2.1 sequence_bounds [IN]). The docs' reference code is cut off before the end index; tilekit
 * takes the end as exclusive (last index + 1), so a segment covers [start, end). fp32 or int32 tiles, 1 partition.
 */
export const sequenceBounds = defineOp<Record<string, never>>({
  summary: 'start and end of each element segment (GpSimd)',
  engines: ['gpsimd'],
  check: ({ ins: [ids], outs: [dst] }) => {
    requireSpace(ids, ['sbuf'], 'sequenceBounds segment ids (GpSimd reaches SBUF only)');
    requireSpace(dst, ['sbuf'], 'sequenceBounds destination');
    for (const [v, what] of [
      [ids, 'sequenceBounds segment ids'],
      [dst, 'sequenceBounds destination'],
    ] as const) {
      requireDType(v, ['float32', 'int32'], what);
      if (partitions(v) !== 1) fail('TK0224', `${what} must have one partition, got [${v.shape}]`);
    }
    const n = elemsPerPartition(ids);
    if (elemsPerPartition(dst) !== 2 * n) {
      fail(
        'TK0205',
        `sequenceBounds writes [1, 2, ${n}] (start and end per element), destination is [${dst.shape}]`,
      );
    }
  },
  evaluate: ({ ins: [ids], outs: [dst] }) => {
    const n = ids.length;
    for (let i = 0; i < n; i++) {
      if (ids[i] === 0) {
        dst[i] = n;
        dst[n + i] = -1;
      } else dst[i] = i > 0 && ids[i] === ids[i - 1] ? dst[i - 1] : i;
    }
    for (let i = n - 1; i >= 0; i--) {
      if (ids[i] !== 0) dst[n + i] = i < n - 1 && ids[i] === ids[i + 1] ? dst[n + i + 1] : i + 1;
    }
  },
  flops: () => 0,
});
