import type { Program } from '../../codegen/program.ts';
import type { DiagnosticNote } from '../../ir/errors.ts';
import type { Memories } from '../memory.ts';
import { byteSpan, type Touch } from './access.ts';

export interface BoundsViolation {
  readonly message: string;
  readonly notes: readonly DiagnosticNote[];
}

/**
 * Every access stays inside its tensor's placement and inside the memory: partitions within the tile's partitions,
 * bytes within the tile's bytes (HBM: the tensor's address range). A violation means the Program would read or
 * clobber another tensor's bytes (an allocation or lowering bug, or a hand-edited Program).
 */
export function checkBounds(program: Program, mem: Memories, t: Touch): BoundsViolation | undefined {
  const a = t.access;
  const b = program.ir.buffers[t.buffer];
  const p = program.placements[t.buffer];
  const name = `'${b.name}' [${b.shape}] ${b.dtype}`;
  const created = { message: `'${b.name}' was created here`, loc: b.loc };
  if (!p) return { message: `${t.role} is ${name}, which has no placement`, notes: [created] };
  const [lo, hi] = byteSpan(a);
  const size = mem.space(a.space).length;
  if (a.space === 'hbm') {
    const end = p.byteOffset + p.bytes;
    if (lo < p.byteOffset || hi > end || hi > size) {
      return {
        message: `${t.role} reaches HBM bytes [${lo}, ${hi}), outside ${name} at [${p.byteOffset}, ${end})`,
        notes: [created],
      };
    }
    return undefined;
  }
  const chip = program.chip;
  const partitions = a.space === 'sbuf' ? chip.sbuf.partitions : chip.psum.partitions;
  const p1 = p.startPartition + b.shape[0];
  if (a.startPartition < p.startPartition || a.startPartition + a.partitions > Math.min(p1, partitions)) {
    return {
      message: `${t.role} spans ${a.space} partitions [${a.startPartition}, ${a.startPartition + a.partitions}), outside ${name} on partitions [${p.startPartition}, ${p1})`,
      notes: [created],
    };
  }
  const end = p.byteOffset + p.bytes;
  if (lo < p.byteOffset || hi > end || hi > mem.pitch[a.space]) {
    return {
      message: `${t.role} reaches ${a.space} bytes [${lo}, ${hi}) of each partition, outside ${name} at [${p.byteOffset}, ${end})`,
      notes: [created],
    };
  }
  return undefined;
}
