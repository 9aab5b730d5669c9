import type { DType } from '../dtypes.ts';
import { fail } from '../op-def.ts';
import { type Engine, freeSize, type MemSpace, type View } from '../types.ts';

/** Shared operand rules used by several op families (neuroncore.md §5.4). */

export function requireSpace(v: View, allowed: readonly MemSpace[], what: string): void {
  if (!allowed.includes(v.space)) {
    fail('TK0201', `${what} must be in ${allowed.join(' or ')}, but it is in ${v.space}`);
  }
}

export function partitions(v: View): number {
  return v.shape[0];
}

export function elemsPerPartition(v: View): number {
  return freeSize(v.shape);
}

export function samePartitions(a: View, b: View, what: string): void {
  if (partitions(a) !== partitions(b)) {
    fail(
      'TK0202',
      `${what}: partition counts differ (${partitions(a)} vs ${partitions(b)}); tiles do not broadcast across partitions`,
    );
  }
}

export function sameFreeSize(a: View, b: View, what: string): void {
  if (elemsPerPartition(a) !== elemsPerPartition(b)) {
    fail(
      'TK0205',
      `${what}: elements per partition differ (${elemsPerPartition(a)} vs ${elemsPerPartition(b)}); shapes [${a.shape}] and [${b.shape}]`,
    );
  }
}

/** An elementwise destination must cover the same tile as the source. */
export function sameTile(out: View, src: View, what: string): void {
  samePartitions(out, src, what);
  sameFreeSize(out, src, what);
}

export function notBothPsum(a: View, b: View, what: string): void {
  if (a.space === 'psum' && b.space === 'psum') {
    fail('TK0207', `${what}: the two tensor inputs cannot both be in PSUM; copy one to SBUF first`);
  }
}

/** GpSimd reaches SBUF only (neuroncore.md §3.6 [A1]). */
export function engineReaches(engine: Engine, views: readonly View[], what: string): void {
  if (engine === 'gpsimd' && views.some((v) => v.space === 'psum')) {
    fail('TK0208', `${what}: the GpSimd engine cannot access PSUM; use the vector or scalar engine`);
  }
}

/** A [P, 1] per-partition operand (scale, bias, scalar vector). */
export function requirePartitionVector(v: View, data: View, what: string): void {
  if (elemsPerPartition(v) !== 1) fail('TK0205', `${what} must have shape [P, 1], got [${v.shape}]`);
  samePartitions(v, data, what);
}

export function requireDType(v: View, allowed: readonly DType[], what: string): void {
  if (!allowed.includes(v.dtype)) fail('TK0206', `${what} must be ${allowed.join(' or ')}, got ${v.dtype}`);
}

/** Elementwise loop helper: out[p, f] = fn(p, f) over a [P, F] layout. */
export function forEachPF(P: number, F: number, fn: (p: number, f: number, i: number) => void): void {
  for (let p = 0, i = 0; p < P; p++) for (let f = 0; f < F; f++, i++) fn(p, f, i);
}
