import type { DiagnosticNote } from '../ir/errors.ts';
import { freeSize, type MemSpace, type View } from '../ir/types.ts';

/** Per-instruction access limits shared by trn1 and trn2 (neuroncore.md §1.4, §5.4 rule 6 [A1]). */
export const FREE_ELEMENTS_LIMIT: Readonly<Record<Exclude<MemSpace, 'hbm'>, number>> = {
  sbuf: 65536,
  psum: 4096,
};
export const PARTITIONS = 128;

/** Allowed start partitions for a partition count (neuroncore.md §1.7, §5.4 rule 2 [A1, PAL]). */
export function allowedPartitionStarts(count: number): readonly number[] {
  if (count > 64) return [0];
  if (count > 32) return [0, 64];
  return [0, 32, 64, 96];
}

export function partitionStart(v: View, bufferShape: readonly number[]): number {
  return Math.floor(v.offset / freeSize(bufferShape));
}

/** Hardware access patterns: partition plus at most 4 free dims (neuroncore.md §1.7, §5.4 rule 7 [A1, PA]). */
export const MAX_FREE_DIMS = 4;

/** Free-dim strides are int16 element counts in the instruction encoding (neuroncore.md §1.7, §5.4 rule 7 [A1, PA]). */
export const MAX_STRIDE = 32767;

export type RuleViolation = {
  code: 'TK0103' | 'TK0106' | 'TK0305' | 'TK0306' | 'TK0413';
  message: string;
  notes?: DiagnosticNote[];
};

/** The on-chip operand rules every compute instruction obeys. */
export function checkComputeOperand(
  v: View,
  bufferShape: readonly number[],
  what: string,
): RuleViolation | undefined {
  if (v.space === 'hbm') return undefined;
  const start = partitionStart(v, bufferShape);
  const count = v.shape[0];
  const allowed = allowedPartitionStarts(count);
  if (!allowed.includes(start)) {
    return {
      code: 'TK0103',
      message: `${what} spans ${count} partitions starting at partition ${start}; with ${count} partitions the start must be ${allowed.join(', ')}`,
    };
  }
  if (v.shape.length - 1 > MAX_FREE_DIMS) {
    return {
      code: 'TK0305',
      message: `${what} has ${v.shape.length - 1} free dims; an access pattern has at most ${MAX_FREE_DIMS} (merge contiguous dims with reshape)`,
    };
  }
  for (let d = 1; d < v.shape.length; d++) {
    // A dim contiguous with the next one merges into it (the compiler re-splits it), so only real jumps count.
    const merges = d + 1 < v.shape.length && v.strides[d] === v.strides[d + 1] * v.shape[d + 1];
    if (v.shape[d] > 1 && !merges && Math.abs(v.strides[d]) > MAX_STRIDE) {
      return {
        code: 'TK0306',
        message: `${what} steps ${v.strides[d]} elements along dim ${d}; an access pattern stride is at most ${MAX_STRIDE} (copy the data into a denser tile first)`,
      };
    }
  }
  const f = freeSize(v.shape);
  const limit = FREE_ELEMENTS_LIMIT[v.space];
  if (f > limit) {
    return {
      code: 'TK0106',
      message: `${what} has ${f} elements per partition; one instruction reads at most ${limit} from ${v.space}`,
    };
  }
  return undefined;
}
