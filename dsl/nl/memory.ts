import type { DType } from '../../ir/dtypes.ts';
import type { OobMode } from '../../ir/ops/dma.ts';
import { freeSize } from '../../ir/types.ts';
import { raise } from '../../tracer/context.ts';
import { allocate } from '../alloc.ts';
import * as nisa from '../nisa.ts';
import { type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';

/** Memory movement (neuroncore.md §2.5 "Memory" [LL]): load, store, indirect gather/scatter, atomic add, copies. */

export interface IndexedOptions {
  /**
   * Indirect access on the leading dim of the HBM tensor (legacy `data[idx_tile[i_p, 0], i_f]`): an SBUF [P, 1]
   * tile of uint32/int32 row numbers.
   */
  readonly index?: Tensor;
  /** An index outside the HBM tensor's rows: 'error' (default) stops the simulation, 'skip' drops the row. */
  readonly oobMode?: OobMode;
}

export interface LoadOptions extends IndexedOptions {
  readonly dtype?: DType;
  readonly name?: string;
}

/** Rows selected by a [P, 1] `index` from an HBM view [N, ...rest]: [P, ...rest]. */
function gatheredShape(index: Tensor, src: Tensor): number[] {
  const shape = [index.shape[0], ...src.shape.slice(1)];
  return shape.length < 2 ? [...shape, 1] : shape;
}

/** HBM → a new SBUF tile of the view's shape (DMA), optionally cast; with `index`, a gather of rows. */
export function load(src: Tensor, opts?: LoadOptions): Tensor {
  const s = tensorArg(src, 'load source');
  if (opts?.index !== undefined) {
    const index = tensorArg(opts.index, 'load index');
    const t = allocate(gatheredShape(index, s), opts.dtype ?? s.dtype, 'sbuf', opts.name ?? 'gather');
    return nisa.dmaCopy(t, s, { indirect: { index }, oobMode: opts.oobMode });
  }
  if (s.shape.length < 2) {
    raise(
      'TK0102',
      `load of a rank-1 view [${s.shape}]: index the source with two dims so the first maps to partitions`,
    );
  }
  const t = allocate(s.shape, opts?.dtype ?? s.dtype, 'sbuf', opts?.name ?? 'load');
  return nisa.dmaCopy(t, s, { oobMode: opts?.oobMode });
}

/** An SBUF value for a DMA: a PSUM value is first copied to SBUF, as NKI does. */
function dmaSource(value: Tensor, dtype: DType): Tensor {
  const v = tensorArg(value, 'store value');
  return v.buffer === 'psum' ? nisa.tensorCopy(v, { dtype }) : v;
}

/** Write `value` to `dst` in HBM (DMA); with `index`, a scatter of its rows to the indexed rows of `dst`. */
export function store(dst: Tensor, value: Tensor, opts?: IndexedOptions): Tensor {
  const d = tensorArg(dst, 'store destination');
  const v = dmaSource(value, d.dtype);
  const indirect = opts?.index === undefined ? undefined : { index: opts.index };
  return nisa.dmaCopy(d, v, { indirect, oobMode: opts?.oobMode });
}

export interface AtomicRmwOptions extends IndexedOptions {
  /** The read-modify-write op; the DMA engines implement add only. */
  readonly op?: 'add';
}

/**
 * dst[index[p]] += value[p] in HBM, inside the DMA engines in fp32 (NKI `atomic_rmw`: add only, indirect only).
 * Repeated indices accumulate; iterations of an affine loop may add into the same rows.
 */
export function atomicRmw(dst: Tensor, value: Tensor, opts: AtomicRmwOptions): Tensor {
  const d = tensorArg(dst, 'atomicRmw destination');
  if (opts?.index === undefined) {
    raise('TK0260', 'atomicRmw addresses HBM rows through an index tile: pass { index }');
  }
  const v = dmaSource(value, d.dtype);
  return nisa.dmaCopy(d, v, {
    indirect: { index: opts.index },
    oobMode: opts.oobMode,
    dstRmwOp: opts.op ?? 'add',
  });
}

/** Copy a tile (on-chip) into a new tile, optionally cast. */
export function copy(x: Tensor, opts?: InstrOptions): Tensor {
  return nisa.tensorCopy(x, opts);
}

export interface LoadTransposeOptions {
  readonly dtype?: DType;
  readonly name?: string;
  /** Not supported (NKI err_indirect_indices_are_not_supported_with_nki_api). */
  readonly index?: Tensor;
}

/** A 2-D HBM (or SBUF) tensor [K, M] into a new SBUF tile [M, K], transposed by the DMA engines (slow; exact). */
export function loadTranspose2d(src: Tensor, opts?: LoadTransposeOptions): Tensor {
  const s = tensorArg(src, 'loadTranspose2d source');
  if (s.shape.length !== 2) {
    raise('TK0267', `loadTranspose2d takes a 2-D tensor, got rank ${s.shape.length} [${s.shape}]`);
  }
  const t = nisa.dmaTranspose(s, {
    name: opts?.name ?? 'loadT',
    indirect: opts?.index === undefined ? undefined : { index: opts.index },
  });
  return opts?.dtype === undefined || opts.dtype === s.dtype ? t : nisa.tensorCopy(t, { dtype: opts.dtype });
}

/**
 * out[p, k] = data[p, indices[p, k]] over the flattened free dims of each partition (NKI `gather_flattened`,
 * take_along_axis per partition), with uint32 indices, on GpSimd (`nisa.ncNGather`). Out-of-range indices give
 * garbage, as in NKI (NaN in tilekit).
 */
export function gatherFlattened(data: Tensor, indices: Tensor, opts?: Omit<InstrOptions, 'engine'>): Tensor {
  const x = tensorArg(data, 'gatherFlattened data');
  return nisa.ncNGather(
    x.reshape([x.shape[0], freeSize(x.shape)]),
    tensorArg(indices, 'gatherFlattened indices'),
    opts,
  );
}
