// The matmul kernels: operands into register-block panels (with a summary that tells whether every product is exact
// in fp32), the fp32 and fp64 micro-kernels, and the write of the sums into the PSUM as the reference does it.
import {
  block,
  brIf,
  type Code,
  type FuncDef,
  f32,
  f32x4,
  f64x2,
  forRange,
  func,
  get,
  i32,
  i32c,
  i32x4,
  if_,
  loop,
  set,
  tee,
  v128,
} from './asm.ts';
import { call, ENC } from './codec-kernels.ts';
import {
  decF32,
  FLOAT_KINDS,
  f32c0,
  listFunc,
  MR,
  maxLanes,
  minLanes,
  NW,
  orLanes,
  selectF32,
  v128Load64Splat,
} from './kernel-parts.ts';

export function matmulFuncs(): FuncDef[] {
  const funcs: FuncDef[] = [];
  // pack(src, rows, cols, w, blocks, dst, pitch): contiguous [rows][cols] fp32 -> panels [blocks][rows][w] (block b
  // at dst + b * pitch), zero padded. Whole blocks move 4 values per step.
  funcs.push(
    func(
      'pack',
      { src: 'i32', rows: 'i32', cols: 'i32', w: 'i32', blocks: 'i32', dst: 'i32', pitch: 'i32' },
      [],
      { b: 'i32', r: 'i32', i: 'i32', c: 'i32', row: 'i32', d: 'i32', full: 'i32' },
      (l) => [
        forRange(
          l.b,
          i32c(0),
          get(l.blocks),
          1,
          set(l.d, i32.add(get(l.dst), i32.mul(get(l.b), get(l.pitch)))),
          set(l.full, i32.leU(i32.mul(i32.add(get(l.b), i32c(1)), get(l.w)), get(l.cols))),
          forRange(
            l.r,
            i32c(0),
            get(l.rows),
            1,
            set(
              l.row,
              i32.add(
                get(l.src),
                i32.shl(i32.add(i32.mul(get(l.r), get(l.cols)), i32.mul(get(l.b), get(l.w))), i32c(2)),
              ),
            ),
            if_(
              get(l.full),
              [
                forRange(
                  l.i,
                  i32c(0),
                  i32.shl(get(l.w), i32c(2)),
                  16,
                  v128.store(i32.add(get(l.d), get(l.i)), v128.load(i32.add(get(l.row), get(l.i)))),
                ),
              ],
              [
                forRange(
                  l.i,
                  i32c(0),
                  get(l.w),
                  1,
                  set(l.c, i32.add(i32.mul(get(l.b), get(l.w)), get(l.i))),
                  // beyond the last column: zero (the load past the row end stays inside the scratch area)
                  f32.store(
                    i32.add(get(l.d), i32.shl(get(l.i), i32c(2))),
                    selectF32(
                      f32.load(i32.add(get(l.row), i32.shl(get(l.i), i32c(2)))),
                      f32c0(),
                      i32.ltU(get(l.c), get(l.cols)),
                    ),
                  ),
                ),
              ],
            ),
            set(l.d, i32.add(get(l.d), i32.shl(get(l.w), i32c(2)))),
          ),
        ),
      ],
    ),
  );

  // classify(ptr, n, out): over n (multiple of 4) fp32 values: out[0] = OR of the low 12 mantissa bits,
  // out[1] = max biased exponent, out[2] = min biased exponent of the nonzero values (255 if none).
  funcs.push(
    func(
      'classify',
      { ptr: 'i32', n: 'i32', out: 'i32' },
      [],
      { i: 'i32', v: 'v128', low: 'v128', mx: 'v128', mn: 'v128' },
      (l) => [
        set(l.low, i32x4.splat(i32c(0))),
        set(l.mx, i32x4.splat(i32c(0))),
        set(l.mn, i32x4.splat(i32c(255))),
        forRange(
          l.i,
          i32c(0),
          i32.shl(get(l.n), i32c(2)),
          16,
          set(l.v, v128.load(i32.add(get(l.ptr), get(l.i)))),
          ...classifyStep(l.v, l.low, l.mx, l.mn),
        ),
        i32.store(get(l.out), orLanes(get(l.low))),
        i32.store(get(l.out), maxLanes(get(l.mx)), 4),
        i32.store(get(l.out), minLanes(get(l.mn)), 8),
      ],
    ),
  );

  // decpack_<kind>(list, count, logw, jump, out), entries [src, stride, n, row]: decode one whole operand row
  // (n values, n a multiple of w = 1 << logw) straight into the panel layout [block][R][w] (row = the row's start
  // in block 0, jump = bytes between blocks), and fold the values into the classify summary at out (see classify).
  for (const kind of FLOAT_KINDS) {
    funcs.push(
      listFunc(
        `decpack_${kind}`,
        { logw: 'i32', jump: 'i32', out: 'i32' },
        ['src', 'stride', 'n', 'row'],
        { j: 'i32', d: 'i32', k: 'i32', v: 'v128', low: 'v128', mx: 'v128', mn: 'v128', simd: 'i32' },
        (l) => {
          const contiguous = kind === 'bf16' ? 2 : kind === 'f32' ? 4 : 0;
          const vec =
            kind === 'bf16'
              ? i32x4.shl(v128.load16x4u(i32.add(get(l.src), i32.shl(get(l.j), i32c(1)))), i32c(16))
              : v128.load(i32.add(get(l.src), i32.shl(get(l.j), i32c(2))));
          const scalar4: Code[] = [];
          for (let k = 0; k < 4; k++) {
            scalar4.push(
              f32.store(
                get(l.d),
                decF32(kind, i32.add(get(l.src), i32.mul(i32.add(get(l.j), i32c(k)), get(l.stride)))),
                4 * k,
              ),
            );
          }
          return [
            // the summary so far (batches of one operand accumulate)
            if_(i32.eqz(get(l.e)), [
              set(l.low, i32x4.splat(i32.load(get(l.out)))),
              set(l.mx, i32x4.splat(i32.load(get(l.out), 4))),
              set(l.mn, i32x4.splat(i32.load(get(l.out), 8))),
            ]),
            set(l.simd, contiguous ? i32.eq(get(l.stride), i32c(contiguous)) : i32c(0)),
            forRange(
              l.j,
              i32c(0),
              get(l.n),
              4,
              set(
                l.d,
                i32.add(
                  i32.add(get(l.row), i32.mul(i32.shrU(get(l.j), get(l.logw)), get(l.jump))),
                  i32.shl(i32.and(get(l.j), i32.sub(i32.shl(i32c(1), get(l.logw)), i32c(1))), i32c(2)),
                ),
              ),
              if_(
                get(l.simd),
                [set(l.v, vec), v128.store(get(l.d), get(l.v))],
                [...scalar4, set(l.v, v128.load(get(l.d)))],
              ),
              ...classifyStep(l.v, l.low, l.mx, l.mn),
            ),
            if_(i32.eq(get(l.e), i32.sub(get(l.count), i32c(1))), [
              i32.store(get(l.out), orLanes(get(l.low))),
              i32.store(get(l.out), maxLanes(get(l.mx)), 4),
              i32.store(get(l.out), minLanes(get(l.mn)), 8),
            ]),
          ];
        },
      ),
    );
  }

  // widen(src, n, dst): n (a multiple of 4) fp32 values -> fp64.
  funcs.push(
    func('widen', { src: 'i32', n: 'i32', dst: 'i32' }, [], { i: 'i32', v: 'v128' }, (l) => [
      forRange(
        l.i,
        i32c(0),
        get(l.n),
        4,
        set(l.v, v128.load(i32.add(get(l.src), i32.shl(get(l.i), i32c(2))))),
        v128.store(i32.add(get(l.dst), i32.shl(get(l.i), i32c(3))), f64x2.promoteLowF32x4(get(l.v))),
        v128.store(
          i32.add(get(l.dst), i32.shl(get(l.i), i32c(3))),
          f64x2.promoteLowF32x4(
            v128.shuffle(get(l.v), get(l.v), [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]),
          ),
          16,
        ),
      ),
    ]),
  );

  funcs.push(matmulKernel('mm32', false));
  funcs.push(matmulKernel('mm64', true));

  // combine(list, count, acc), entries [c, n, dst, dStride]: out = acc ? fround(out + c) : c over n fp32 values, NaN
  // canonical on store.
  funcs.push(
    listFunc(
      'combine',
      { acc: 'i32' },
      ['c', 'n', 'dst', 'dStride'],
      { i: 'i32', end: 'i32', v: 'v128', b: 'i32' },
      (l) => [
        if_(i32.eq(get(l.dStride), i32c(4)), [
          set(l.end, i32.and(get(l.n), i32c(~3))),
          forRange(
            l.i,
            i32c(0),
            i32.shl(get(l.end), i32c(2)),
            16,
            set(l.v, v128.load(i32.add(get(l.c), get(l.i)))),
            if_(get(l.acc), [set(l.v, f32x4.add(v128.load(i32.add(get(l.dst), get(l.i))), get(l.v)))]),
            v128.store(
              i32.add(get(l.dst), get(l.i)),
              v128.bitselect(
                i32x4.splat(i32c(0x7fc00000)),
                get(l.v),
                i32x4.gtU(v128.and(get(l.v), i32x4.splat(i32c(0x7fffffff))), i32x4.splat(i32c(0x7f800000))),
              ),
            ),
          ),
          set(l.c, i32.add(get(l.c), i32.shl(get(l.end), i32c(2)))),
          set(l.dst, i32.add(get(l.dst), i32.shl(get(l.end), i32c(2)))),
          set(l.n, i32.sub(get(l.n), get(l.end))),
        ]),
        forRange(
          l.i,
          i32c(0),
          get(l.n),
          1,
          set(l.b, i32.load(i32.add(get(l.c), i32.shl(get(l.i), i32c(2))))),
          if_(get(l.acc), [
            set(l.b, i32.reinterpretF32(f32.add(f32.load(get(l.dst)), f32.reinterpretI32(get(l.b))))),
          ]),
          i32.store(get(l.dst), call(ENC('f32'), get(l.b))),
          set(l.dst, i32.add(get(l.dst), get(l.dStride))),
        ),
      ],
    ),
  );

  return funcs;
}

/**
 * The matmul micro-kernels over panels A [mBlocks][R][MR] and B [nBlocks][R][NW] (blocks aPitch / bPitch bytes
 * apart; fp32 for mm32, the same layout promoted to fp64 for mm64): for m-blocks [mb0, mb1) and every n-block, an MR x NW block of sums over r in order,
 * kept in registers, then stored at pc = cp + (mb·MR + i)·cStride + nb·NW·4 by `mode`: 0 plain (the C scratch),
 * 1 as the reference writes fp32 to memory (NaN canonical), 2 accumulating into what is there (fp32 add, NaN
 * canonical). mm32 adds fp32 products (exact only when every product is exact in fp32: the host checks); mm64
 * forms each product in fp64 and rounds the running sum to fp32 after each addition, like the reference loop.
 */
function matmulKernel(name: string, exact: boolean) {
  // mm32: 4 rows x 2 f32x4 per block; mm64: two halves of 2 rows x 4 f64x2 (8 accumulators either way)
  const rowsPer = exact ? 2 : MR;
  const NV = exact ? NW / 2 : NW / 4;
  const elem = exact ? 8 : 4;
  const locals: Record<string, 'i32' | 'v128'> = {
    mb: 'i32',
    nb: 'i32',
    r: 'i32',
    pa: 'i32',
    pb: 'i32',
    pc: 'i32',
  };
  locals.a = 'v128';
  locals.v = 'v128';
  locals.addr = 'i32';
  for (let j = 0; j < NV; j++) locals[`b${j}`] = 'v128';
  for (let i = 0; i < rowsPer; i++) for (let j = 0; j < NV; j++) locals[`c${i}_${j}`] = 'v128';
  return func(
    name,
    {
      ap: 'i32',
      bp: 'i32',
      cp: 'i32',
      R: 'i32',
      mb0: 'i32',
      mb1: 'i32',
      nBlocks: 'i32',
      cStride: 'i32',
      mode: 'i32',
      aPitch: 'i32',
      bPitch: 'i32',
    },
    [],
    locals,
    (x) => {
      const L = x as unknown as Record<string, number>;
      const c = (i: number, j: number) => L[`c${i}_${j}`];
      /** The r loop for rows [i0, i0 + rowsPer) of the block. */
      const rLoop = (i0: number): Code[] => {
        const step: Code[] = [];
        for (let j = 0; j < NV; j++) step.push(set(L[`b${j}`], v128.load(get(x.pb), 16 * j)));
        for (let i = 0; i < rowsPer; i++) {
          step.push(
            set(
              x.a,
              exact ? v128Load64Splat(get(x.pa), 8 * (i0 + i)) : v128.load32splat(get(x.pa), 4 * (i0 + i)),
            ),
          );
          for (let j = 0; j < NV; j++) {
            const prod = exact ? f64x2.mul(get(x.a), get(L[`b${j}`])) : f32x4.mul(get(x.a), get(L[`b${j}`]));
            // mm64: acc = fp32(acc + a*b) in fp64: add, demote (rounds to fp32), promote back
            step.push(
              set(
                c(i, j),
                exact
                  ? f64x2.promoteLowF32x4(f32x4.demoteF64x2Zero(f64x2.add(get(c(i, j)), prod)))
                  : f32x4.add(get(c(i, j)), prod),
              ),
            );
          }
        }
        step.push(
          set(x.pa, i32.add(get(x.pa), i32c(MR * elem))),
          set(x.pb, i32.add(get(x.pb), i32c(NW * elem))),
        );
        const zero: Code[] = [];
        for (let i = 0; i < rowsPer; i++) {
          for (let j = 0; j < NV; j++) zero.push(set(c(i, j), v128.const(new Array(16).fill(0))));
        }
        return [
          set(x.pa, i32.add(get(x.ap), i32.mul(get(x.mb), get(x.aPitch)))),
          set(x.pb, i32.add(get(x.bp), i32.mul(get(x.nb), get(x.bPitch)))),
          ...zero,
          set(x.r, get(x.R)),
          block(loop(...step, brIf(0, tee(x.r, i32.sub(get(x.r), i32c(1)))))),
        ];
      };
      /** Store rows [i0, i0 + rowsPer) as fp32x4 groups of 4 columns. */
      const stores = (i0: number): Code[] => {
        const out: Code[] = [];
        for (let i = 0; i < rowsPer; i++) {
          for (let g = 0; g < NW / 4; g++) {
            // the 4 fp32 sums of columns 4g..4g+3
            const sums = exact
              ? v128.shuffle(
                  f32x4.demoteF64x2Zero(get(c(i, 2 * g))),
                  f32x4.demoteF64x2Zero(get(c(i, 2 * g + 1))),
                  [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23],
                )
              : get(c(i, g));
            out.push(
              set(x.addr, i32.add(i32.add(get(x.pc), i32.mul(i32c(i0 + i), get(x.cStride))), i32c(16 * g))),
              set(x.v, sums),
              if_(get(x.mode), [
                if_(i32.eq(get(x.mode), i32c(2)), [set(x.v, f32x4.add(v128.load(get(x.addr)), get(x.v)))]),
                set(
                  x.v,
                  v128.bitselect(
                    i32x4.splat(i32c(0x7fc00000)),
                    get(x.v),
                    i32x4.gtU(
                      v128.and(get(x.v), i32x4.splat(i32c(0x7fffffff))),
                      i32x4.splat(i32c(0x7f800000)),
                    ),
                  ),
                ),
              ]),
              v128.store(get(x.addr), get(x.v)),
            );
          }
        }
        return out;
      };
      const body: Code[] = [
        set(
          x.pc,
          i32.add(
            get(x.cp),
            i32.add(i32.mul(i32.mul(get(x.mb), i32c(MR)), get(x.cStride)), i32.mul(get(x.nb), i32c(NW * 4))),
          ),
        ),
      ];
      for (let i0 = 0; i0 < MR; i0 += rowsPer) body.push(...rLoop(i0), ...stores(i0));
      return [forRange(x.mb, get(x.mb0), get(x.mb1), 1, forRange(x.nb, i32c(0), get(x.nBlocks), 1, ...body))];
    },
  );
}

/** Fold the fp32 patterns in v128 `v` into the classify accumulators (low-bit OR, max and min nonzero exponent). */
function classifyStep(v: number, low: number, mx: number, mn: number): Code[] {
  const e = v128.and(i32x4.shrU(get(v), i32c(23)), i32x4.splat(i32c(0xff)));
  return [
    set(low, v128.or(get(low), v128.and(get(v), i32x4.splat(i32c(0xfff))))),
    set(mx, i32x4.maxU(get(mx), e)),
    set(
      mn,
      i32x4.minU(
        get(mn),
        v128.bitselect(
          e,
          i32x4.splat(i32c(255)),
          i32x4.ne(v128.and(get(v), i32x4.splat(i32c(0x7fffffff))), i32x4.splat(i32c(0))),
        ),
      ),
    ),
  ];
}
