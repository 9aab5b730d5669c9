import { DTYPES } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import { type BufferDecl, freeSize, type KernelIR, numel } from '../ir/types.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import type { Placement } from './program.ts';

const HBM_ALIGN = 64;

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** First and last instruction index touching each buffer; undefined for untouched buffers. */
export function liveRanges(ir: KernelIR): (readonly [number, number] | undefined)[] {
  const ranges: ([number, number] | undefined)[] = ir.buffers.map(() => undefined);
  ir.instrs.forEach((ins, i) => {
    for (const v of [...ins.ins, ...ins.outs]) {
      const r = ranges[v.buffer];
      if (r) r[1] = i;
      else ranges[v.buffer] = [i, i];
    }
  });
  return ranges;
}

interface Block {
  start: number;
  end: number;
  buffer: number;
}

/**
 * A first-fit allocator over one partition-byte space, with live blocks freed once their buffer's live range
 * ends. `fits` lets PSUM keep a tile inside one bank.
 */
class Arena {
  readonly live: Block[] = [];
  constructor(
    readonly capacity: number,
    readonly alignment: number,
    readonly fits: (start: number, size: number) => number | undefined = (s) => s,
  ) {}

  release(isDead: (buffer: number) => boolean): void {
    for (let i = this.live.length - 1; i >= 0; i--) if (isDead(this.live[i].buffer)) this.live.splice(i, 1);
  }

  place(buffer: number, size: number): number | undefined {
    const blocks = [...this.live].sort((a, b) => a.start - b.start);
    let cursor = 0;
    for (let i = 0; i <= blocks.length; i++) {
      const limit = i < blocks.length ? blocks[i].start : this.capacity;
      let start = align(cursor, this.alignment);
      while (start + size <= limit) {
        const fitted = this.fits(start, size);
        if (fitted === start) {
          this.live.push({ start, end: start + size, buffer });
          return start;
        }
        if (fitted === undefined) break;
        start = align(fitted, this.alignment);
      }
      if (i < blocks.length) cursor = Math.max(cursor, blocks[i].end);
    }
    return undefined;
  }
}

function kib(bytes: number): string {
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(bytes % 1024 ? 1 : 0)} KiB` : `${bytes} B`;
}

function capacityError(
  code: 'TK0501' | 'TK0502',
  what: string,
  b: BufferDecl,
  bytes: number,
  capacity: number,
  arena: Arena,
  ir: KernelIR,
): KernelError {
  const live = [...arena.live].sort((x, y) => y.end - y.start - (x.end - x.start));
  const used = live.reduce((s, x) => s + (x.end - x.start), 0);
  const notes = live.slice(0, 8).map((x) => {
    const lb = ir.buffers[x.buffer];
    return {
      message: `live: '${lb.name}' [${lb.shape}] ${lb.dtype} uses ${kib(x.end - x.start)} per partition`,
      loc: lb.loc,
    };
  });
  if (live.length > 8)
    notes.push({ message: `and ${live.length - 8} more live tiles`, loc: undefined as never });
  return new KernelError(
    code,
    `${what} capacity exceeded: '${b.name}' [${b.shape}] ${b.dtype} needs ${kib(bytes)} per partition, but ${kib(used)} of ${kib(capacity)} are held by ${live.length} live tiles; use smaller tiles or let tiles die sooner`,
    b.loc,
    notes.filter((n) => n.loc !== undefined),
  );
}

/**
 * Tiles allocated at the same source line in successive loop iterations ("a site") get `multiBuffer` rotating
 * slots, so the loads of iteration i+1 do not wait for the compute of iteration i (double buffering, as NKI's
 * compiler does for affine loops). Where SBUF or PSUM is too small for that, the largest sites fall back to one slot.
 */
export const DEFAULT_MULTI_BUFFER = 2;

interface Site {
  /** Instances in order of first use. */
  readonly instances: number[];
  readonly bytes: number;
}

function allocationSites(
  ir: KernelIR,
  ranges: readonly (readonly [number, number] | undefined)[],
): Map<string, Site> {
  const sites = new Map<string, Site>();
  for (const b of ir.buffers) {
    if (b.space === 'hbm' || !ranges[b.id]) continue;
    const key = `${b.space} ${b.loc.file}:${b.loc.line}:${b.loc.column}`;
    let site = sites.get(key);
    if (!site) sites.set(key, (site = { instances: [], bytes: 0 }));
    site.instances.push(b.id);
    (site as { bytes: number }).bytes = Math.max(site.bytes, freeSize(b.shape) * DTYPES[b.dtype].bytes);
  }
  for (const [k, site] of sites) {
    if (site.instances.length < 2) sites.delete(k);
    else site.instances.sort((x, y) => ranges[x]![0] - ranges[y]![0]);
  }
  return sites;
}

/** For allocation only: a tile's slot stays reserved until the instance `depth - 1` iterations later starts. */
function heldUntil(
  sites: ReadonlyMap<string, Site>,
  depth: ReadonlyMap<string, number>,
  ranges: readonly (readonly [number, number] | undefined)[],
): Map<number, number> {
  const held = new Map<number, number>();
  for (const [k, site] of sites) {
    const d = depth.get(k) ?? 1;
    if (d < 2) continue;
    site.instances.forEach((id, j) => {
      const later = site.instances[j + d - 1];
      if (later !== undefined) held.set(id, Math.max(ranges[id]![1], ranges[later]![0]));
    });
  }
  return held;
}

/**
 * Pass 2: place every buffer. HBM tensors get disjoint addresses; SBUF and PSUM tiles are packed by live range
 * (a tile's bytes are reused once its last instruction has issued). PSUM tiles never cross a 2 KiB bank.
 * neuroncore.md §1.3, §1.4 TC#2, §5.4 rule 3.
 */
export function allocate(
  ir: KernelIR,
  chip: ChipConfig,
  multiBuffer = DEFAULT_MULTI_BUFFER,
): { placements: (Placement | undefined)[]; hbmBytes: number } {
  const ranges = liveRanges(ir);
  const placements: (Placement | undefined)[] = ir.buffers.map(() => undefined);
  let hbm = 0;
  for (const b of ir.buffers) {
    if (b.space !== 'hbm') continue;
    const bytes = numel(b.shape) * DTYPES[b.dtype].bytes;
    placements[b.id] = {
      buffer: b.id,
      space: 'hbm',
      startPartition: 0,
      byteOffset: hbm,
      bytes,
      live: ranges[b.id] ?? [0, 0],
    };
    hbm = align(hbm + bytes, HBM_ALIGN);
  }
  if (hbm > chip.hbm.bytesPerCore) {
    throw new KernelError(
      'TK0503',
      `HBM tensors need ${hbm} bytes; the core has ${chip.hbm.bytesPerCore}`,
      ir.loc,
    );
  }
  const sites = allocationSites(ir, ranges);
  const depth = new Map<string, number>([...sites.keys()].map((k) => [k, multiBuffer]));
  for (;;) {
    try {
      placeOnChip(ir, chip, ranges, heldUntil(sites, depth, ranges), placements);
      break;
    } catch (e) {
      // Out of space: give up multi-buffering for the largest site that still has it, then try again.
      const shrink = [...sites.entries()]
        .filter(([k]) => (depth.get(k) ?? 1) > 1)
        .sort((x, y) => y[1].bytes - x[1].bytes)[0];
      if (!(e instanceof KernelError) || !shrink) throw e;
      depth.set(shrink[0], 1);
    }
  }
  return { placements, hbmBytes: hbm };
}

/** SBUF and PSUM placement by live range, first fit; `held` extends slots reserved for multi-buffering. */
function placeOnChip(
  ir: KernelIR,
  chip: ChipConfig,
  ranges: readonly (readonly [number, number] | undefined)[],
  held: ReadonlyMap<number, number>,
  placements: (Placement | undefined)[],
): void {
  const sbufCap = chip.sbuf.bytesPerPartition - chip.sbuf.reservedBytesPerPartition;
  const bank = chip.psum.bankBytesPerPartition;
  const arenas = {
    sbuf: new Arena(sbufCap, chip.sbuf.minAlignBytes),
    psum: new Arena(chip.psum.banks * bank, chip.psum.minAlignBytes, (start, size) =>
      Math.floor(start / bank) === Math.floor((start + size - 1) / bank)
        ? start
        : Math.ceil(start / bank) * bank,
    ),
  };
  const order = ir.buffers
    .filter((b) => b.space !== 'hbm' && ranges[b.id])
    .sort((x, y) => ranges[x.id]![0] - ranges[y.id]![0] || x.id - y.id);
  const until = (id: number) => held.get(id) ?? ranges[id]![1];
  for (const b of order) {
    const space = b.space as 'sbuf' | 'psum';
    const arena = arenas[space];
    const first = ranges[b.id]![0];
    arena.release((id) => until(id) < first);
    const bytes = freeSize(b.shape) * DTYPES[b.dtype].bytes;
    const at = arena.place(b.id, bytes);
    if (at === undefined) {
      throw space === 'sbuf'
        ? capacityError('TK0501', 'SBUF', b, bytes, sbufCap, arena, ir)
        : capacityError('TK0502', 'PSUM', b, bytes, chip.psum.banks * bank, arena, ir);
    }
    placements[b.id] = { buffer: b.id, space, startPartition: 0, byteOffset: at, bytes, live: ranges[b.id]! };
  }
}
