/**
 * ALU operators of the Vector/Scalar/GpSimd engines (neuroncore.md §2.3 [SH]). Engines compute in fp32
 * (neuroncore.md §1.11 [A1]): callers round float results with Math.fround. Bitvec ops treat values as integers.
 */
export type AluClass = 'arithmetic' | 'compare' | 'logical' | 'bitvec';

export interface AluOpInfo {
  readonly class: AluClass;
  /** Legal as the reduction op of tensorReduce and friends. */
  readonly reducible: boolean;
  /** The reduction's starting value, where reducible. */
  readonly identity?: number;
  readonly fn: (a: number, b: number) => number;
}

const b = (x: boolean): number => (x ? 1 : 0);
const i32 = (x: number): number => x | 0;

export const ALU_OPS = {
  add: { class: 'arithmetic', reducible: true, identity: 0, fn: (x, y) => x + y },
  subtract: { class: 'arithmetic', reducible: true, identity: 0, fn: (x, y) => x - y },
  multiply: { class: 'arithmetic', reducible: true, identity: 1, fn: (x, y) => x * y },
  divide: { class: 'arithmetic', reducible: false, fn: (x, y) => x / y },
  maximum: {
    class: 'arithmetic',
    reducible: true,
    identity: Number.NEGATIVE_INFINITY,
    fn: (x, y) => (x >= y || Number.isNaN(x) ? x : y),
  },
  minimum: {
    class: 'arithmetic',
    reducible: true,
    identity: Number.POSITIVE_INFINITY,
    fn: (x, y) => (x <= y || Number.isNaN(x) ? x : y),
  },
  power: { class: 'arithmetic', reducible: false, fn: (x, y) => x ** y },
  mod: { class: 'arithmetic', reducible: false, fn: (x, y) => x - Math.floor(x / y) * y },
  absMax: {
    class: 'arithmetic',
    reducible: true,
    identity: 0,
    fn: (x, y) => Math.max(Math.abs(x), Math.abs(y)),
  },
  absMin: { class: 'arithmetic', reducible: false, fn: (x, y) => Math.min(Math.abs(x), Math.abs(y)) },
  bypass: { class: 'arithmetic', reducible: false, fn: (x) => x },
  equal: { class: 'compare', reducible: false, fn: (x, y) => b(x === y) },
  notEqual: { class: 'compare', reducible: false, fn: (x, y) => b(x !== y) },
  greater: { class: 'compare', reducible: false, fn: (x, y) => b(x > y) },
  greaterEqual: { class: 'compare', reducible: false, fn: (x, y) => b(x >= y) },
  less: { class: 'compare', reducible: false, fn: (x, y) => b(x < y) },
  lessEqual: { class: 'compare', reducible: false, fn: (x, y) => b(x <= y) },
  logicalAnd: { class: 'logical', reducible: true, identity: 1, fn: (x, y) => b(x !== 0 && y !== 0) },
  logicalOr: { class: 'logical', reducible: true, identity: 0, fn: (x, y) => b(x !== 0 || y !== 0) },
  logicalXor: { class: 'logical', reducible: true, identity: 0, fn: (x, y) => b((x !== 0) !== (y !== 0)) },
  bitwiseAnd: { class: 'bitvec', reducible: true, identity: -1, fn: (x, y) => i32(x) & i32(y) },
  bitwiseOr: { class: 'bitvec', reducible: true, identity: 0, fn: (x, y) => i32(x) | i32(y) },
  bitwiseXor: { class: 'bitvec', reducible: true, identity: 0, fn: (x, y) => i32(x) ^ i32(y) },
  leftShift: { class: 'bitvec', reducible: false, fn: (x, y) => i32(x) << i32(y) },
  rightShift: { class: 'bitvec', reducible: false, fn: (x, y) => i32(x) >>> i32(y) },
} as const satisfies Record<string, AluOpInfo>;

export type AluOp = keyof typeof ALU_OPS;

export function isAluOp(s: unknown): s is AluOp {
  return typeof s === 'string' && Object.hasOwn(ALU_OPS, s);
}

/** Apply an ALU op as the engine does: bitvec/compare results are exact; arithmetic results round to fp32. */
export function applyAlu(op: AluOp, x: number, y: number): number {
  const info: AluOpInfo = ALU_OPS[op];
  const r = info.fn(x, y);
  return info.class === 'arithmetic' ? Math.fround(r) : r;
}
