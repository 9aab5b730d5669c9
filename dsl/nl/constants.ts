import type { DType } from '../../ir/dtypes.ts';
import type { BufferKind } from '../alloc.ts';
import type { DynSlice } from '../indexing.ts';

/** dtypes (neuroncore.md §1.11 [SH]). */
export const float32 = 'float32' satisfies DType;
export const tfloat32 = 'tfloat32' satisfies DType;
export const bfloat16 = 'bfloat16' satisfies DType;
export const float16 = 'float16' satisfies DType;
export const float8_e4m3 = 'float8_e4m3' satisfies DType;
export const float8_e4m3fn = 'float8_e4m3fn' satisfies DType;
export const float8_e5m2 = 'float8_e5m2' satisfies DType;
export const int8 = 'int8' satisfies DType;
export const int16 = 'int16' satisfies DType;
export const int32 = 'int32' satisfies DType;
export const uint8 = 'uint8' satisfies DType;
export const uint16 = 'uint16' satisfies DType;
export const uint32 = 'uint32' satisfies DType;
export const bool_ = 'uint8' satisfies DType;

/** Memories (neuroncore.md §1.3 [LL]). */
export const sbuf = 'sbuf' satisfies BufferKind;
export const psum = 'psum' satisfies BufferKind;
export const hbm = 'hbm' satisfies BufferKind;
export const privateHbm = 'hbm' satisfies BufferKind;
export const sharedHbm = 'sharedHbm' satisfies BufferKind;

/** `nl.tile_size` (neuroncore.md §1.5 [TS, PT]). */
export const tileSize = Object.freeze({
  pmax: 128,
  psumFmax: 512,
  psumNumBanks: 8,
  gemmStationaryFmax: 128,
  gemmMovingFmax: 512,
  bnStatsFmax: 512,
});

/** A dynamic slice: `size` elements from `start` (optionally every `step`). */
export function ds(start: number, size: number, step = 1): DynSlice {
  return Object.freeze({ kind: 'ds', start, size, step });
}
