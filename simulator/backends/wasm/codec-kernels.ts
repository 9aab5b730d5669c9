// The codec kernels: element encoders (fp32 bits -> each float format, float-codec.ts), operand decode/encode between
// memory and fp32/fp64 scratch, and the canonicalising same-dtype copy. Their functions come first in the module
// (kernels.ts): others call the encoders by index (ENC).
import {
  type Code,
  type FuncDef,
  f32,
  f32x4,
  f64,
  f64x2,
  forRange,
  func,
  get,
  i8x16,
  i16x8,
  i32,
  i32c,
  i32x4,
  if_,
  memory,
  ret,
  set,
  v128,
} from './asm.ts';
import {
  BYTES,
  bf16x4,
  canonF32x4,
  decF32,
  decIntF64,
  FLOAT_KINDS,
  type FloatKind,
  f64c,
  INT_KINDS,
  type IntKind,
  type Kind,
  listFunc,
  selectI32,
  storeBits,
} from './kernel-parts.ts';

/** Call a module function by index with its arguments. */
export const call = (idx: number, ...args: Code[]): Code => [args, 0x10, idx];
/** Index of encbits_<kind> (storage bits of an fp32 pattern) in the module. */
export const ENC = (kind: FloatKind): number => 2 + FLOAT_KINDS.indexOf(kind);

export function codecFuncs(): FuncDef[] {
  const funcs: FuncDef[] = [];

  /** rne(sig, s) = round-to-nearest-even of sig >> s (float-codec.ts rneShift). */
  funcs.push(
    func('rne', { sig: 'i32', s: 'i32' }, ['i32'], {}, ({ sig, s }) => [
      i32.shrU(
        i32.sub(
          i32.add(
            i32.add(get(sig), i32.and(i32.shrU(get(sig), get(s)), i32c(1))),
            i32.shl(i32c(1), i32.sub(get(s), i32c(1))),
          ),
          i32c(1),
        ),
        get(s),
      ),
    ]),
  );
  const RNE = 0;

  /** Magnitude bits of RNE(|v|) in a format with m mantissa bits and smallest normal exponent emin (roundMagnitude). */
  funcs.push(
    func('rmag', { a: 'i32', m: 'i32', emin: 'i32' }, ['i32'], { e: 'i32', sig: 'i32', s: 'i32' }, (x) => [
      if_(i32.ltU(get(x.a), i32c(0x00800000)), [ret(i32c(0))]),
      set(x.e, i32.sub(i32.shrU(get(x.a), i32c(23)), i32c(127))),
      set(x.sig, i32.or(i32.and(get(x.a), i32c(0x7fffff)), i32c(0x800000))),
      if_(i32.geS(get(x.e), get(x.emin)), [
        ret(
          i32.add(
            i32.shl(i32.sub(get(x.e), get(x.emin)), get(x.m)),
            call(RNE, get(x.sig), i32.sub(i32c(23), get(x.m))),
          ),
        ),
      ]),
      set(x.s, i32.sub(i32.add(i32.sub(i32c(23), get(x.m)), get(x.emin)), get(x.e))),
      if_(i32.gtS(get(x.s), i32c(24)), [ret(i32c(0))]),
      call(RNE, get(x.sig), get(x.s)),
    ]),
  );
  const RMAG = 1;

  /** Storage bits of the fp32 pattern `b` in each float format (float-codec.ts *FromF32Bits). */
  const encBits = (kind: FloatKind, b: number, a: number): Code[] => {
    const absNan = (nan: number, rest: Code): Code => [
      set(a, i32.and(get(b), i32c(0x7fffffff))),
      if_(i32.gtU(get(a), i32c(0x7f800000)), [ret(i32c(nan))]),
      rest,
    ];
    const sign16 = i32.and(i32.shrU(get(b), i32c(16)), i32c(0x8000));
    const sign8 = i32.and(i32.shrU(get(b), i32c(24)), i32c(0x80));
    const small = (nan: number, m: number, emin: number, maxFinite: number, inf: number, sign: Code) =>
      absNan(nan, [
        set(a, call(RMAG, get(a), i32c(m), i32c(emin))),
        i32.or(sign, selectI32(i32c(inf), get(a), i32.gtU(get(a), i32c(maxFinite)))),
      ]);
    switch (kind) {
      case 'f32':
        return [absNan(0x7fc00000, get(b))];
      case 'tf32':
        return [
          absNan(
            0x7fc00000,
            i32.or(
              i32.and(get(b), i32c(0x80000000)),
              i32.and(
                i32.add(get(a), i32.add(i32c(0xfff), i32.and(i32.shrU(get(a), i32c(13)), i32c(1)))),
                i32c(0x7fffe000),
              ),
            ),
          ),
        ];
      case 'bf16':
        return [
          absNan(
            0x7fc0,
            i32.or(
              sign16,
              i32.shrU(
                i32.add(get(a), i32.add(i32c(0x7fff), i32.and(i32.shrU(get(a), i32c(16)), i32c(1)))),
                i32c(16),
              ),
            ),
          ),
        ];
      case 'f16':
        return [small(0x7e00, 10, -14, 0x7bff, 0x7c00, sign16)];
      case 'e4m3':
        return [small(0x7c, 3, -6, 0x77, 0x78, sign8)];
      case 'e5m2':
        return [small(0x7e, 2, -14, 0x7b, 0x7c, sign8)];
      case 'e4m3fn':
        // No NaN test first: NaN and inf round above 0x7e and become the only NaN, sign dropped.
        return [
          set(a, call(RMAG, i32.and(get(b), i32c(0x7fffffff)), i32c(3), i32c(-6))),
          if_(i32.gtU(get(a), i32c(0x7e)), [ret(i32c(0x7f))]),
          i32.or(sign8, get(a)),
        ];
    }
  };

  // enc_<kind>(bits) -> storage bits, one function per float format (index = 2 + position in FLOAT_KINDS).
  for (const kind of FLOAT_KINDS) {
    funcs.push(
      func(`encbits_${kind}`, { b: 'i32' }, ['i32'], { a: 'i32' }, ({ b, a }) => encBits(kind, b, a)),
    );
  }

  // Run lists: each function below takes (list, count, ...) and handles `count` runs described by consecutive i32
  // entries at `list`, so one call from the host covers a whole instruction's access pattern.

  // dec32_<kind>(list, count), entries [src, stride, n, dst]: n elements -> contiguous fp32 at dst.
  for (const kind of FLOAT_KINDS) {
    funcs.push(
      listFunc(`dec32_${kind}`, {}, ['src', 'stride', 'n', 'dst'], { i: 'i32', end: 'i32' }, (x) => [
        ...(kind === 'bf16'
          ? [
              // contiguous: 4 patterns per step, widened and shifted into fp32 position
              if_(i32.eq(get(x.stride), i32c(2)), [
                set(x.end, i32.and(get(x.n), i32c(~3))),
                forRange(
                  x.i,
                  i32c(0),
                  get(x.end),
                  4,
                  v128.store(
                    i32.add(get(x.dst), i32.shl(get(x.i), i32c(2))),
                    i32x4.shl(v128.load16x4u(i32.add(get(x.src), i32.shl(get(x.i), i32c(1)))), i32c(16)),
                  ),
                ),
                set(x.src, i32.add(get(x.src), i32.shl(get(x.end), i32c(1)))),
                set(x.dst, i32.add(get(x.dst), i32.shl(get(x.end), i32c(2)))),
                set(x.n, i32.sub(get(x.n), get(x.end))),
              ]),
            ]
          : []),
        ...(kind === 'f32'
          ? [
              if_(i32.eq(get(x.stride), i32c(4)), [
                memory.copy(get(x.dst), get(x.src), i32.shl(get(x.n), i32c(2))),
                set(x.n, i32c(0)),
              ]),
            ]
          : []),
        forRange(
          x.i,
          i32c(0),
          get(x.n),
          1,
          f32.store(i32.add(get(x.dst), i32.shl(get(x.i), i32c(2))), decF32(kind, get(x.src))),
          set(x.src, i32.add(get(x.src), get(x.stride))),
        ),
      ]),
    );
  }

  // dec64_<kind>(list, count), entries [src, stride, n, dst]: n elements -> contiguous fp64 at dst.
  for (const kind of [...FLOAT_KINDS, ...INT_KINDS] as Kind[]) {
    const isFloat = (FLOAT_KINDS as readonly string[]).includes(kind);
    funcs.push(
      listFunc(
        `dec64_${kind}`,
        {},
        ['src', 'stride', 'n', 'dst'],
        { i: 'i32', end: 'i32', v: 'v128' },
        (x) => [
          ...(kind === 'bf16'
            ? [
                // contiguous: 4 patterns per step, widened to fp32, promoted in pairs
                if_(i32.eq(get(x.stride), i32c(2)), [
                  set(x.end, i32.and(get(x.n), i32c(~3))),
                  forRange(
                    x.i,
                    i32c(0),
                    get(x.end),
                    4,
                    set(
                      x.v,
                      i32x4.shl(v128.load16x4u(i32.add(get(x.src), i32.shl(get(x.i), i32c(1)))), i32c(16)),
                    ),
                    v128.store(
                      i32.add(get(x.dst), i32.shl(get(x.i), i32c(3))),
                      f64x2.promoteLowF32x4(get(x.v)),
                    ),
                    v128.store(
                      i32.add(get(x.dst), i32.shl(get(x.i), i32c(3))),
                      f64x2.promoteLowF32x4(
                        v128.shuffle(
                          get(x.v),
                          get(x.v),
                          [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7],
                        ),
                      ),
                      16,
                    ),
                  ),
                  set(x.src, i32.add(get(x.src), i32.shl(get(x.end), i32c(1)))),
                  set(x.dst, i32.add(get(x.dst), i32.shl(get(x.end), i32c(3)))),
                  set(x.n, i32.sub(get(x.n), get(x.end))),
                ]),
              ]
            : []),
          forRange(
            x.i,
            i32c(0),
            get(x.n),
            1,
            f64.store(
              i32.add(get(x.dst), i32.shl(get(x.i), i32c(3))),
              isFloat
                ? f64.promoteF32(decF32(kind as FloatKind, get(x.src)))
                : decIntF64(kind as IntKind, get(x.src)),
            ),
            set(x.src, i32.add(get(x.src), get(x.stride))),
          ),
        ],
      ),
    );
  }

  // enc32_<kind>(list, count), entries [src, n, dst, stride]: contiguous fp32 -> n elements (bf16: SIMD).
  for (const kind of FLOAT_KINDS) {
    const bytes = BYTES[kind];
    funcs.push(
      listFunc(
        `enc32_${kind}`,
        {},
        ['src', 'n', 'dst', 'stride'],
        { i: 'i32', end: 'i32', v: 'v128', a: 'v128', r: 'v128' },
        (x) => [
          ...(kind === 'bf16'
            ? [
                if_(i32.eq(get(x.stride), i32c(2)), [
                  set(x.end, i32.and(get(x.n), i32c(~3))),
                  forRange(
                    x.i,
                    i32c(0),
                    get(x.end),
                    4,
                    set(x.v, v128.load(i32.add(get(x.src), i32.shl(get(x.i), i32c(2))))),
                    ...bf16x4(x.v, x.a, x.r),
                    v128.store64lane0(
                      i32.add(get(x.dst), i32.shl(get(x.i), i32c(1))),
                      v128.shuffle(get(x.r), get(x.r), [0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13]),
                    ),
                  ),
                  set(x.src, i32.add(get(x.src), i32.shl(get(x.end), i32c(2)))),
                  set(x.dst, i32.add(get(x.dst), i32.shl(get(x.end), i32c(1)))),
                  set(x.n, i32.sub(get(x.n), get(x.end))),
                ]),
              ]
            : []),
          forRange(
            x.i,
            i32c(0),
            get(x.n),
            1,
            storeBits(
              bytes,
              get(x.dst),
              call(ENC(kind), i32.load(i32.add(get(x.src), i32.shl(get(x.i), i32c(2))))),
            ),
            set(x.dst, i32.add(get(x.dst), get(x.stride))),
          ),
        ],
      ),
    );
  }

  // enc64_<kind>(list, count), entries [src, n, dst, stride]: contiguous fp64 -> n elements, rounding as
  // ir/dtypes/bulk.ts ENCODE does (floats: to fp32, then to the format; integers: roundInt).
  for (const kind of [...FLOAT_KINDS, ...INT_KINDS] as Kind[]) {
    const bytes = BYTES[kind];
    const isFloat = (FLOAT_KINDS as readonly string[]).includes(kind);
    const range: Record<IntKind, [number, number]> = {
      i8: [-128, 127],
      u8: [0, 255],
      i16: [-32768, 32767],
      u16: [0, 65535],
      i32: [-2147483648, 2147483647],
      u32: [0, 4294967295],
    };
    funcs.push(
      listFunc(
        `enc64_${kind}`,
        {},
        ['src', 'n', 'dst', 'stride'],
        { i: 'i32', x: 'f64', v: 'i32', end: 'i32', w: 'v128', a: 'v128', r: 'v128' },
        (l) => {
          let elem: Code[];
          // contiguous bf16 / fp32: 4 values per step (fp64 pairs demoted into one fp32x4)
          const simdPrefix: Code[] =
            kind === 'bf16' || kind === 'f32'
              ? [
                  if_(i32.eq(get(l.stride), i32c(bytes)), [
                    set(l.end, i32.and(get(l.n), i32c(~3))),
                    forRange(
                      l.i,
                      i32c(0),
                      get(l.end),
                      4,
                      set(
                        l.w,
                        v128.shuffle(
                          f32x4.demoteF64x2Zero(v128.load(i32.add(get(l.src), i32.shl(get(l.i), i32c(3))))),
                          f32x4.demoteF64x2Zero(
                            v128.load(i32.add(get(l.src), i32.shl(get(l.i), i32c(3))), 16),
                          ),
                          [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
                        ),
                      ),
                      ...(kind === 'bf16'
                        ? [
                            ...bf16x4(l.w, l.a, l.r),
                            v128.store64lane0(
                              i32.add(get(l.dst), i32.shl(get(l.i), i32c(1))),
                              v128.shuffle(
                                get(l.r),
                                get(l.r),
                                [0, 1, 4, 5, 8, 9, 12, 13, 0, 1, 4, 5, 8, 9, 12, 13],
                              ),
                            ),
                          ]
                        : [
                            v128.store(i32.add(get(l.dst), i32.shl(get(l.i), i32c(2))), canonF32x4(get(l.w))),
                          ]),
                    ),
                    set(l.src, i32.add(get(l.src), i32.shl(get(l.end), i32c(3)))),
                    set(l.dst, i32.add(get(l.dst), i32.mul(get(l.end), i32c(bytes)))),
                    set(l.n, i32.sub(get(l.n), get(l.end))),
                  ]),
                ]
              : [];
          if (isFloat) {
            elem = [
              set(l.v, call(ENC(kind as FloatKind), i32.reinterpretF32(f32.demoteF64(f64.load(get(l.src)))))),
            ];
          } else {
            // roundInt: NaN -> 0, saturate at [lo, hi], ties to even (f64.nearest)
            const [lo, hi] = range[kind as IntKind];
            const trunc = lo < 0 ? i32.truncSatF64S : i32.truncSatF64U;
            elem = [
              set(l.x, f64.load(get(l.src))),
              if_(
                f64.gt(get(l.x), f64c(lo)),
                [
                  if_(
                    f64.ge(get(l.x), f64c(hi)),
                    [set(l.v, i32c(hi))],
                    [set(l.v, trunc(f64.nearest(get(l.x))))],
                  ),
                ],
                [if_(f64.ne(get(l.x), get(l.x)), [set(l.v, i32c(0))], [set(l.v, i32c(lo))])],
              ),
            ];
          }
          return [
            ...simdPrefix,
            forRange(
              l.i,
              i32c(0),
              get(l.n),
              1,
              ...elem,
              storeBits(bytes, get(l.dst), get(l.v)),
              set(l.src, i32.add(get(l.src), i32c(8))),
              set(l.dst, i32.add(get(l.dst), get(l.stride))),
            ),
          ];
        },
      ),
    );
  }

  // copy<8|16|32>(list, count, mask, absMask, inf, nan), entries [src, sStride, dst, dStride, n]: a same-dtype move
  // as decode + encode does it: bits & mask, then any pattern whose (bits & absMask) > inf (a NaN) becomes nan.
  for (const bits of [8, 16, 32] as const) {
    const bytes = bits / 8;
    const lanes = {
      8: { splat: i8x16.splat, gtU: i8x16.gtU },
      16: { splat: i16x8.splat, gtU: i16x8.gtU },
      32: { splat: i32x4.splat, gtU: i32x4.gtU },
    }[bits];
    const load = bytes === 1 ? i32.load8u : bytes === 2 ? i32.load16u : i32.load;
    funcs.push(
      listFunc(
        `copy${bits}`,
        { mask: 'i32', absMask: 'i32', inf: 'i32', nan: 'i32' },
        ['src', 'sStride', 'dst', 'dStride', 'n'],
        { i: 'i32', end: 'i32', v: 'i32', vm: 'v128', va: 'v128', vi: 'v128', vn: 'v128', x: 'v128' },
        (l) => [
          if_(i32.and(i32.eq(get(l.sStride), i32c(bytes)), i32.eq(get(l.dStride), i32c(bytes))), [
            set(l.vm, lanes.splat(get(l.mask))),
            set(l.va, lanes.splat(get(l.absMask))),
            set(l.vi, lanes.splat(get(l.inf))),
            set(l.vn, lanes.splat(get(l.nan))),
            set(l.end, i32.and(i32.mul(get(l.n), i32c(bytes)), i32c(~15))),
            forRange(
              l.i,
              i32c(0),
              get(l.end),
              16,
              set(l.x, v128.and(v128.load(i32.add(get(l.src), get(l.i))), get(l.vm))),
              v128.store(
                i32.add(get(l.dst), get(l.i)),
                v128.bitselect(get(l.vn), get(l.x), lanes.gtU(v128.and(get(l.x), get(l.va)), get(l.vi))),
              ),
            ),
            set(l.src, i32.add(get(l.src), get(l.end))),
            set(l.dst, i32.add(get(l.dst), get(l.end))),
            set(l.n, i32.sub(get(l.n), i32.divU(get(l.end), i32c(bytes)))),
          ]),
          forRange(
            l.i,
            i32c(0),
            get(l.n),
            1,
            set(l.v, i32.and(load(get(l.src)), get(l.mask))),
            storeBits(
              bytes,
              get(l.dst),
              selectI32(get(l.nan), get(l.v), i32.gtU(i32.and(get(l.v), get(l.absMask)), get(l.inf))),
            ),
            set(l.src, i32.add(get(l.src), get(l.sStride))),
            set(l.dst, i32.add(get(l.dst), get(l.dStride))),
          ),
        ],
      ),
    );
  }

  return funcs;
}
