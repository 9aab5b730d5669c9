import type { PhysAccess, ProgInstr, Program, QueueId } from '../../codegen/program.ts';
import type { MemSpace } from '../../ir/types.ts';
import { byteSpan, forEachRun, isDense } from './access.ts';

/**
 * Happens-before from the Program's own ordering, as vector clocks: `start[i][q]` is how many instructions of queue
 * q are known complete when instruction i starts. Two things order instructions: semaphore waits (queue q has
 * completed `count` instructions; a queue completes in order) and queue order (an engine runs its queue one
 * instruction after the other; DMA queues are FIFO on each DMA engine, neuroncore.md §3.8).
 */
export class HappensBefore {
  private readonly qi = new Map<QueueId, number>();
  private readonly start: (Int32Array | undefined)[];

  constructor(private readonly program: Program) {
    for (const q of Object.keys(program.queues) as QueueId[]) this.qi.set(q, this.qi.size);
    this.start = new Array(program.instrs.length);
  }

  /** Record instruction `ins` as issued (its waits are satisfied). */
  issue(ins: ProgInstr): void {
    const { program } = this;
    const n = this.qi.size;
    const s = new Int32Array(n);
    const join = (o: Int32Array | undefined) => {
      if (o) for (let k = 0; k < n; k++) if (o[k] > s[k]) s[k] = o[k];
    };
    const q = this.qi.get(ins.queue)!;
    if (ins.index > 0) {
      const prev = program.queues[ins.queue]![ins.index - 1];
      join(this.start[prev]);
      if (s[q] < ins.index) s[q] = ins.index;
    }
    for (const w of ins.waits) {
      join(this.start[program.queues[w.queue]![w.count - 1]]);
      const k = this.qi.get(w.queue)!;
      if (s[k] < w.count) s[k] = w.count;
    }
    this.start[ins.id] = s;
  }

  /** Did `before` complete before `after` started? (`after` has issued.) */
  ordered(before: ProgInstr, after: ProgInstr): boolean {
    const s = this.start[after.id];
    return s !== undefined && s[this.qi.get(before.queue)!] >= before.index + 1;
  }
}

interface Rec {
  readonly instr: ProgInstr;
  readonly access: PhysAccess;
  readonly buffer: number;
  readonly write: boolean;
  readonly p0: number;
  readonly p1: number;
  readonly b0: number;
  readonly b1: number;
  dead: boolean;
  seen: number;
}

export interface Race {
  readonly earlier: ProgInstr;
  readonly later: ProgInstr;
  /** What each did: 'reads' or 'writes'. */
  readonly earlierWrites: boolean;
  readonly laterWrites: boolean;
  /** The tensors each accessed (different ones when one reuses the other's bytes). */
  readonly earlierBuffer: number;
  readonly laterBuffer: number;
  readonly space: MemSpace;
}

const CHUNK: Record<MemSpace, number> = { hbm: 1 << 16, sbuf: 2048, psum: 2048 };

/**
 * Cross-engine races: every pair of accesses that overlap in bytes, at least one writing, must be ordered by
 * happens-before. Accesses are kept per memory, bucketed by byte chunk; an access is retired once a later, ordered
 * access of the same kind (or a write) covers all its bytes, since any conflict with it is then a conflict with the
 * later one too. Pairs whose bounding boxes meet are compared byte by byte before a race is reported.
 */
export class RaceDetector {
  private readonly hb: HappensBefore;
  private readonly buckets: Record<MemSpace, Map<number, Rec[]>> = {
    hbm: new Map(),
    sbuf: new Map(),
    psum: new Map(),
  };
  private query = 0;

  constructor(
    program: Program,
    private readonly pitch: Readonly<Record<MemSpace, number>>,
  ) {
    this.hb = new HappensBefore(program);
  }

  /** Check an issuing instruction's accesses against earlier ones, then record them. */
  access(ins: ProgInstr, touches: readonly { access: PhysAccess; write: boolean; buffer: number }[]): Race[] {
    this.hb.issue(ins);
    const races: Race[] = [];
    const recs = touches.map((t) => this.rec(ins, t.access, t.write, t.buffer));
    for (const r of recs) {
      this.overlapping(r, (o) => {
        if (o.instr === ins || (!o.write && !r.write)) return;
        if (this.hb.ordered(o.instr, ins)) return;
        if (!races.some((x) => x.earlier === o.instr) && this.bytesMeet(o.access, r.access)) {
          races.push({
            earlier: o.instr,
            later: ins,
            earlierWrites: o.write,
            laterWrites: r.write,
            earlierBuffer: o.buffer,
            laterBuffer: r.buffer,
            space: r.access.space,
          });
        }
      });
    }
    for (const r of recs) {
      if (!isDense(r.access)) continue;
      this.overlapping(r, (o) => {
        if (o.instr === ins || (o.write && !r.write)) return;
        if (o.p0 >= r.p0 && o.p1 <= r.p1 && o.b0 >= r.b0 && o.b1 <= r.b1 && this.hb.ordered(o.instr, ins))
          o.dead = true;
      });
    }
    for (const r of recs) this.add(r);
    return races;
  }

  private rec(instr: ProgInstr, access: PhysAccess, write: boolean, buffer: number): Rec {
    const [b0, b1] = byteSpan(access);
    const p0 = access.startPartition;
    return { instr, access, buffer, write, p0, p1: p0 + access.partitions, b0, b1, dead: false, seen: 0 };
  }

  private keys(r: Rec): [number, number] {
    const c = CHUNK[r.access.space];
    return [Math.floor(r.b0 / c), Math.floor((r.b1 - 1) / c)];
  }

  private overlapping(r: Rec, fn: (o: Rec) => void): void {
    const q = ++this.query;
    const [k0, k1] = this.keys(r);
    const buckets = this.buckets[r.access.space];
    for (let k = k0; k <= k1; k++) {
      const list = buckets.get(k);
      if (!list) continue;
      for (const o of list) {
        if (o.dead || o.seen === q) continue;
        o.seen = q;
        if (o.p0 < r.p1 && r.p0 < o.p1 && o.b0 < r.b1 && r.b0 < o.b1) fn(o);
      }
    }
  }

  private add(r: Rec): void {
    const [k0, k1] = this.keys(r);
    const buckets = this.buckets[r.access.space];
    for (let k = k0; k <= k1; k++) {
      let list = buckets.get(k);
      if (!list) buckets.set(k, (list = []));
      if (list.length >= 64 && list.length % 64 === 0) {
        const kept = list.filter((x) => !x.dead);
        list.length = 0;
        list.push(...kept);
      }
      list.push(r);
    }
  }

  /** Do two accesses share a byte (not just a bounding box)? */
  private bytesMeet(a: PhysAccess, b: PhysAccess): boolean {
    const pitch = this.pitch[a.space];
    const bytes = new Set<number>();
    forEachRun(a, pitch, (addr, stride, n) => {
      for (let i = 0; i < n; i++, addr += stride) for (let k = 0; k < a.elemBytes; k++) bytes.add(addr + k);
      return false;
    });
    let hit = false;
    forEachRun(b, pitch, (addr, stride, n) => {
      for (let i = 0; i < n && !hit; i++, addr += stride)
        for (let k = 0; k < b.elemBytes; k++) if (bytes.has(addr + k)) hit = true;
      return hit;
    });
    return hit;
  }
}
