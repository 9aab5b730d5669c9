import type { ProgInstr, Program } from '../../codegen/program.ts';
import type { MatmulAttrs } from '../../ir/ops/matmul.ts';
import { byteSpan } from './access.ts';

interface Group {
  readonly p0: number;
  readonly p1: number;
  readonly b0: number;
  readonly b1: number;
  /** The matmul that started the group (overwrote the region). */
  readonly start: ProgInstr;
  /** Set when a group over other bytes of the same bank started after this one: accumulating again is an error. */
  interruptedBy?: ProgInstr;
  /** Set when a non-TensorE instruction wrote the region: accumulating onto it is undefined. */
  overwrittenBy?: ProgInstr;
}

export type GroupViolation =
  | { readonly kind: 'interleaved'; readonly group: Group; readonly other: ProgInstr }
  | { readonly kind: 'overwritten'; readonly group: Group; readonly other: ProgInstr };

/**
 * PSUM accumulation groups (neuroncore.md §1.12, §1.13): a run of matmuls into one PSUM region, the first
 * overwriting and the rest adding. A bank holds one open group at a time: once another group starts in the same
 * bank (on overlapping partitions), accumulating into the first again is the "accumulation group interleaving"
 * violation (SCH713). Accumulating onto a region another engine wrote since the group started is undefined.
 */
export class PsumGroups {
  private readonly banks = new Map<number, Group[]>();
  private readonly bankBytes: number;

  constructor(program: Program) {
    this.bankBytes = program.chip.psum.bankBytesPerPartition;
  }

  /** Track one instruction's PSUM writes; the violation if it accumulates into an interrupted group. */
  issue(ins: ProgInstr): GroupViolation | undefined {
    let found: GroupViolation | undefined;
    for (const a of ins.outs) {
      if (a.space !== 'psum') continue;
      const [b0, b1] = byteSpan(a);
      const p0 = a.startPartition;
      const p1 = p0 + a.partitions;
      const bank = Math.floor(b0 / this.bankBytes);
      let groups = this.banks.get(bank);
      if (!groups) this.banks.set(bank, (groups = []));
      const same = (g: Group) => g.p0 === p0 && g.p1 === p1 && g.b0 === b0 && g.b1 === b1;
      const meets = (g: Group) => g.p0 < p1 && p0 < g.p1;
      if (ins.engine !== 'tensor') {
        for (const g of groups) if (meets(g) && g.b0 < b1 && b0 < g.b1) g.overwrittenBy ??= ins;
        continue;
      }
      const accumulate = ins.op === 'ncMatmul' && (ins.attrs as MatmulAttrs).accumulate;
      if (accumulate) {
        const g = groups.find(same);
        if (g?.interruptedBy) found ??= { kind: 'interleaved', group: g, other: g.interruptedBy };
        else if (g?.overwrittenBy) found ??= { kind: 'overwritten', group: g, other: g.overwrittenBy };
        continue;
      }
      for (const g of groups) if (!same(g) && meets(g)) g.interruptedBy ??= ins;
      const kept = groups.filter((g) => !(g.p0 >= p0 && g.p1 <= p1 && g.b0 >= b0 && g.b1 <= b1));
      kept.push({ p0, p1, b0, b1, start: ins });
      this.banks.set(bank, kept);
    }
    return found;
  }
}
