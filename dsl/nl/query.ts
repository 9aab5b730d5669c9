import { tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';

/** Where a tensor lives (NKI `is_psum` / `is_sbuf` / `is_hbm` / `is_on_chip`). */
export const isPsum = (x: Tensor): boolean => tensorArg(x, 'isPsum operand').buffer === 'psum';
export const isSbuf = (x: Tensor): boolean => tensorArg(x, 'isSbuf operand').buffer === 'sbuf';
export const isHbm = (x: Tensor): boolean => tensorArg(x, 'isHbm operand').buffer === 'hbm';
export const isOnChip = (x: Tensor): boolean => !isHbm(x);
