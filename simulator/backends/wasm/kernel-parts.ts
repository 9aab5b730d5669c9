// Shared pieces of the wasm backend's kernel generators: storage formats, element codecs, run-list functions and
// small SIMD helpers. See kernels.ts for the module they make up.
import {
  type Code,
  f32,
  f64,
  forRange,
  func,
  get,
  i32,
  i32c,
  i32x4,
  set,
  type ValType,
  v128,
} from './asm.ts';

/** Matmul register block: MR output rows x NW output columns per micro-kernel (4 x 8 fp32 = 8 v128 accumulators). */
export const MR = 4;
export const NW = 8;

/** Storage formats the codecs know; floats decode through fp32, integers through fp64. */
export const FLOAT_KINDS = ['f32', 'tf32', 'bf16', 'f16', 'e4m3', 'e4m3fn', 'e5m2'] as const;
export type FloatKind = (typeof FLOAT_KINDS)[number];
export const INT_KINDS = ['i8', 'u8', 'i16', 'u16', 'i32', 'u32'] as const;
export type IntKind = (typeof INT_KINDS)[number];
export type Kind = FloatKind | IntKind;

/** Byte offsets of the lookup tables (fp32 values of every f16 / fp8 pattern), filled by the host. */
export const TABLE_F16 = 0;
export const TABLE_E4M3 = TABLE_F16 + 65536 * 4;
export const TABLE_E4M3FN = TABLE_E4M3 + 256 * 4;
export const TABLE_E5M2 = TABLE_E4M3FN + 256 * 4;
export const TABLES_END = TABLE_E5M2 + 256 * 4;

export const BYTES: Readonly<Record<Kind, number>> = {
  f32: 4,
  tf32: 4,
  bf16: 2,
  f16: 2,
  e4m3: 1,
  e4m3fn: 1,
  e5m2: 1,
  i8: 1,
  u8: 1,
  i16: 2,
  u16: 2,
  i32: 4,
  u32: 4,
};

// ---- element codecs (expressions over an address) ----

/** The fp32 value of the element at `addr`. */
export function decF32(kind: FloatKind, addr: Code): Code {
  switch (kind) {
    case 'f32':
      return f32.load(addr);
    case 'tf32':
      return f32.reinterpretI32(i32.and(i32.load(addr), i32c(0xffffe000)));
    case 'bf16':
      return f32.reinterpretI32(i32.shl(i32.load16u(addr), i32c(16)));
    case 'f16':
      return f32.load(i32.shl(i32.load16u(addr), i32c(2)), TABLE_F16);
    case 'e4m3':
      return f32.load(i32.shl(i32.load8u(addr), i32c(2)), TABLE_E4M3);
    case 'e4m3fn':
      return f32.load(i32.shl(i32.load8u(addr), i32c(2)), TABLE_E4M3FN);
    case 'e5m2':
      return f32.load(i32.shl(i32.load8u(addr), i32c(2)), TABLE_E5M2);
  }
}

/** The fp64 value of the integer element at `addr`. */
export function decIntF64(kind: IntKind, addr: Code): Code {
  switch (kind) {
    case 'i8':
      return f64.convertI32S(i32.load8s(addr));
    case 'u8':
      return f64.convertI32S(i32.load8u(addr));
    case 'i16':
      return f64.convertI32S(i32.load16s(addr));
    case 'u16':
      return f64.convertI32S(i32.load16u(addr));
    case 'i32':
      return f64.convertI32S(i32.load(addr));
    case 'u32':
      return f64.convertI32U(i32.load(addr));
  }
}

export function storeBits(bytes: number, addr: Code, v: Code): Code {
  return bytes === 1 ? i32.store8(addr, v) : bytes === 2 ? i32.store16(addr, v) : i32.store(addr, v);
}

/** Entries of a run list, in i32 words (the host writes them; see session.ts RunList). */
export const LIST_WORDS = 5;

/**
 * A function over a run list: params (list, count, ...extra); for each of the `count` entries of LIST_WORDS i32 at
 * `list`, the named fields are loaded into locals and `body` runs.
 */
export function listFunc<E extends Record<string, ValType>, L extends Record<string, ValType>>(
  name: string,
  extra: E,
  fields: readonly string[],
  locals: L,
  body: (ix: Readonly<Record<string, number>>) => Code[],
) {
  const fieldLocals = Object.fromEntries(fields.map((f) => [f, 'i32' as const]));
  return func(
    name,
    { list: 'i32', count: 'i32', ...extra },
    [],
    { e: 'i32', ...fieldLocals, ...locals },
    (ix) => {
      const x = ix as Readonly<Record<string, number>>;
      return [
        forRange(
          x.e,
          i32c(0),
          get(x.count),
          1,
          ...fields.map((f, k) => set(x[f], i32.load(get(x.list), k * 4))),
          set(x.list, i32.add(get(x.list), i32c(LIST_WORDS * 4))),
          ...body(x),
        ),
      ];
    },
  );
}

/**
 * bf16FromF32Bits on 4 lanes: r = (a + 0x7fff + ((a >> 16) & 1)) >> 16 | sign with a = |v|, NaN -> 0x7fc0
 * (bf16 bits in the low half of each i32 lane). `a`, `r`: v128 scratch locals.
 */
export function bf16x4(v: number, a: number, r: number): Code[] {
  return [
    set(a, v128.and(get(v), i32x4.splat(i32c(0x7fffffff)))),
    set(
      r,
      v128.or(
        i32x4.shrU(
          i32x4.add(
            get(a),
            i32x4.add(
              i32x4.splat(i32c(0x7fff)),
              v128.and(i32x4.shrU(get(a), i32c(16)), i32x4.splat(i32c(1))),
            ),
          ),
          i32c(16),
        ),
        v128.and(i32x4.shrU(get(v), i32c(16)), i32x4.splat(i32c(0x8000))),
      ),
    ),
    set(
      r,
      v128.bitselect(i32x4.splat(i32c(0x7fc0)), get(r), i32x4.gtU(get(a), i32x4.splat(i32c(0x7f800000)))),
    ),
  ];
}

/** fp32 patterns with every NaN replaced by the canonical 0x7fc00000 (as tilekit stores fp32). */
export function canonF32x4(v: Code): Code {
  return v128.bitselect(
    i32x4.splat(i32c(0x7fc00000)),
    v,
    i32x4.gtU(v128.and(v, i32x4.splat(i32c(0x7fffffff))), i32x4.splat(i32c(0x7f800000))),
  );
}

// ---- small helpers ----
export const f32c0 = (): Code => [0x43, 0, 0, 0, 0];
export const f64c = (x: number): Code => [0x44, ...new Uint8Array(new Float64Array([x]).buffer)];
export const selectI32 = (a: Code, b: Code, cond: Code): Code => [a, b, cond, 0x1b];
export const selectF32 = selectI32;
export const v128Load64Splat = (addr: Code, offset: number): Code => [
  addr,
  0xfd,
  0x0a,
  3,
  ...ulebSmall(offset),
];
const ulebSmall = (n: number): number[] => (n < 128 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
export const f32x4ExtractLane0 = (v: Code): Code => [v, 0xfd, 0x1f, 0];
const lane = (v: Code, k: number): Code => i32x4.extractLane(v, k);
export const orLanes = (v: Code): Code =>
  i32.or(i32.or(lane(v, 0), lane(v, 1)), i32.or(lane(v, 2), lane(v, 3)));
const maxU = (a: Code, b: Code): Code => selectI32(a, b, i32.gtU(a, b));
const minU = (a: Code, b: Code): Code => selectI32(a, b, i32.ltU(a, b));
export const maxLanes = (v: Code): Code => maxU(maxU(lane(v, 0), lane(v, 1)), maxU(lane(v, 2), lane(v, 3)));
export const minLanes = (v: Code): Code => minU(minU(lane(v, 0), lane(v, 1)), minU(lane(v, 2), lane(v, 3)));
