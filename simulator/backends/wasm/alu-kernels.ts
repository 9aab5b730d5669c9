// The elementwise ALU kernel (EvalKernels.binary): fp32 arithmetic on fp64 operand arrays as ir/alu.ts applyAlu does.
import {
  type Code,
  type FuncDef,
  f32x4,
  f64,
  f64x2,
  forRange,
  func,
  get,
  i32,
  i32c,
  if_,
  set,
  v128,
} from './asm.ts';
import { f32x4ExtractLane0 } from './kernel-parts.ts';

export function aluFuncs(): FuncDef[] {
  const funcs: FuncDef[] = [];
  // binary(op, a, b, out, n): fp32 ALU ops on fp64 arrays (values rounded to fp32 first, result rounded to fp32).
  funcs.push(
    func(
      'binary',
      { op: 'i32', a: 'i32', b: 'i32', out: 'i32', n: 'i32' },
      [],
      { i: 'i32', x: 'v128', y: 'v128', r: 'v128' },
      (l) => {
        const ld = (p: number) =>
          f32x4.demoteF64x2Zero(v128.load(i32.add(get(p), i32.shl(get(l.i), i32c(3)))));
        const ops: Code[] = ALU_BINARY.map((op, k) =>
          if_(i32.eq(get(l.op), i32c(k)), [set(l.r, aluExpr(op, get(l.x), get(l.y)))]),
        );
        return [
          // two values per step: demote to fp32 lanes 0-1, apply, promote back
          forRange(
            l.i,
            i32c(0),
            i32.and(get(l.n), i32c(~1)),
            2,
            set(l.x, ld(l.a)),
            set(l.y, ld(l.b)),
            ...ops,
            v128.store(i32.add(get(l.out), i32.shl(get(l.i), i32c(3))), f64x2.promoteLowF32x4(get(l.r))),
          ),
          if_(i32.and(get(l.n), i32c(1)), [
            set(l.i, i32.sub(get(l.n), i32c(1))),
            set(
              l.x,
              f32x4.demoteF64x2Zero(f64x2.splat(f64.load(i32.add(get(l.a), i32.shl(get(l.i), i32c(3)))))),
            ),
            set(
              l.y,
              f32x4.demoteF64x2Zero(f64x2.splat(f64.load(i32.add(get(l.b), i32.shl(get(l.i), i32c(3)))))),
            ),
            ...ops,
            f64.store(
              i32.add(get(l.out), i32.shl(get(l.i), i32c(3))),
              f64.promoteF32(f32x4ExtractLane0(get(l.r))),
            ),
          ]),
        ];
      },
    ),
  );
  return funcs;
}

/** ALU ops the `binary` kernel implements, in code order (ir/alu.ts semantics on fp32 inputs). */
export const ALU_BINARY = ['add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum'] as const;
export type AluBinary = (typeof ALU_BINARY)[number];

function aluExpr(op: AluBinary, x: Code, y: Code): Code {
  switch (op) {
    case 'add':
      return f32x4.add(x, y);
    case 'subtract':
      return f32x4.sub(x, y);
    case 'multiply':
      return f32x4.mul(x, y);
    case 'divide':
      return f32x4.div(x, y);
    // x >= y || isNaN(x) ? x : y  (keeps -0 vs +0 and NaN as ir/alu.ts does)
    case 'maximum':
      return v128.bitselect(x, y, v128.or(f32x4.ge(x, y), f32x4.ne(x, x)));
    case 'minimum':
      return v128.bitselect(x, y, v128.or(f32x4.le(x, y), f32x4.ne(x, x)));
  }
}
