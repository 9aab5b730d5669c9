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
  pools: readonly {
    readonly site: { readonly groups: readonly (readonly number[])[] };
    readonly slots: number;
  }[],
): KernelError {
  const live = [...arena.live].sort((x, y) => y.end - y.start - (x.end - x.start));
  const used = live.reduce((s, x) => s + (x.end - x.start), 0);
  const notes: { message: string; loc: BufferDecl['loc'] }[] = live.slice(0, 8).map((x) => {
    if (x.buffer < 0) {
      const pool = pools[-1 - x.buffer];
      const lb = ir.buffers[pool.site.groups[0][0]];
      return {
        message: `live: ${pool.slots} rotating slots for '${lb.name}' tiles use ${kib(x.end - x.start)} per partition`,
        loc: lb.loc,
      };
    }
    const lb = ir.buffers[x.buffer];
    return {
      message: `live: '${lb.name}' [${lb.shape}] ${lb.dtype} uses ${kib(x.end - x.start)} per partition`,
      loc: lb.loc,
    };
  });
  const more = live.length > 8 ? ` (${live.length - 8} more not listed)` : '';
  return new KernelError(
    code,
    `${what} capacity exceeded: '${b.name}' [${b.shape}] ${b.dtype} needs ${kib(bytes)} per partition, but ${kib(used)} of ${kib(capacity)} are held by ${live.length} live tiles${more}; use smaller tiles or let tiles die sooner`,
    b.loc,
    notes,
  );
}

interface Site {
  readonly key: string;
  /** Instances in order of first use, grouped by the loop iteration that allocates them. */
  readonly groups: readonly (readonly number[])[];
  /** Written by DMA: multi-buffering it lets transfers overlap compute, so it is the last to give up. */
  readonly loaded: boolean;
  /** Bytes per partition of the largest group: what one more slot of the site costs. */
  readonly bytes: number;
}

/** The loop iteration a tile belongs to: the innermost loop frame (instance and index) of its first use. */
function iterationOf(ir: KernelIR, ranges: Ranges, id: number): string {
  const loops = ir.instrs[ranges[id]![0]].loop.loops;
  const f = loops[loops.length - 1];
  return f ? `${f.id}:${f.index}` : 'top';
}

type Ranges = readonly (readonly [number, number] | undefined)[];

const bytesOf = (b: BufferDecl) => freeSize(b.shape) * DTYPES[b.dtype].bytes;

/** Tiles allocated at the same source line in two or more loop iterations. */
function allocationSites(ir: KernelIR, ranges: Ranges): Site[] {
  const byLoc = new Map<string, number[]>();
  for (const b of ir.buffers) {
    if (b.space === 'hbm' || !ranges[b.id]) continue;
    const key = `${b.space} ${b.loc.file}:${b.loc.line}:${b.loc.column}`;
    let list = byLoc.get(key);
    if (!list) byLoc.set(key, (list = []));
    list.push(b.id);
  }
  const dmaWritten = new Set(ir.instrs.filter((i) => i.op === 'dmaCopy').map((i) => i.outs[0].buffer));
  const sites: Site[] = [];
  for (const [key, ids] of byLoc) {
    ids.sort((x, y) => ranges[x]![0] - ranges[y]![0]);
    const groups: number[][] = [];
    let it = '';
    for (const id of ids) {
      const k = iterationOf(ir, ranges, id);
      if (k !== it || groups.length === 0) groups.push([]);
      it = k;
      groups[groups.length - 1].push(id);
    }
    if (groups.length < 2) continue;
    const bytes = Math.max(...groups.map((g) => g.reduce((s, id) => s + bytesOf(ir.buffers[id]), 0)));
    sites.push({ key, groups, loaded: ids.some((id) => dmaWritten.has(id)), bytes });
  }
  return sites;
}

/**
 * Pass 2: place every buffer. HBM tensors get disjoint addresses. On chip, a tile allocated at the same line in
 * successive loop iterations (a "site") gets a pool of `multiBuffer` rotating slots, so iteration i+1's loads do not
 * wait for iteration i's compute (double buffering, as NKI's `mod_alloc` does by hand); other tiles are packed by
 * live range, first fit. Where a pool does not fit, sites give up multi-buffering (compute-only sites first, then
 * the largest) until everything fits. PSUM tiles never cross a 2 KiB bank. neuroncore.md §1.3, §1.13, §5.4 rule 3.
 */
export const DEFAULT_MULTI_BUFFER = 2;

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
  // PSUM is small and otherwise idle: accumulation tiles rotate over half its banks, so TensorE can run several
  // groups ahead while VectorE/ScalarE drain earlier ones (neuroncore.md §1.12 [A1]: 8 banks, 8 groups in flight).
  const psumDepth = Math.max(multiBuffer, multiBuffer > 1 ? Math.floor(chip.psum.banks / 2) : 1);
  const depth = new Map(sites.map((s) => [s.key, s.key.startsWith('psum') ? psumDepth : multiBuffer]));
  const shrinkOrder = [...sites].sort((x, y) => Number(x.loaded) - Number(y.loaded) || y.bytes - x.bytes);
  for (;;) {
    try {
      placeOnChip(
        ir,
        chip,
        ranges,
        sites.filter((s) => (depth.get(s.key) ?? 1) > 1),
        depth,
        placements,
      );
      return { placements, hbmBytes: hbm };
    } catch (e) {
      const next = shrinkOrder.find((s) => (depth.get(s.key) ?? 1) > 1);
      if (!(e instanceof KernelError) || !next) throw e;
      depth.set(next.key, Math.floor((depth.get(next.key) ?? 2) / 2));
      if (process.env.TILEKIT_DEBUG_ALLOC)
        console.error(`allocation: ${next.key} falls back to one slot group`);
    }
  }
}

interface Pool {
  readonly site: Site;
  readonly slots: number;
  readonly slotBytes: number;
  /** Byte offset of each instance within its slot. */
  readonly offsets: ReadonlyMap<number, number>;
  readonly first: number;
  readonly last: number;
}

/**
 * A site's pool: slot g % slots holds iteration group g. Correctness needs every group dead before the group that
 * reuses its slot starts: `live` is the fewest slots that guarantee it (groups alive at once); multi-buffering
 * multiplies it, so the next iterations' tiles have their own slots while the current ones are in use.
 */
function makePool(
  site: Site,
  depth: number,
  ir: KernelIR,
  ranges: Ranges,
  unit: (bytes: number) => number,
): Pool {
  const offsets = new Map<number, number>();
  let slotBytes = 0;
  let last = 0;
  const groupFirst = site.groups.map((g) => Math.min(...g.map((id) => ranges[id]![0])));
  const groupLast = site.groups.map((g) => Math.max(...g.map((id) => ranges[id]![1])));
  // Within a group, tiles that are never live at the same time share bytes (first fit by live range).
  for (const group of site.groups) {
    const active: { start: number; end: number; last: number }[] = [];
    for (const id of group) {
      const [first, lastUse] = ranges[id]!;
      for (let i = active.length - 1; i >= 0; i--) if (active[i].last < first) active.splice(i, 1);
      const size = unit(bytesOf(ir.buffers[id]));
      active.sort((a, b) => a.start - b.start);
      let off = 0;
      for (const blk of active) {
        if (off + size <= blk.start) break;
        off = Math.max(off, blk.end);
      }
      active.push({ start: off, end: off + size, last: lastUse });
      offsets.set(id, off);
      slotBytes = Math.max(slotBytes, off + size);
      last = Math.max(last, lastUse);
    }
  }
  let live = 1;
  for (let g = 0; g < site.groups.length; g++) {
    while (g + live < site.groups.length && groupFirst[g + live] <= groupLast[g]) live++;
  }
  return { site, slots: live * depth, slotBytes, offsets, first: groupFirst[0], last };
}

/** SBUF and PSUM placement: pools for multi-buffered sites, first fit by live range for the rest. */
function placeOnChip(
  ir: KernelIR,
  chip: ChipConfig,
  ranges: Ranges,
  pooled: readonly Site[],
  depth: ReadonlyMap<string, number>,
  placements: (Placement | undefined)[],
): void {
  const sbufCap = chip.sbuf.bytesPerPartition - chip.sbuf.reservedBytesPerPartition;
  const bank = chip.psum.bankBytesPerPartition;
  const arenas = {
    sbuf: new Arena(sbufCap, chip.sbuf.minAlignBytes),
    psum: new Arena(chip.psum.banks * bank, chip.psum.minAlignBytes, (start, size) => {
      if (size > bank) return start % bank === 0 ? start : Math.ceil(start / bank) * bank;
      return Math.floor(start / bank) === Math.floor((start + size - 1) / bank)
        ? start
        : Math.ceil(start / bank) * bank;
    }),
  };
  const units = {
    sbuf: (n: number) => align(n, Math.max(1, chip.sbuf.minAlignBytes)),
    psum: (n: number) => Math.ceil(n / bank) * bank,
  };
  const poolOf = new Map<number, Pool>();
  const pools: Pool[] = pooled.map((site) => {
    const space = ir.buffers[site.groups[0][0]].space as 'sbuf' | 'psum';
    const pool = makePool(site, depth.get(site.key) ?? 1, ir, ranges, units[space]);
    for (const g of site.groups) for (const id of g) poolOf.set(id, pool);
    return pool;
  });
  // Pools get negative ids in the arenas.
  type Item = { id: number; first: number; last: number; space: 'sbuf' | 'psum'; bytes: number };
  const items: Item[] = [];
  pools.forEach((p, i) => {
    const space = ir.buffers[p.site.groups[0][0]].space as 'sbuf' | 'psum';
    items.push({ id: -1 - i, first: p.first, last: p.last, space, bytes: p.slots * p.slotBytes });
  });
  for (const b of ir.buffers) {
    const r = ranges[b.id];
    if (b.space === 'hbm' || !r || poolOf.has(b.id)) continue;
    items.push({ id: b.id, first: r[0], last: r[1], space: b.space, bytes: bytesOf(b) });
  }
  items.sort((x, y) => x.first - y.first || x.id - y.id);
  const lastOf = new Map(items.map((it) => [it.id, it.last]));
  for (const it of items) {
    const arena = arenas[it.space];
    arena.release((id) => lastOf.get(id)! < it.first);
    const at = arena.place(it.id, it.bytes);
    const b = it.id >= 0 ? ir.buffers[it.id] : ir.buffers[pools[-1 - it.id].site.groups[0][0]];
    if (at === undefined) {
      throw it.space === 'sbuf'
        ? capacityError('TK0501', 'SBUF', b, it.bytes, sbufCap, arena, ir, pools)
        : capacityError('TK0502', 'PSUM', b, it.bytes, chip.psum.banks * bank, arena, ir, pools);
    }
    if (it.id >= 0) {
      placements[it.id] = {
        buffer: it.id,
        space: it.space,
        startPartition: 0,
        byteOffset: at,
        bytes: it.bytes,
        live: ranges[it.id]!,
      };
      continue;
    }
    const pool = pools[-1 - it.id];
    pool.site.groups.forEach((group, g) => {
      for (const id of group) {
        const byteOffset = at + (g % pool.slots) * pool.slotBytes + pool.offsets.get(id)!;
        placements[id] = {
          buffer: id,
          space: it.space,
          startPartition: 0,
          byteOffset,
          bytes: bytesOf(ir.buffers[id]),
          live: ranges[id]!,
        };
      }
    });
  }
}
