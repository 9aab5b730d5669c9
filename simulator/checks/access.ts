import type { PhysAccess, ProgInstr, Program } from '../../codegen/program.ts';
import type { DmaCopyAttrs } from '../../ir/ops/dma.ts';
import { numel } from '../../ir/types.ts';
import type { Memories } from '../memory.ts';

/**
 * What one instruction operand touches, as the checks see it: the physical access, the IR buffer behind it, and (for
 * indirect DMA) the subset of its elements that really move, as flat row-major positions of the access.
 */
export interface Touch {
  readonly access: PhysAccess;
  readonly buffer: number;
  /** `input 0`, `output`, … for messages. */
  readonly role: string;
  readonly write: boolean;
  /** Only these elements (row-major positions); absent: every element of the access. */
  readonly elements?: Int32Array;
}

/** Operands an op reads for real beyond its inputs: matmul accumulation and DMA read-modify-write add. */
function readsDestination(ins: ProgInstr): boolean {
  if (ins.op === 'ncMatmul') return (ins.attrs as { accumulate?: boolean }).accumulate === true;
  if (ins.op === 'dmaCopy') return (ins.attrs as DmaCopyAttrs).dstRmwOp === 'add';
  return false;
}

/**
 * The reads and writes of one instruction for the uninitialised-read and written-bytes tracking. Ops that pre-fill
 * their destination only to keep elements they do not write (predicated copies, scatters) do not count as reading
 * it. Indirect DMA is narrowed to the rows its index tile selects, read from memory before the instruction runs.
 */
export function touchesOf(program: Program, ins: ProgInstr, mem: Memories): Touch[] {
  const ir = program.ir.instrs[ins.id];
  const touches: Touch[] = [];
  const rows = ins.op === 'dmaCopy' ? indirectRows(ins, mem) : undefined;
  ins.ins.forEach((access, i) => {
    const elements = rows && i === 0 ? rows.src : undefined;
    touches.push({ access, buffer: ir.ins[i].buffer, role: `input ${i}`, write: false, elements });
  });
  const readsOut = readsDestination(ins);
  ins.outs.forEach((access, i) => {
    const buffer = ir.outs[i].buffer;
    const elements = rows && i === 0 ? rows.dst : undefined;
    const role = ins.outs.length > 1 ? `output ${i}` : 'output';
    if (readsOut)
      touches.push({ access, buffer, role: `${role} (accumulated into)`, write: false, elements });
    touches.push({ access, buffer, role, write: true, elements });
  });
  return touches;
}

/** Element positions an indirect DMA moves on each side (valid index rows only; out-of-range rows move nothing). */
function indirectRows(ins: ProgInstr, mem: Memories): { src: Int32Array; dst: Int32Array } | undefined {
  const ind = (ins.attrs as DmaCopyAttrs).indirect;
  if (!ind) return undefined;
  const index = mem.read(ins.ins[ind.index]);
  const table = ind.side === 'src' ? ins.ins[0] : ins.outs[0];
  const rows = table.shape[0];
  const len = numel(table.shape) / rows;
  const tablePos: number[] = [];
  const otherPos: number[] = [];
  for (let j = 0; j < index.length; j++) {
    const r = index[j];
    if (!(Number.isInteger(r) && r >= 0 && r < rows)) continue;
    for (let e = 0; e < len; e++) {
      tablePos.push(r * len + e);
      otherPos.push(j * len + e);
    }
  }
  const [src, dst] = ind.side === 'src' ? [tablePos, otherPos] : [otherPos, tablePos];
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

/** Visit each innermost run of an access: (byte address, byte stride, element count, row-major position). */
export function forEachRun(
  a: PhysAccess,
  pitch: number,
  fn: (addr: number, strideBytes: number, n: number, pos: number) => boolean | undefined,
): void {
  const dims = a.dims;
  const nd = dims.length;
  const [innerStride, innerSize] = nd > 0 ? dims[nd - 1] : [1, 1];
  const outer = nd > 1 ? dims.slice(0, nd - 1) : [];
  const idx = new Array<number>(outer.length).fill(0);
  let outerCount = 1;
  for (const [, n] of outer) outerCount *= n;
  let pos = 0;
  for (let p = 0; p < a.partitions; p++) {
    const base = (a.startPartition + p) * pitch + a.byteOffset;
    idx.fill(0);
    for (let o = 0; o < outerCount; o++) {
      let off = 0;
      for (let d = 0; d < outer.length; d++) off += idx[d] * outer[d][0];
      if (fn(base + off * a.elemBytes, innerStride * a.elemBytes, innerSize, pos)) return;
      pos += innerSize;
      for (let d = outer.length - 1; d >= 0; d--) {
        if (++idx[d] < outer[d][1]) break;
        idx[d] = 0;
      }
    }
  }
}

/** Byte address of the element at row-major position `flat` of an access. */
export function addressOf(a: PhysAccess, pitch: number, flat: number): number {
  let rest = flat;
  let off = 0;
  for (let d = a.dims.length - 1; d >= 0; d--) {
    const [stride, size] = a.dims[d];
    off += (rest % size) * stride;
    rest = Math.floor(rest / size);
  }
  return (a.startPartition + rest) * pitch + a.byteOffset + off * a.elemBytes;
}

/** Elements of an access. */
export function elementCount(a: PhysAccess): number {
  let n = a.partitions;
  for (const [, size] of a.dims) n *= size;
  return n;
}

/** The row-major position `flat` of a logical shape as an index, e.g. `[3, 7]`. */
export function unravel(shape: readonly number[], flat: number): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest = Math.floor(rest / shape[d]);
  }
  return idx;
}

/** Lowest and highest byte (exclusive) an access reaches within a partition (HBM: absolute). */
export function byteSpan(a: PhysAccess): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const [stride, size] of a.dims) {
    const span = (size - 1) * stride;
    if (span < 0) lo += span;
    else hi += span;
  }
  return [a.byteOffset + lo * a.elemBytes, a.byteOffset + (hi + 1) * a.elemBytes];
}

/** True when the access covers every byte of its bounding box (a dense row-major block in each partition). */
export function isDense(a: PhysAccess): boolean {
  let expect = 1;
  for (let d = a.dims.length - 1; d >= 0; d--) {
    const [stride, size] = a.dims[d];
    if (size === 1) continue;
    if (stride !== expect) return false;
    expect *= size;
  }
  return true;
}
