import type { PhysAccess, Program } from '../../codegen/program.ts';
import { DTYPES } from '../../ir/dtypes.ts';
import { type MemSpace, numel } from '../../ir/types.ts';
import type { Memories } from '../memory.ts';
import { addressOf, byteSpan, forEachRun, isDense, type Touch } from './access.ts';

/** A tensor's bytes: partitions [p0, p1) × bytes [b0, b1) of each (HBM: one "partition"). */
interface Extent {
  readonly space: MemSpace;
  readonly p0: number;
  readonly p1: number;
  readonly b0: number;
  readonly b1: number;
}

/**
 * Which bytes of each memory hold data written through the tensor now reading them, independent of the NaN sentinel
 * (so a kernel that reads unwritten memory is caught even where NaN would not show). HBM tensors never share bytes:
 * one flag per byte. SBUF and PSUM bytes are reused by tiles whose live ranges do not overlap, so each byte records
 * which tile wrote it last: data a dead tile left behind does not count as written for the tile reading it.
 *
 * Reads are checked byte by byte, except for tensors known to be complete: immutable inputs and constants, and any
 * tensor whose whole extent was found written through it since another tensor last wrote into that extent.
 */
export class WrittenBytes {
  private readonly maps: Record<MemSpace, Uint8Array | Uint16Array | Uint32Array>;
  private readonly pitch: Readonly<Record<MemSpace, number>>;
  private readonly extents: (Extent | undefined)[];
  /** 1: every byte of the tensor's extent is written through it. */
  private readonly complete: Uint8Array;
  /** 1: a full check failed and nothing was written through the tensor since (do not try again). */
  private readonly tried: Uint8Array;
  /** Tensors currently complete (their completeness ends when another tensor writes into their extent). */
  private readonly completeList: number[] = [];

  constructor(program: Program, mem: Memories) {
    const { ir } = program;
    const owners = ir.buffers.length < 0xffff ? Uint16Array : Uint32Array;
    this.maps = {
      hbm: new Uint8Array(mem.hbm.length),
      sbuf: new owners(mem.sbuf.length),
      psum: new owners(mem.psum.length),
    };
    this.pitch = mem.pitch;
    this.complete = new Uint8Array(ir.buffers.length);
    this.tried = new Uint8Array(ir.buffers.length);
    this.extents = ir.buffers.map((b) => {
      const p = program.placements[b.id];
      if (!p) return undefined;
      if (b.space === 'hbm') {
        return {
          space: b.space,
          p0: 0,
          p1: 1,
          b0: p.byteOffset,
          b1: p.byteOffset + numel(b.shape) * DTYPES[b.dtype].bytes,
        };
      }
      return {
        space: b.space,
        p0: p.startPartition,
        p1: p.startPartition + b.shape[0],
        b0: p.byteOffset,
        b1: p.byteOffset + p.bytes,
      };
    });
    for (const b of ir.buffers) {
      const e = this.extents[b.id];
      if (!e || b.space !== 'hbm' || !(b.role === 'input' || b.init)) continue;
      this.maps.hbm.fill(1, e.b0, e.b1);
      // Nothing can write an immutable input or a constant: they stay complete.
      if (b.role === 'constant' || !b.mutable) this.complete[b.id] = 1;
      else this.setComplete(b.id);
    }
  }

  /** The mark a write through `buffer` leaves in `space`. */
  private tag(space: MemSpace, buffer: number): number {
    return space === 'hbm' ? 1 : buffer + 1;
  }

  private setComplete(buffer: number): void {
    this.complete[buffer] = 1;
    this.completeList.push(buffer);
  }

  /** Mark the touched elements written. */
  mark(t: Touch): void {
    const a = t.access;
    const map = this.maps[a.space];
    const eb = a.elemBytes;
    const pitch = this.pitch[a.space];
    const tag = this.tag(a.space, t.buffer);
    this.tried[t.buffer] = 0;
    this.invalidate(t);
    // A dense write over the tensor's whole extent makes it complete at once (the common case: a load, or an op
    // writing a whole tile).
    const e = this.extents[t.buffer];
    if (e && !t.elements && !this.complete[t.buffer] && isDense(a)) {
      const [b0, b1] = byteSpan(a);
      if (a.startPartition <= e.p0 && a.startPartition + a.partitions >= e.p1 && b0 <= e.b0 && b1 >= e.b1)
        this.setComplete(t.buffer);
    }
    if (t.elements) {
      for (const e of t.elements) {
        const addr = addressOf(a, pitch, e);
        map.fill(tag, addr, addr + eb);
      }
      return;
    }
    forEachRun(a, pitch, (addr, stride, n) => {
      if (stride === eb) map.fill(tag, addr, addr + n * eb);
      else for (let i = 0; i < n; i++, addr += stride) map.fill(tag, addr, addr + eb);
      return false;
    });
  }

  /** A write through `t.buffer` ends the completeness of every other tensor whose extent it reaches. */
  private invalidate(t: Touch): void {
    if (this.completeList.length === 0) return;
    const a = t.access;
    const [b0, b1] = byteSpan(a);
    const p0 = a.startPartition;
    const p1 = p0 + a.partitions;
    let kept = 0;
    for (const id of this.completeList) {
      const e = this.extents[id]!;
      const hit = id !== t.buffer && e.space === a.space && e.p0 < p1 && p0 < e.p1 && e.b0 < b1 && b0 < e.b1;
      if (hit) this.complete[id] = 0;
      else this.completeList[kept++] = id;
    }
    this.completeList.length = kept;
  }

  /** Row-major position of the first touched element with an unwritten byte, and how many there are; -1 if none. */
  unwritten(t: Touch): { first: number; count: number } {
    const none = { first: -1, count: 0 };
    if (this.complete[t.buffer] || this.wholeWritten(t.buffer)) return none;
    let first = -1;
    let count = 0;
    this.scan(t.access, this.tag(t.access.space, t.buffer), t.elements, (pos) => {
      if (first < 0) first = pos;
      count++;
    });
    return first < 0 ? none : { first, count };
  }

  /** Check a tensor's whole extent once per write through it; complete tensors skip later checks. */
  private wholeWritten(buffer: number): boolean {
    const e = this.extents[buffer];
    if (!e || this.tried[buffer]) return false;
    this.tried[buffer] = 1;
    const map = this.maps[e.space];
    const pitch = this.pitch[e.space];
    const tag = this.tag(e.space, buffer);
    for (let p = e.p0; p < e.p1; p++) {
      const end = p * pitch + e.b1;
      for (let k = p * pitch + e.b0; k < end; k++) if (map[k] !== tag) return false;
    }
    this.setComplete(buffer);
    return true;
  }

  /** Visit the row-major position of every element (of `elements`, or all) with an unwritten byte. */
  private scan(
    a: PhysAccess,
    tag: number,
    elements: Int32Array | undefined,
    fn: (pos: number) => void,
  ): void {
    const map = this.maps[a.space];
    const eb = a.elemBytes;
    const pitch = this.pitch[a.space];
    const bad = (addr: number) => {
      for (let k = 0; k < eb; k++) if (map[addr + k] !== tag) return true;
      return false;
    };
    if (elements) {
      for (const e of elements) if (bad(addressOf(a, pitch, e))) fn(e);
      return;
    }
    forEachRun(a, pitch, (addr, stride, n, pos) => {
      if (stride === eb) {
        // Fast path: a contiguous run written through this tensor. (Elements are written whole, so the first and
        // last byte of each stand for it.)
        const end = addr + n * eb;
        const last = eb - 1;
        let k = addr;
        while (k < end && map[k] === tag && map[k + last] === tag) k += eb;
        if (k >= end) return false;
      }
      for (let i = 0; i < n; i++, addr += stride) if (bad(addr)) fn(pos + i);
      return false;
    });
  }
}
