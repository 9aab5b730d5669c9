import { DTYPES } from '../ir/dtypes.ts';
import { type BufferDecl, freeSize, type View } from '../ir/types.ts';
import type { PhysAccess, Placement } from './program.ts';

/** Pass 3: a view of a placed buffer as a physical access pattern. */
export function lowerView(v: View, b: BufferDecl, p: Placement): PhysAccess {
  const elemBytes = DTYPES[v.dtype].bytes;
  if (v.space === 'hbm') {
    return Object.freeze({
      space: v.space,
      dtype: v.dtype,
      elemBytes,
      startPartition: 0,
      partitions: 1,
      byteOffset: p.byteOffset + v.offset * elemBytes,
      dims: Object.freeze(v.shape.map((n, d) => Object.freeze([v.strides[d], n] as const))),
      shape: v.shape,
    });
  }
  const bufFree = freeSize(b.shape);
  const part = Math.floor(v.offset / bufFree);
  const freeOffset = v.offset - part * bufFree;
  return Object.freeze({
    space: v.space,
    dtype: v.dtype,
    elemBytes,
    startPartition: p.startPartition + part,
    partitions: v.shape[0],
    byteOffset: p.byteOffset + freeOffset * elemBytes,
    dims: Object.freeze(v.shape.slice(1).map((n, d) => Object.freeze([v.strides[d + 1], n] as const))),
    shape: v.shape,
  });
}

/** The bytes an access touches: partitions [p0, p1) by bytes [b0, b1) (HBM: p0 = 0, p1 = 1). */
export interface Region {
  readonly p0: number;
  readonly p1: number;
  readonly b0: number;
  readonly b1: number;
}

export function regionOf(a: PhysAccess): Region {
  let lo = 0;
  let hi = 0;
  for (const [stride, size] of a.dims) {
    const span = (size - 1) * stride;
    if (span < 0) lo += span;
    else hi += span;
  }
  return {
    p0: a.startPartition,
    p1: a.startPartition + a.partitions,
    b0: a.byteOffset + lo * a.elemBytes,
    b1: a.byteOffset + (hi + 1) * a.elemBytes,
  };
}

export function overlaps(x: Region, y: Region): boolean {
  return x.p0 < y.p1 && y.p0 < x.p1 && x.b0 < y.b1 && y.b0 < x.b1;
}

export function contains(outer: Region, inner: Region): boolean {
  return outer.p0 <= inner.p0 && inner.p1 <= outer.p1 && outer.b0 <= inner.b0 && inner.b1 <= outer.b1;
}
