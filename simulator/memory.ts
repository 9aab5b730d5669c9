import type { PhysAccess } from '../codegen/program.ts';
import { DTYPES, type DType, decodeStrided, encodeStrided } from '../ir/dtypes.ts';
import type { MemSpace } from '../ir/types.ts';
import {
  type BackendName,
  type BackendSession,
  type ComputeBackend,
  resolveBackend,
} from './backends/index.ts';
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
  /** The compute backend's storage and kernels for this simulation. */
  readonly session: BackendSession;

  /**
   * `used` bounds the bytes per partition that placements reach (default: all of it); only those are backed by
   * storage, so a small kernel does not pay for a 24 MiB SBUF. Addresses beyond them are never generated.
   * `backend`: the compute backend (default: TILEKIT_BACKEND, else wasm).
   */
  constructor(
    chip: ChipConfig,
    hbmBytes: number,
    used?: { readonly sbuf: number; readonly psum: number },
    backend?: BackendName | ComputeBackend,
  ) {
    const sbufPitch = Math.min(chip.sbuf.bytesPerPartition, used?.sbuf ?? Number.POSITIVE_INFINITY);
    const psumPitch = Math.min(
      chip.psum.banks * chip.psum.bankBytesPerPartition,
      used?.psum ?? Number.POSITIVE_INFINITY,
    );
    this.session = resolveBackend(backend).session({
      hbm: hbmBytes,
      sbuf: chip.sbuf.partitions * sbufPitch,
      psum: chip.psum.partitions * psumPitch,
    });
    this.hbm = this.session.hbm.fill(SENTINEL_BYTE);
    this.sbuf = this.session.sbuf.fill(SENTINEL_BYTE);
    this.psum = this.session.psum.fill(SENTINEL_BYTE);
    this.pitch = { hbm: 0, sbuf: sbufPitch, psum: psumPitch };
  }

  space(s: MemSpace): Uint8Array {
    return this[s];
  }

  /** Read an access pattern's elements, row-major, as fp64 values. */
  read(a: PhysAccess, out: Float64Array = new Float64Array(count(a))): Float64Array {
    if (this.session.read?.(this, a, out)) return out;
    this.walk(a, (bytes, addr, strideBytes, n, pos) =>
      decodeStrided(a.dtype, bytes, addr, strideBytes, n, out, pos),
    );
    return out;
  }

  /** Write values (row-major over the access pattern), rounding to the access's dtype. */
  write(a: PhysAccess, values: Float64Array): void {
    if (this.session.write?.(this, a, values)) return;
    this.walk(a, (bytes, addr, strideBytes, n, pos) =>
      encodeStrided(a.dtype, values, pos, n, bytes, addr, strideBytes),
    );
  }

  /** Write values to consecutive HBM elements of `dtype` from `byteOffset` (kernel inputs and constants). */
  writeHbm(dtype: DType, byteOffset: number, values: Float64Array): void {
    this.flatHbm(dtype, byteOffset, values.length, (a, from, to) => this.write(a, values.subarray(from, to)));
  }

  /** Read n consecutive HBM elements of `dtype` from `byteOffset` (kernel outputs). */
  readHbm(dtype: DType, byteOffset: number, n: number): Float64Array {
    const out = new Float64Array(n);
    this.flatHbm(dtype, byteOffset, n, (a, from, to) => this.read(a, out.subarray(from, to)));
    return out;
  }

  /** Consecutive HBM elements as flat accesses of at most 2^18 elements (bounded backend scratch). */
  private flatHbm(
    dtype: DType,
    byteOffset: number,
    n: number,
    each: (a: PhysAccess, from: number, to: number) => void,
  ): void {
    const elemBytes = DTYPES[dtype].bytes;
    const CHUNK = 1 << 18;
    for (let from = 0; from < n; from += CHUNK) {
      const len = Math.min(CHUNK, n - from);
      each(
        {
          space: 'hbm',
          dtype,
          elemBytes,
          startPartition: 0,
          partitions: 1,
          byteOffset: byteOffset + from * elemBytes,
          dims: [[1, len]],
          shape: [len],
        },
        from,
        from + len,
      );
    }
  }

  /**
   * Visit each innermost run of an access pattern: (memory, byte address, byte stride, count, element position).
   * Runs come in row-major element order; `pos` is the first run element's index in that order.
   */
  walk(
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
