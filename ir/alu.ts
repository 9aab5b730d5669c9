import type { DType } from './dtypes.ts';
import type { Engine } from './types.ts';

/**
 * ALU operators of the Vector/Scalar/GpSimd engines (neuroncore.md §2.3 [SH]). Engines compute in fp32
 * (neuroncore.md §1.11 [A1]): arithmetic, compare and logical ops see their inputs rounded to fp32 and arithmetic
 * results are rounded to fp32. Bitvec ops work on raw 32-bit integer patterns (see `applyAlu`).
 */
export type AluClass = 'arithmetic' | 'compare' | 'logical' | 'bitvec' | 'special';

export interface AluOpInfo {
  readonly class: AluClass;
  /** 1 for unary ops (the second operand is ignored), else 2. */
  readonly arity: 1 | 2;
  /** Legal as the reduction op of tensorReduce and friends (neuroncore.md §2.3 "reduction-legal"). */
  readonly reducible: boolean;
  /** The reduction's starting value, where reducible. */
  readonly identity?: number;
  /** Engines whose ALU implements the op (neuroncore.md §2.3 engines column, §2.1 tensor_tensor). */
  readonly engines: readonly Engine[];
  readonly fn: (a: number, b: number) => number;
}

const b = (x: boolean): number => (x ? 1 : 0);
const DVE: readonly Engine[] = ['vector'];
/** add/multiply: DVE, POOL and (from NeuronCore-v3) ACT. */
const DVE_POOL_ACT: readonly Engine[] = ['vector', 'gpsimd', 'scalar'];
/** subtract: DVE; POOL for 32-bit integer tensor_tensor (neuroncore.md §2.1 tensor_tensor). */
const DVE_POOL: readonly Engine[] = ['vector', 'gpsimd'];
/** Logical shifts by `s` bits of a 32-bit pattern; shifts of 32 or more give 0 (tilekit's choice). */
const shl = (x: number, s: number): number => (s >= 32 || s < 0 ? 0 : (x << s) | 0);
const shr = (x: number, s: number): number => (s >= 32 || s < 0 ? 0 : (x >>> s) | 0);

export const ALU_OPS = {
  add: {
    class: 'arithmetic',
    arity: 2,
    reducible: true,
    identity: 0,
    engines: DVE_POOL_ACT,
    fn: (x, y) => x + y,
  },
  subtract: {
    class: 'arithmetic',
    arity: 2,
    reducible: true,
    identity: 0,
    engines: DVE_POOL,
    fn: (x, y) => x - y,
  },
  multiply: {
    class: 'arithmetic',
    arity: 2,
    reducible: true,
    identity: 1,
    engines: DVE_POOL_ACT,
    fn: (x, y) => x * y,
  },
  divide: { class: 'arithmetic', arity: 2, reducible: false, engines: DVE, fn: (x, y) => x / y },
  maximum: {
    class: 'arithmetic',
    arity: 2,
    reducible: true,
    identity: Number.NEGATIVE_INFINITY,
    engines: DVE,
    fn: (x, y) => (x >= y || Number.isNaN(x) ? x : y),
  },
  minimum: {
    class: 'arithmetic',
    arity: 2,
    reducible: true,
    identity: Number.POSITIVE_INFINITY,
    engines: DVE,
    fn: (x, y) => (x <= y || Number.isNaN(x) ? x : y),
  },
  mod: {
    class: 'arithmetic',
    arity: 2,
    reducible: false,
    engines: DVE,
    fn: (x, y) => x - Math.floor(x / y) * y,
  },
  absMax: {
    class: 'arithmetic',
    arity: 2,
    reducible: true,
    identity: 0,
    engines: DVE,
    fn: (x, y) => Math.max(Math.abs(x), Math.abs(y)),
  },
  absMin: {
    class: 'arithmetic',
    arity: 2,
    reducible: false,
    engines: DVE,
    fn: (x, y) => Math.min(Math.abs(x), Math.abs(y)),
  },
  /** Passes the left operand through unchanged. */
  bypass: { class: 'arithmetic', arity: 1, reducible: false, engines: DVE_POOL_ACT, fn: (x) => x },
  power: { class: 'special', arity: 2, reducible: false, engines: ['gpsimd'], fn: (x, y) => x ** y },
  rsqrt: {
    class: 'special',
    arity: 1,
    reducible: false,
    engines: ['gpsimd', 'scalar'],
    fn: (x) => 1 / Math.sqrt(x),
  },
  reciprocal: {
    class: 'special',
    arity: 1,
    reducible: false,
    engines: ['vector', 'scalar'],
    fn: (x) => 1 / x,
  },
  abs: { class: 'special', arity: 1, reducible: false, engines: ['vector', 'scalar'], fn: Math.abs },
  equal: { class: 'compare', arity: 2, reducible: false, engines: DVE, fn: (x, y) => b(x === y) },
  notEqual: { class: 'compare', arity: 2, reducible: false, engines: DVE, fn: (x, y) => b(x !== y) },
  greater: { class: 'compare', arity: 2, reducible: false, engines: DVE, fn: (x, y) => b(x > y) },
  greaterEqual: { class: 'compare', arity: 2, reducible: false, engines: DVE, fn: (x, y) => b(x >= y) },
  less: { class: 'compare', arity: 2, reducible: false, engines: DVE, fn: (x, y) => b(x < y) },
  lessEqual: { class: 'compare', arity: 2, reducible: false, engines: DVE, fn: (x, y) => b(x <= y) },
  logicalNot: { class: 'logical', arity: 1, reducible: false, engines: DVE, fn: (x) => b(x === 0) },
  logicalAnd: {
    class: 'logical',
    arity: 2,
    reducible: true,
    identity: 1,
    engines: DVE,
    fn: (x, y) => b(x !== 0 && y !== 0),
  },
  logicalOr: {
    class: 'logical',
    arity: 2,
    reducible: true,
    identity: 0,
    engines: DVE,
    fn: (x, y) => b(x !== 0 || y !== 0),
  },
  logicalXor: {
    class: 'logical',
    arity: 2,
    reducible: true,
    identity: 0,
    engines: DVE,
    fn: (x, y) => b((x !== 0) !== (y !== 0)),
  },
  /** Bitwise NOT (NKI `invert`). */
  invert: { class: 'bitvec', arity: 1, reducible: false, engines: DVE, fn: (x) => ~x },
  bitwiseAnd: { class: 'bitvec', arity: 2, reducible: true, identity: -1, engines: DVE, fn: (x, y) => x & y },
  bitwiseOr: { class: 'bitvec', arity: 2, reducible: true, identity: 0, engines: DVE, fn: (x, y) => x | y },
  bitwiseXor: { class: 'bitvec', arity: 2, reducible: true, identity: 0, engines: DVE, fn: (x, y) => x ^ y },
  /** Logical (= arithmetic) left shift of the 32-bit pattern. */
  leftShift: { class: 'bitvec', arity: 2, reducible: false, engines: DVE, fn: shl },
  /** Logical right shift of the 32-bit pattern (NKI does not expose an arithmetic right shift, §2.3). */
  rightShift: { class: 'bitvec', arity: 2, reducible: false, engines: DVE, fn: shr },
} as const satisfies Record<string, AluOpInfo>;

export type AluOp = keyof typeof ALU_OPS;

export function isAluOp(s: unknown): s is AluOp {
  return typeof s === 'string' && Object.hasOwn(ALU_OPS, s);
}

export function aluInfo(op: AluOp): AluOpInfo {
  return ALU_OPS[op];
}

export function isBitvec(op: AluOp): boolean {
  return ALU_OPS[op].class === 'bitvec';
}

/** Ops that GpSimd computes exactly on 32-bit integer lanes (neuroncore.md §2.3: "32-bit integer add/mul only on POOL"). */
export const INT_EXACT_OPS: ReadonlySet<AluOp> = new Set([
  'add',
  'subtract',
  'multiply',
  'maximum',
  'minimum',
]);

/**
 * Apply an ALU op as the engine does.
 * - bitvec: both operands become 32-bit two's-complement patterns (`x | 0`: ints are sign- or zero-extended by their
 *   dtype, uint32 keeps its bits); the result is a 32-bit pattern that the caller wraps to the destination with
 *   `wrapToDType` (bitvec ops treat integers as raw bits, neuroncore.md §1.11 [A1, SH]).
 * - `intExact` (GpSimd with 32-bit integer operands): add/subtract/multiply/max/min on 32-bit integers, wrapping.
 * - otherwise inputs are rounded to fp32; arithmetic and special results are rounded to fp32; compare and logical
 *   results are exactly 0 or 1.
 */
export function applyAlu(op: AluOp, x: number, y: number, intExact = false): number {
  const info: AluOpInfo = ALU_OPS[op];
  if (info.class === 'bitvec') return info.fn(x | 0, y | 0);
  if (intExact && INT_EXACT_OPS.has(op)) {
    const a = x | 0;
    const c = y | 0;
    if (op === 'multiply') return Math.imul(a, c);
    return info.fn(a, c) | 0;
  }
  const r = info.fn(Math.fround(x), Math.fround(y));
  return info.class === 'arithmetic' || info.class === 'special' ? Math.fround(r) : r;
}

/** Keep the low bits of a 32-bit integer pattern as the destination integer dtype stores them; floats pass through. */
export function wrapToDType(dtype: DType, v: number): number {
  switch (dtype) {
    case 'int8':
      return (v << 24) >> 24;
    case 'uint8':
      return v & 0xff;
    case 'int16':
      return (v << 16) >> 16;
    case 'uint16':
      return v & 0xffff;
    case 'int32':
      return v | 0;
    case 'uint32':
      return v >>> 0;
    default:
      return v;
  }
}
