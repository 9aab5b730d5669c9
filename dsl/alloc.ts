import { DTYPES, type DType, isDType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import { freeSize, type MemSpace, rowMajorStrides } from '../ir/types.ts';
import { activeTrace, raise } from '../tracer/context.ts';
import { userLocation } from '../tracer/location.ts';
import { PARTITIONS } from '../tracer/rules.ts';
import { Tensor } from './tensor.ts';

/** Where `nl.ndarray` puts a tensor (neuroncore.md §1.3 [LL]): on chip, private HBM, or HBM shared by all programs. */
export type BufferKind = 'sbuf' | 'psum' | 'hbm' | 'sharedHbm';
const BUFFER_KINDS: readonly BufferKind[] = ['sbuf', 'psum', 'hbm', 'sharedHbm'];

/** One PSUM bank per partition (neuroncore.md §1.4 TC#2, §5.4 rule 3 [PL, PT]). */
export const PSUM_BANK_BYTES = 2048;

export function checkDType(dtype: unknown): DType {
  if (typeof dtype !== 'string' || !isDType(dtype)) raise('TK0107', `unknown dtype ${JSON.stringify(dtype)}`);
  return dtype as DType;
}

export function checkShape(shape: unknown): readonly number[] {
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    raise('TK0105', `shape ${JSON.stringify(shape)} must be a non-empty list of positive integers`);
  }
  return shape as number[];
}

/** Allocate a tensor in the current trace, checking the memory's shape rules at the user's line. */
export function allocate(shape: readonly number[], dtype: DType, kind: BufferKind, name: string): Tensor {
  const ctx = activeTrace();
  checkShape(shape);
  checkDType(dtype);
  if (!BUFFER_KINDS.includes(kind))
    raise('TK0108', `unknown buffer ${JSON.stringify(kind)}; use nl.sbuf, nl.psum, nl.hbm or nl.sharedHbm`);
  const space: MemSpace = kind === 'sharedHbm' ? 'hbm' : kind;
  if (space !== 'hbm') {
    if (shape.length < 2) {
      raise(
        'TK0102',
        `on-chip tensor of shape [${shape}] needs a partition dim and at least one free dim, e.g. [${shape[0]}, 1]`,
      );
    }
    if (shape[0] > PARTITIONS) {
      raise(
        'TK0101',
        `partition dimension ${shape[0]} exceeds the architecture limit of ${PARTITIONS}; tile the leading dim`,
      );
    }
    if (space === 'psum' && freeSize(shape) * DTYPES[dtype].bytes > PSUM_BANK_BYTES) {
      const bytes = freeSize(shape) * DTYPES[dtype].bytes;
      raise(
        'TK0104',
        `PSUM tile [${shape}] ${dtype} needs ${bytes} bytes per partition; a PSUM tile must fit one ${PSUM_BANK_BYTES}-byte bank (512 fp32)`,
      );
    }
  }
  const loc = userLocation();
  if (kind === 'sharedHbm') {
    if (ctx.loopDepth > 0) {
      throw new KernelError(
        'TK0404',
        'shared HBM tensors must be created at the top level of the kernel, outside loops',
        loc,
      );
    }
    const ordinal = ctx.sharedHbmOrdinal++;
    const existing = ctx.sharedHbm[ordinal];
    if (existing !== undefined) {
      const b = ctx.buffers[existing];
      if (b.dtype !== dtype || b.shape.join() !== shape.join()) {
        throw new KernelError(
          'TK0405',
          `program ${ctx.program} allocates shared HBM [${shape}] ${dtype} where program 0 allocated [${b.shape}] ${b.dtype}`,
          loc,
        );
      }
      return fullTensor(existing);
    }
  }
  const buf = ctx.addBuffer({
    name,
    space,
    shape: Object.freeze([...shape]),
    dtype,
    role: 'temp',
    mutable: false,
    loc,
  });
  if (kind === 'sharedHbm') ctx.sharedHbm.push(buf.id);
  return fullTensor(buf.id);
}

export function fullTensor(bufferId: number): Tensor {
  const ctx = activeTrace();
  const b = ctx.buffers[bufferId];
  return new Tensor(
    ctx,
    Object.freeze({
      buffer: b.id,
      space: b.space,
      dtype: b.dtype,
      offset: 0,
      shape: b.shape,
      strides: Object.freeze(rowMajorStrides(b.shape)),
    }),
  );
}
