import { defineOp, fail } from '../op-def.ts';
import { freeSize, numel, type View } from '../types.ts';
import { requireSpace } from './checks.ts';

/** Out-of-bounds handling of indirect DMA (neuroncore.md §2.2 oob_mode [IL]): a runtime error, or the row is skipped. */
export type OobMode = 'error' | 'skip';
export const OOB_MODES: readonly OobMode[] = ['error', 'skip'];

/**
 * Descriptor generation (neuroncore.md §2.2 dge_mode [IL, PG]): `none` = built on the host, `swdge` = GpSimd at run
 * time (the only mode with indirect indices), `hwdge` = the hardware DGE (no indirect, no cast), `unknown` = the
 * compiler picks.
 */
export type DgeMode = 'none' | 'swdge' | 'hwdge' | 'unknown';
export const DGE_MODES: readonly DgeMode[] = ['none', 'swdge', 'hwdge', 'unknown'];

/** Index dtypes of indirect DMA (neuroncore.md §2.2, §5.4 rule 8: uint32; int32 is accepted as NKI's simulator does). */
export const INDEX_DTYPES = ['uint32', 'int32'] as const;

/**
 * An indirect access: the leading dim of one side (the HBM side) is addressed by the values of a [P, 1] index tile
 * (NKI's `.ap(vector_offset=idx, indirect_dim=0)`): partition p's index selects the row that lands on (gather) or comes
 * from (scatter) row p of the other side.
 */
export interface IndirectAccess {
  readonly side: 'src' | 'dst';
  /** The indexed dim of that side; only 0 (the leading dim) is allowed. */
  readonly dim: number;
  /** Position of the index tile among the instruction's inputs. */
  readonly index: number;
  readonly oobMode: OobMode;
}

export interface DmaCopyAttrs {
  readonly indirect?: IndirectAccess;
  /** Read-modify-write (dma_compute, legacy dst_rmw_op=np.add): dst = dst + src, computed in fp32. */
  readonly dstRmwOp?: 'add';
  readonly dgeMode?: DgeMode;
  /** Source and destination dtypes differ: values go source → fp32 → destination. Set by `nisa.dmaCopy`. */
  readonly cast?: boolean;
}

function rowLength(v: View): number {
  return numel(v.shape) / v.shape[0];
}

function checkIndirect(
  src: View,
  dst: View,
  ins: readonly View[],
  a: DmaCopyAttrs,
  ind: IndirectAccess,
): void {
  if (ind.dim !== 0) {
    fail(
      'TK0261',
      `indirect DMA indexes dim ${ind.dim}; only the leading dim can be indexed (move the indexed axis first)`,
    );
  }
  const dge = a.dgeMode ?? 'unknown';
  if (dge === 'none' || dge === 'hwdge') {
    fail(
      'TK0263',
      `indirect DMA with dgeMode '${dge}': runtime indices need dgeMode 'swdge' (or leave it unset)`,
    );
  }
  if (!OOB_MODES.includes(ind.oobMode)) {
    fail(
      'TK0209',
      `oobMode ${JSON.stringify(ind.oobMode)} must be ${OOB_MODES.map((m) => `'${m}'`).join(' or ')}`,
    );
  }
  const table = ind.side === 'src' ? src : dst;
  const other = ind.side === 'src' ? dst : src;
  requireSpace(
    table,
    ['hbm'],
    `the indexed ${ind.side === 'src' ? 'source' : 'destination'} of an indirect DMA`,
  );
  const index = ins[ind.index];
  if (!(INDEX_DTYPES as readonly string[]).includes(index.dtype)) {
    fail('TK0260', `indirect DMA index tile must be ${INDEX_DTYPES.join(' or ')}, got ${index.dtype}`);
  }
  if (index.space !== 'sbuf') {
    fail('TK0260', `indirect DMA index tile must be in sbuf, but it is in ${index.space}; load it first`);
  }
  if (freeSize(index.shape) !== 1) {
    fail(
      'TK0260',
      `indirect DMA index tile must be [P, 1] (one row number per partition), got [${index.shape}]`,
    );
  }
  const rows = index.shape[0];
  const n = rows * rowLength(table);
  if (numel(other.shape) !== n) {
    fail(
      'TK0205',
      `indirect DMA moves ${rows} rows (one per index) of ${rowLength(table)} elements = ${n}, but the ${ind.side === 'src' ? 'destination' : 'source'} [${other.shape}] has ${numel(other.shape)}`,
    );
  }
  if (other.space !== 'hbm' && other.shape[0] !== index.shape[0]) {
    fail(
      'TK0202',
      `indirect DMA: the index tile has ${index.shape[0]} partitions but the on-chip side has ${other.shape[0]}; they must match`,
    );
  }
}

/**
 * Copy between HBM and SBUF (or within either) on the DMA queues; casting goes through fp32 (neuroncore.md §2.2
 * dma_copy [IL, IN]). PSUM is not a DMA source or destination in NKI 0.3+ (neuroncore.md §3.7 [PMIG]). With
 * `indirect`, one HBM side is gathered from or scattered to through an index tile, bounds-checked at run time
 * (`oobMode`); the operand is the whole indexed view, so dependency analysis sees the whole tensor as touched.
 * With `dstRmwOp: 'add'` the destination is read, added to and written back (scatter-add when also indirect).
 */
export const dmaCopy = defineOp<DmaCopyAttrs>({
  summary:
    'DMA copy between HBM and SBUF, casting through fp32; indirect gather/scatter; read-modify-write add',
  engines: ['dma'],
  check: ({ ins, outs: [dst], attrs }) => {
    const src = ins[0];
    requireSpace(src, ['hbm', 'sbuf'], 'DMA source (copy PSUM to SBUF with tensorCopy first)');
    requireSpace(dst, ['hbm', 'sbuf'], 'DMA destination');
    if (attrs.dgeMode !== undefined && !DGE_MODES.includes(attrs.dgeMode)) {
      fail('TK0209', `dgeMode ${JSON.stringify(attrs.dgeMode)} must be one of ${DGE_MODES.join(', ')}`);
    }
    if (attrs.dgeMode === 'hwdge' && src.dtype !== dst.dtype) {
      fail(
        'TK0264',
        `a hardware-DGE DMA cannot cast ${src.dtype} to ${dst.dtype}; use matching dtypes or dgeMode 'swdge'`,
      );
    }
    if (attrs.dstRmwOp !== undefined && attrs.dstRmwOp !== 'add') {
      fail(
        'TK0266',
        `DMA read-modify-write op ${JSON.stringify(attrs.dstRmwOp)} is not supported; use 'add'`,
      );
    }
    if (attrs.indirect) {
      checkIndirect(src, dst, ins, attrs, attrs.indirect);
    } else if (numel(src.shape) !== numel(dst.shape)) {
      fail(
        'TK0205',
        `DMA element counts differ: source [${src.shape}] has ${numel(src.shape)}, destination [${dst.shape}] has ${numel(dst.shape)}`,
      );
    }
  },
  readsOutputs: (a) => a.indirect !== undefined || a.dstRmwOp !== undefined,
  evaluate: ({ ins, inShapes, outs: [dst], outShapes: [dstShape], attrs }) => {
    const src = ins[0];
    const cast = attrs.cast ?? false;
    const add = attrs.dstRmwOp === 'add';
    const move = (from: number, to: number) => {
      const v = cast ? Math.fround(src[from]) : src[from];
      dst[to] = add ? Math.fround(dst[to] + v) : v;
    };
    const ind = attrs.indirect;
    if (!ind) {
      for (let i = 0; i < dst.length; i++) move(i, i);
      return;
    }
    const index = ins[ind.index];
    const tableShape = ind.side === 'src' ? inShapes[0] : dstShape;
    const rows = tableShape[0];
    const len = numel(tableShape) / rows;
    for (let j = 0; j < index.length; j++) {
      const r = index[j];
      if (!(Number.isInteger(r) && r >= 0 && r < rows)) {
        if (ind.oobMode === 'skip') continue;
        fail(
          'TK0510',
          `index ${r} in partition ${j} of the index tile is out of bounds for the ${rows} rows of the indexed ${ind.side === 'src' ? 'source' : 'destination'} (valid 0..${rows - 1}); fix the index or pass oobMode: 'skip' to drop such rows`,
        );
      }
      const [from, to] = ind.side === 'src' ? [r * len, j * len] : [j * len, r * len];
      for (let e = 0; e < len; e++) move(from + e, to + e);
    }
  },
  flops: (ins, _outs, a) => (a.dstRmwOp === 'add' ? numel(ins[0].shape) : 0),
  describe: (a) =>
    [
      a.indirect &&
        `indirect ${a.indirect.side}[%in${a.indirect.index}]${a.indirect.oobMode === 'skip' ? ' oob=skip' : ''}`,
      a.dstRmwOp && `rmw=${a.dstRmwOp}`,
      a.dgeMode && a.dgeMode !== 'unknown' && a.dgeMode,
    ]
      .filter(Boolean)
      .join(' '),
});
