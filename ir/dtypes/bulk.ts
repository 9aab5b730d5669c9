// Bulk strided decode/encode between little-endian storage bytes and Float64Array values: one small loop function
// per dtype (picked by one table lookup per call), no per-element allocation. Same semantics as scalar.ts.
// Hot helpers imported from other modules are copied into module-local consts once, so loops call them directly
// rather than through the import bindings (which tsx/vitest turn into getter calls).
import * as codec from './float-codec.ts';
import type { DType } from './info.ts';
import * as scalar from './scalar.ts';

const { NAN_BITS } = codec;
const bf16Enc = codec.bf16FromF32Bits;
const f16Enc = codec.f16FromF32Bits;
const e4m3Enc = codec.e4m3FromF32Bits;
const e4m3fnEnc = codec.e4m3fnFromF32Bits;
const e5m2Enc = codec.e5m2FromF32Bits;
const tf32Enc = codec.tf32FromF32Bits;
const roundInt = scalar.roundInt;

const scratch = new ArrayBuffer(4);
const F32 = new Float32Array(scratch);
const I32 = new Int32Array(scratch);

type Dec = (b: Uint8Array, p: number, s: number, n: number, out: Float64Array, o: number) => void;
type Enc = (src: Float64Array, q: number, n: number, b: Uint8Array, p: number, s: number) => void;

function table8(
  t: Float64Array,
  b: Uint8Array,
  p: number,
  s: number,
  n: number,
  out: Float64Array,
  o: number,
) {
  for (let i = 0; i < n; i++, p += s) out[o + i] = t[b[p]];
}
function table16(
  t: Float64Array,
  b: Uint8Array,
  p: number,
  s: number,
  n: number,
  out: Float64Array,
  o: number,
) {
  for (let i = 0; i < n; i++, p += s) out[o + i] = t[b[p] | (b[p + 1] << 8)];
}
/** 32-bit patterns as fp32 values; `mask` clears tfloat32's ignored low mantissa bits. */
function fp32(mask: number, b: Uint8Array, p: number, s: number, n: number, out: Float64Array, o: number) {
  for (let i = 0; i < n; i++, p += s) {
    I32[0] = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) & mask;
    out[o + i] = F32[0];
  }
}

const DECODE: { readonly [K in DType]: Dec } = {
  float32: (b, p, s, n, out, o) => fp32(-1, b, p, s, n, out, o),
  tfloat32: (b, p, s, n, out, o) => fp32(0xffffe000 | 0, b, p, s, n, out, o),
  bfloat16: (b, p, s, n, out, o) => table16(codec.bf16Values(), b, p, s, n, out, o),
  float16: (b, p, s, n, out, o) => table16(codec.f16Values(), b, p, s, n, out, o),
  float8_e4m3: (b, p, s, n, out, o) => table8(codec.e4m3Values(), b, p, s, n, out, o),
  float8_e4m3fn: (b, p, s, n, out, o) => table8(codec.e4m3fnValues(), b, p, s, n, out, o),
  float8_e5m2: (b, p, s, n, out, o) => table8(codec.e5m2Values(), b, p, s, n, out, o),
  int8(b, p, s, n, out, o) {
    for (let i = 0; i < n; i++, p += s) out[o + i] = (b[p] << 24) >> 24;
  },
  uint8(b, p, s, n, out, o) {
    for (let i = 0; i < n; i++, p += s) out[o + i] = b[p];
  },
  int16(b, p, s, n, out, o) {
    for (let i = 0; i < n; i++, p += s) out[o + i] = ((b[p] | (b[p + 1] << 8)) << 16) >> 16;
  },
  uint16(b, p, s, n, out, o) {
    for (let i = 0; i < n; i++, p += s) out[o + i] = b[p] | (b[p + 1] << 8);
  },
  int32(b, p, s, n, out, o) {
    for (let i = 0; i < n; i++, p += s)
      out[o + i] = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  },
  uint32(b, p, s, n, out, o) {
    for (let i = 0; i < n; i++, p += s)
      out[o + i] = (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  },
};

/** Integer encode loops: round half to even, saturate, NaN -> 0; Uint8Array stores keep the low 8 bits. */
function ints(lo: number, hi: number, bytes: 1 | 2 | 4): Enc {
  if (bytes === 1)
    return (src, q, n, b, p, s) => {
      for (let i = 0; i < n; i++, p += s) b[p] = roundInt(src[q + i], lo, hi);
    };
  if (bytes === 2)
    return (src, q, n, b, p, s) => {
      for (let i = 0; i < n; i++, p += s) {
        const v = roundInt(src[q + i], lo, hi);
        b[p] = v;
        b[p + 1] = v >>> 8;
      }
    };
  return (src, q, n, b, p, s) => {
    for (let i = 0; i < n; i++, p += s) {
      const v = roundInt(src[q + i], lo, hi);
      b[p] = v;
      b[p + 1] = v >>> 8;
      b[p + 2] = v >>> 16;
      b[p + 3] = v >>> 24;
    }
  };
}

const ENCODE: { readonly [K in DType]: Enc } = {
  float32(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      const x = src[q + i];
      F32[0] = x;
      const v = Number.isNaN(x) ? NAN_BITS.float32 : I32[0];
      b[p] = v;
      b[p + 1] = v >>> 8;
      b[p + 2] = v >>> 16;
      b[p + 3] = v >>> 24;
    }
  },
  tfloat32(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      F32[0] = src[q + i];
      const v = tf32Enc(I32[0]);
      b[p + 1] = v >>> 8;
      b[p + 2] = v >>> 16;
      b[p + 3] = v >>> 24;
      b[p] = 0; // low byte of a tfloat32 pattern is always zero
    }
  },
  bfloat16(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      F32[0] = src[q + i];
      const v = bf16Enc(I32[0]);
      b[p] = v;
      b[p + 1] = v >>> 8;
    }
  },
  float16(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      F32[0] = src[q + i];
      const v = f16Enc(I32[0]);
      b[p] = v;
      b[p + 1] = v >>> 8;
    }
  },
  float8_e4m3(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      F32[0] = src[q + i];
      b[p] = e4m3Enc(I32[0]);
    }
  },
  float8_e4m3fn(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      F32[0] = src[q + i];
      b[p] = e4m3fnEnc(I32[0]);
    }
  },
  float8_e5m2(src, q, n, b, p, s) {
    for (let i = 0; i < n; i++, p += s) {
      F32[0] = src[q + i];
      b[p] = e5m2Enc(I32[0]);
    }
  },
  int8: ints(-128, 127, 1),
  int16: ints(-32768, 32767, 2),
  int32: ints(-2147483648, 2147483647, 4),
  uint8: ints(0, 255, 1),
  uint16: ints(0, 65535, 2),
  uint32: ints(0, 4294967295, 4),
};

/** Decode n elements of dtype d from `bytes` (little endian) at byteOffset + i*strideBytes into out[outOffset + i]. */
export function decodeStrided(
  d: DType,
  bytes: Uint8Array,
  byteOffset: number,
  strideBytes: number,
  n: number,
  out: Float64Array,
  outOffset: number,
): void {
  DECODE[d](bytes, byteOffset, strideBytes, n, out, outOffset);
}

/** Encode n values src[srcOffset + i] (rounded with roundTo semantics) into bytes at byteOffset + i*strideBytes. */
export function encodeStrided(
  d: DType,
  src: Float64Array,
  srcOffset: number,
  n: number,
  bytes: Uint8Array,
  byteOffset: number,
  strideBytes: number,
): void {
  ENCODE[d](src, srcOffset, n, bytes, byteOffset, strideBytes);
}
