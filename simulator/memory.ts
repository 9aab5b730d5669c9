import type { PhysAccess } from '../codegen/program.ts';
import { decodeStrided, encodeStrided } from '../ir/dtypes.ts';
import type { MemSpace } from '../ir/types.ts';
import type { ChipConfig } from './chips/types.ts';

/** Fresh memory is filled with 0xFF bytes: NaN in every float format, so reads of unwritten data show. */
export const SENTINEL_BYTE = 0xff;

/**
 * The core's memories as real byte-addressed storage. SBUF and PSUM are partition-major: byte b of partition p is
 * at p * bytesPerPartition + b. HBM is flat.
 */
export class Memories {
  readonly hbm: Uint8Array;
  readonly sbuf: Uint8Array;
  readonly psum: Uint8Array;
  readonly pitch: Readonly<Record<MemSpace, number>>;

  /**
   * `used` bounds the bytes per partition that placements reach (default: all of it); only those are backed by
   * storage, so a small kernel does not pay for a 24 MiB SBUF. Addresses beyond them are never generated.
   */
  constructor(chip: ChipConfig, hbmBytes: number, used?: { readonly sbuf: number; readonly psum: number }) {
    const sbufPitch = Math.min(chip.sbuf.bytesPerPartition, used?.sbuf ?? Number.POSITIVE_INFINITY);
    const psumPitch = Math.min(
      chip.psum.banks * chip.psum.bankBytesPerPartition,
      used?.psum ?? Number.POSITIVE_INFINITY,
    );
    this.hbm = new Uint8Array(hbmBytes).fill(SENTINEL_BYTE);
    this.sbuf = new Uint8Array(chip.sbuf.partitions * sbufPitch).fill(SENTINEL_BYTE);
    this.psum = new Uint8Array(chip.psum.partitions * psumPitch).fill(SENTINEL_BYTE);
    this.pitch = { hbm: 0, sbuf: sbufPitch, psum: psumPitch };
  }

  space(s: MemSpace): Uint8Array {
    return this[s];
  }

  /** Read an access pattern's elements, row-major, as fp64 values. */
  read(a: PhysAccess, out: Float64Array = new Float64Array(count(a))): Float64Array {
    this.walk(a, (bytes, addr, strideBytes, n, pos) =>
      decodeStrided(a.dtype, bytes, addr, strideBytes, n, out, pos),
    );
    return out;
  }

  /** Write values (row-major over the access pattern), rounding to the access's dtype. */
  write(a: PhysAccess, values: Float64Array): void {
    this.walk(a, (bytes, addr, strideBytes, n, pos) =>
      encodeStrided(a.dtype, values, pos, n, bytes, addr, strideBytes),
    );
  }

  /** Visit each innermost run of an access pattern: (memory, byte address, byte stride, count, element position). */
  private walk(
    a: PhysAccess,
    run: (bytes: Uint8Array, addr: number, strideBytes: number, n: number, pos: number) => void,
  ): void {
    const bytes = this.space(a.space);
    const pitch = this.pitch[a.space];
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
        run(bytes, base + off * a.elemBytes, innerStride * a.elemBytes, innerSize, pos);
        pos += innerSize;
        for (let d = outer.length - 1; d >= 0; d--) {
          if (++idx[d] < outer[d][1]) break;
          idx[d] = 0;
        }
      }
    }
  }
}

export function count(a: PhysAccess): number {
  let n = a.partitions;
  for (const [, size] of a.dims) n *= size;
  return n;
}
