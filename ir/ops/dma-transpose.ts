import { DTYPES } from '../dtypes.ts';
import { defineOp, fail } from '../op-def.ts';
import { numel, rowMajorStrides } from '../types.ts';
import { requireSpace } from './checks.ts';

/** The permutations the DMA engines transpose with, by rank (neuroncore.md §2.2 dma_transpose [IL, A2]). */
export const DMA_TRANSPOSE_AXES: Readonly<Record<number, readonly number[]>> = {
  2: [1, 0],
  3: [2, 1, 0],
  4: [3, 1, 2, 0],
};

export interface DmaTransposeAttrs {
  /** Result dim i is source dim axes[i]. */
  readonly axes: readonly number[];
}

export function permutedShape(shape: readonly number[], axes: readonly number[]): number[] {
  return axes.map((a) => shape[a]);
}

/**
 * Transpose in the DMA engines, HBM → SBUF or SBUF → SBUF, for 2- and 4-byte dtypes (bit-exact; no cast, no
 * indirect indices) (neuroncore.md §2.2 dma_transpose [IL, A2]).
 */
export const dmaTranspose = defineOp<DmaTransposeAttrs>({
  summary: 'transpose in the DMA engines (2-D [1,0], 3-D [2,1,0], 4-D [3,1,2,0]) into SBUF',
  engines: ['dma'],
  check: ({ ins: [src], outs: [dst], attrs }) => {
    requireSpace(src, ['hbm', 'sbuf'], 'dmaTranspose source');
    requireSpace(dst, ['sbuf'], 'dmaTranspose destination');
    const want = DMA_TRANSPOSE_AXES[src.shape.length];
    if (!want || attrs.axes.join() !== want.join()) {
      const list = Object.values(DMA_TRANSPOSE_AXES)
        .map((a) => `[${a}]`)
        .join(', ');
      fail(
        'TK0265',
        `dmaTranspose of a rank-${src.shape.length} source with axes [${attrs.axes}]: the DMA engines transpose with ${list} (reshape the source to match)`,
      );
    }
    if (src.dtype !== dst.dtype) {
      fail('TK0206', `dmaTranspose cannot cast (${src.dtype} to ${dst.dtype}); transpose, then tensorCopy`);
    }
    const bytes = DTYPES[src.dtype].bytes;
    if (bytes !== 2 && bytes !== 4) {
      fail('TK0206', `dmaTranspose moves 2- or 4-byte elements, got ${src.dtype}; use ncTranspose instead`);
    }
    const shape = permutedShape(src.shape, attrs.axes);
    if (numel(dst.shape) !== numel(shape) || dst.shape[0] !== shape[0]) {
      fail('TK0205', `dmaTranspose result is [${shape}] but the destination is [${dst.shape}]`);
    }
  },
  evaluate: ({ ins: [src], inShapes: [shape], outs: [out], attrs }) => {
    const strides = rowMajorStrides(shape);
    const outShape = permutedShape(shape, attrs.axes);
    const from = attrs.axes.map((a) => strides[a]);
    const idx = new Array<number>(outShape.length).fill(0);
    for (let i = 0, at = 0; i < out.length; i++) {
      out[i] = src[at];
      for (let d = outShape.length - 1; d >= 0; d--) {
        at += from[d];
        if (++idx[d] < outShape[d]) break;
        at -= from[d] * outShape[d];
        idx[d] = 0;
      }
    }
  },
  flops: () => 0,
  describe: (a) => `axes=[${a.axes}]`,
});
