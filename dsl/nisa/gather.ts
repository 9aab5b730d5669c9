import type { DType } from '../../ir/dtypes.ts';
import { freeSize } from '../../ir/types.ts';
import { destination, emit, type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';

/** nki.isa search and gather instructions (neuroncore.md §2.1): top-8, index search, gathers, shuffles, bounds. */

/** The 8 largest values per partition, descending: [P, 8]. */
export function max8(src: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(src, 'max8 src');
  const dst = destination(opts, [x.shape[0], 8], opts?.dtype ?? x.dtype, 'sbuf', 'max8');
  emit('max8', [x.view], [dst.view], {});
  return dst;
}

/** Indices of the first occurrences of 8 values per partition: [P, 8] uint32 (or uint16 via dtype). */
export function ncFindIndex8(data: Tensor, vals: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(data, 'ncFindIndex8 data');
  const v = tensorArg(vals, 'ncFindIndex8 vals');
  const dst = destination(opts, [x.shape[0], 8], opts?.dtype ?? 'uint32', 'sbuf', 'find_index8');
  emit('ncFindIndex8', [x.view, v.view], [dst.view], {});
  return dst;
}

export interface MatchReplace8Options extends Omit<InstrOptions, 'engine'> {
  /** A [P, 8] uint16/uint32 tile that receives the matched indices. */
  readonly dstIdx?: Tensor;
}

/** data with the first occurrence of each of 8 values per partition replaced by imm. */
export function ncMatchReplace8(
  data: Tensor,
  vals: Tensor,
  imm: number,
  opts?: MatchReplace8Options,
): Tensor {
  const x = tensorArg(data, 'ncMatchReplace8 data');
  const v = tensorArg(vals, 'ncMatchReplace8 vals');
  const dst = destination(opts, x.shape, opts?.dtype ?? x.dtype, 'sbuf', 'match_replace8');
  const outs = [dst.view];
  if (opts?.dstIdx !== undefined) outs.push(tensorArg(opts.dstIdx, 'ncMatchReplace8 dstIdx').view);
  emit('ncMatchReplace8', [x.view, v.view], outs, { imm });
  return dst;
}

export interface LocalGatherOptions extends Omit<InstrOptions, 'engine' | 'dtype'> {
  /** 1, 2, 4, 8, 16 or 32 contiguous elements per index (default 1). */
  readonly numElemPerIdx?: number;
  /** Valid indices per GpSimd core (default all). */
  readonly numValidIndices?: number;
}

/** Gather within each 16-partition GpSimd core group with uint16 indices: [P, I·numElemPerIdx]. */
export function localGather(src: Tensor, index: Tensor, opts?: LocalGatherOptions): Tensor {
  const s = tensorArg(src, 'localGather src');
  const ix = tensorArg(index, 'localGather index');
  const e = opts?.numElemPerIdx ?? 1;
  const I = freeSize(ix.shape);
  const dst = destination(opts, [s.shape[0], I * e], s.dtype, 'sbuf', 'local_gather');
  emit('localGather', [s.view, ix.view], [dst.view], {
    numElemPerIdx: e,
    numValidIndices: opts?.numValidIndices ?? 16 * I,
  });
  return dst;
}

/** out[p, j] = data[p, indices[p, j]] over the flattened free elements (GpSimd, uint32 indices). */
export function ncNGather(data: Tensor, indices: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(data, 'ncNGather data');
  const ix = tensorArg(indices, 'ncNGather indices');
  const dst = destination(opts, ix.shape, opts?.dtype ?? x.dtype, 'sbuf', 'n_gather');
  emit('ncNGather', [x.view, ix.view], [dst.view], {});
  return dst;
}

/** dst[32q + i] = src[32q + mask[i]] within each quadrant (mask[i] = 255 keeps dst). NKI order: dst first. */
export function ncStreamShuffle(dst: Tensor, src: Tensor, shuffleMask: readonly number[]): Tensor {
  const d = tensorArg(dst, 'ncStreamShuffle dst');
  const s = tensorArg(src, 'ncStreamShuffle src');
  emit('ncStreamShuffle', [s.view], [d.view], { mask: [...shuffleMask] });
  return d;
}

export interface NonzeroOptions extends Omit<InstrOptions, 'engine'> {
  readonly indexOffset?: number;
  readonly paddingVal?: number;
}

/** Indices of nonzero elements, padding, then the count ([P, F + 1], int32 by default; partitions 0, 16, ... only). */
export function nonzeroWithCount(src: Tensor, opts?: NonzeroOptions): Tensor {
  const x = tensorArg(src, 'nonzeroWithCount src');
  const dtype: DType = opts?.dtype ?? 'int32';
  const dst = destination(opts, [x.shape[0], freeSize(x.shape) + 1], dtype, 'sbuf', 'nonzero');
  emit('nonzeroWithCount', [x.view], [dst.view], {
    indexOffset: opts?.indexOffset ?? 0,
    paddingVal: opts?.paddingVal ?? -1,
  });
  return dst;
}

/** [1, 2, n]: start and (exclusive) end of each element's segment; padding id 0 gives (n, -1). */
export function sequenceBounds(segmentIds: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(segmentIds, 'sequenceBounds segmentIds');
  const dst = destination(opts, [1, 2, freeSize(x.shape)], opts?.dtype ?? x.dtype, 'sbuf', 'sequence_bounds');
  emit('sequenceBounds', [x.view], [dst.view], {});
  return dst;
}
