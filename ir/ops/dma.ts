import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { requireSpace } from './checks.ts';

/**
 * Copy between HBM and SBUF (or within either) on the DMA queues; casting goes through fp32 (neuroncore.md §2.2
 * dma_copy [IL, IN]). PSUM is not a DMA source or destination in NKI 0.3+ (neuroncore.md §3.7 [PMIG]).
 */
export const dmaCopy = defineOp<Record<string, never>>({
  summary: 'DMA copy between HBM and SBUF, casting through fp32',
  engines: ['dma'],
  check: ({ ins: [src], outs: [dst] }) => {
    requireSpace(src, ['hbm', 'sbuf'], 'DMA source (copy PSUM to SBUF with tensorCopy first)');
    requireSpace(dst, ['hbm', 'sbuf'], 'DMA destination');
    if (numel(src.shape) !== numel(dst.shape)) {
      fail(
        'TK0205',
        `DMA element counts differ: source [${src.shape}] has ${numel(src.shape)}, destination [${dst.shape}] has ${numel(dst.shape)}`,
      );
    }
  },
  evaluate: ({ ins: [src], outs: [dst] }) => {
    dst.set(src);
  },
  flops: () => 0,
});
