import type { MemSpace } from '../ir/types.ts';
import { contains, overlaps, type Region } from './lower.ts';
import type { DepKind, QueueId } from './program.ts';

interface AccessRecord {
  readonly instr: number;
  readonly queue: QueueId;
  readonly region: Region;
  readonly write: boolean;
  dead: boolean;
  seen: number;
}

export interface Dependency {
  readonly on: number;
  readonly kind: DepKind;
}

/** Access records of one memory, bucketed by byte chunk so a query only looks at nearby accesses. */
class SpaceIndex {
  private readonly buckets = new Map<number, AccessRecord[]>();
  private query = 0;
  constructor(private readonly chunk: number) {}

  private keys(r: Region): [number, number] {
    return [Math.floor(r.b0 / this.chunk), Math.floor((r.b1 - 1) / this.chunk)];
  }

  /** Every live record overlapping `r`, once each. */
  overlapping(r: Region, fn: (rec: AccessRecord) => void): void {
    const q = ++this.query;
    const [k0, k1] = this.keys(r);
    for (let k = k0; k <= k1; k++) {
      const list = this.buckets.get(k);
      if (!list) continue;
      for (const rec of list) {
        if (rec.dead || rec.seen === q) continue;
        rec.seen = q;
        if (overlaps(rec.region, r)) fn(rec);
      }
    }
  }

  add(rec: AccessRecord): void {
    const [k0, k1] = this.keys(rec.region);
    for (let k = k0; k <= k1; k++) {
      let list = this.buckets.get(k);
      if (!list) this.buckets.set(k, (list = []));
      if (list.length >= 64 && list.length % 64 === 0) {
        const kept = list.filter((x) => !x.dead);
        if (kept.length < list.length) {
          list.length = 0;
          list.push(...kept);
        }
      }
      list.push(rec);
    }
  }
}

/**
 * Pass 4: read-after-write, write-after-read and write-after-write dependencies over physical memory regions
 * (so reuse of freed SBUF/PSUM bytes orders the new tile after the old one, as on hardware). Records that a later
 * access fully covers are retired: ordering through the later access is transitive.
 */
export class DependencyTracker {
  private readonly writes = DependencyTracker.indices();
  private readonly reads = DependencyTracker.indices();
  /** The live read record per (queue, exact region): a repeated read from one queue replaces the earlier one. */
  private readonly lastRead = new Map<string, AccessRecord>();

  private static indices(): Record<MemSpace, SpaceIndex> {
    return { hbm: new SpaceIndex(1 << 16), sbuf: new SpaceIndex(2048), psum: new SpaceIndex(2048) };
  }

  /** Dependencies of one instruction, then its accesses are recorded. */
  access(
    instr: number,
    queue: QueueId,
    reads: readonly { space: MemSpace; region: Region }[],
    writes: readonly { space: MemSpace; region: Region }[],
  ): Dependency[] {
    const deps = new Map<number, DepKind>();
    const note = (on: number, kind: DepKind) => {
      if (on !== instr && !deps.has(on)) deps.set(on, kind);
    };
    for (const r of reads) this.writes[r.space].overlapping(r.region, (rec) => note(rec.instr, 'RAW'));
    for (const w of writes) {
      this.writes[w.space].overlapping(w.region, (rec) => note(rec.instr, 'WAW'));
      this.reads[w.space].overlapping(w.region, (rec) => note(rec.instr, 'WAR'));
    }
    for (const r of reads) {
      const key = `${queue} ${r.space} ${r.region.p0} ${r.region.p1} ${r.region.b0} ${r.region.b1}`;
      const prev = this.lastRead.get(key);
      if (prev) prev.dead = true;
      const rec: AccessRecord = { instr, queue, region: r.region, write: false, dead: false, seen: 0 };
      this.lastRead.set(key, rec);
      this.reads[r.space].add(rec);
    }
    for (const w of writes) {
      // Accesses a write fully covers are ordered through it from now on.
      const retire = (rec: AccessRecord) => {
        if (rec.instr !== instr && contains(w.region, rec.region)) rec.dead = true;
      };
      this.writes[w.space].overlapping(w.region, retire);
      this.reads[w.space].overlapping(w.region, retire);
      this.writes[w.space].add({ instr, queue, region: w.region, write: true, dead: false, seen: 0 });
    }
    return [...deps].map(([on, kind]) => ({ on, kind }));
  }
}
