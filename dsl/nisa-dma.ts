import type { DgeMode, DmaCopyAttrs, OobMode } from '../ir/ops/dma.ts';
import { DMA_TRANSPOSE_AXES, permutedShape } from '../ir/ops/dma-transpose.ts';
import type { View } from '../ir/types.ts';
import { raise } from '../tracer/context.ts';
import { destination, emit, type InstrOptions, tensorArg } from './operands.ts';
import type { Tensor } from './tensor.ts';

/** nki.isa data movement (neuroncore.md §2.2): DMA copies, indirect gather/scatter, DMA transpose. */

/**
 * Address the leading dim of the HBM side through an index tile (NKI's `.ap(vector_offset=idx, indirect_dim=0)`):
 * an SBUF [P, 1] tile of uint32 or int32 row numbers; row p of the other side is row index[p] of the indexed view.
 */
export interface IndirectOptions {
  readonly index: Tensor;
  /** The indexed dim; only 0 (the leading dim) is supported, as on the hardware. */
  readonly dim?: number;
}

export interface DmaCopyOptions {
  /** Gather (the source is the HBM side) or scatter (the destination is): see `IndirectOptions`. */
  readonly indirect?: IndirectOptions;
  /** An index outside the indexed dim: 'error' (default) stops the simulation at this line; 'skip' drops the row. */
  readonly oobMode?: OobMode;
  /** 'add': read-modify-write, dst = dst + src in fp32 (dma_compute / legacy dst_rmw_op=np.add). */
  readonly dstRmwOp?: 'add';
  /** Descriptor generation; indirect needs 'swdge' (or unset), 'hwdge' cannot cast. */
  readonly dgeMode?: DgeMode;
}

/**
 * DMA `src` into `dst` (HBM↔SBUF, HBM→HBM, SBUF→SBUF), casting through fp32. NKI order: destination first.
 *
 * ```ts
 * nisa.dmaCopy(rows, table, { indirect: { index: ids } });              // gather: rows[p] = table[ids[p]]
 * nisa.dmaCopy(table, rows, { indirect: { index: ids }, oobMode: 'skip' }); // scatter, out-of-range ids dropped
 * nisa.dmaCopy(acc, part, { dstRmwOp: 'add' });                           // acc += part inside the DMA
 * ```
 */
export function dmaCopy(dst: Tensor, src: Tensor, opts?: DmaCopyOptions): Tensor {
  const d = tensorArg(dst, 'dmaCopy dst');
  const s = tensorArg(src, 'dmaCopy src');
  const ins: View[] = [s.view];
  let indirect: DmaCopyAttrs['indirect'];
  if (opts?.indirect) {
    const index = tensorArg(opts.indirect.index, 'dmaCopy indirect index');
    ins.push(index.view);
    // The indexed side is the HBM one; between two HBM tensors it is the source (a gather).
    const side = s.buffer === 'hbm' ? 'src' : 'dst';
    indirect = { side, dim: opts.indirect.dim ?? 0, index: 1, oobMode: opts.oobMode ?? 'error' };
  } else if (opts?.oobMode !== undefined) {
    raise('TK0209', 'dmaCopy: oobMode applies to indirect copies only; pass indirect: { index } too');
  }
  const attrs: DmaCopyAttrs = {
    indirect,
    dstRmwOp: opts?.dstRmwOp,
    dgeMode: opts?.dgeMode,
    cast: s.dtype !== d.dtype,
  };
  emit('dmaCopy', ins, [d.view], attrs);
  return d;
}

export interface DmaTransposeOptions extends Omit<InstrOptions, 'engine' | 'dtype'> {
  /** The permutation: [1, 0], [2, 1, 0] or [3, 1, 2, 0] by rank (default: the one for the source's rank). */
  readonly axes?: readonly number[];
  /** Not supported: DMA transposes take no indirect indices (NKI err_indirect_indices_are_not_supported_with_nki_api). */
  readonly indirect?: IndirectOptions;
}

/** Transpose `src` (HBM or SBUF) into a new SBUF tile (or `dst`) in the DMA engines. */
export function dmaTranspose(src: Tensor, opts?: DmaTransposeOptions): Tensor {
  const s = tensorArg(src, 'dmaTranspose src');
  if (opts?.indirect !== undefined) {
    raise(
      'TK0262',
      'dmaTranspose does not take indirect indices; gather the rows with dmaCopy first, then transpose',
    );
  }
  const axes = opts?.axes ?? DMA_TRANSPOSE_AXES[s.shape.length] ?? [];
  // An invalid permutation is reported by the op's check; the tile only needs some shape until then.
  const valid = axes.length === s.shape.length && new Set(axes).size === axes.length;
  const shape =
    valid && axes.every((a) => a >= 0 && a < axes.length) ? permutedShape(s.shape, axes) : s.shape;
  const dst = destination(opts, shape, s.dtype, 'sbuf', 'transpose');
  emit('dmaTranspose', [s.view], [dst.view], { axes: [...axes] });
  return dst;
}
