import { ALU_OPS, type AluOp, aluInfo, applyAlu, INT_EXACT_OPS, isAluOp, wrapToDType } from '../alu.ts';
import { DTYPES, type DType } from '../dtypes.ts';
import { fail } from '../op-def.ts';
import type { Engine, View } from '../types.ts';

/** Operand rules for instructions that take ALU ops (neuroncore.md §2.1, §2.3 [SH], §5.4 rule 5). */

/**
 * The numeric mode of an ALU instruction, recorded at trace time (the reference semantics sees values, not dtypes):
 * `outDType` is the destination dtype that bitvec results wrap to; `intExact` marks GpSimd integer mode, where
 * add/subtract/multiply/max/min run on 32-bit integer lanes exactly (neuroncore.md §2.3: "32-bit integer add/mul
 * only on POOL"); elsewhere integers go through fp32.
 */
export interface AluNumerics {
  readonly outDType?: DType;
  readonly intExact?: boolean;
}

export const isIntDType = (d: DType): boolean => DTYPES[d].kind !== 'float';
const is32BitInt = (d: DType): boolean => d === 'int32' || d === 'uint32';

/** The numerics nisa records for an instruction on `engine` whose tensors are `views` (destination last). */
export function aluNumerics(
  ops: readonly (AluOp | undefined)[],
  engine: Engine,
  views: readonly View[],
): AluNumerics {
  const out = views[views.length - 1].dtype;
  const anyBitvec = ops.some((o) => o !== undefined && isAluOp(o) && ALU_OPS[o].class === 'bitvec');
  const intExact =
    engine === 'gpsimd' &&
    views.every((v) => is32BitInt(v.dtype)) &&
    ops.every((o) => o === undefined || INT_EXACT_OPS.has(o));
  return { outDType: anyBitvec || intExact ? out : undefined, intExact: intExact || undefined };
}

export function checkAluOp(
  op: unknown,
  engine: Engine,
  what: string,
  opts: { binary?: boolean } = {},
): AluOp {
  if (!isAluOp(op)) fail('TK0209', `${what}: unknown ALU op '${String(op)}'`);
  const info = aluInfo(op);
  if (opts.binary && info.arity !== 2) {
    fail('TK0209', `${what}: '${op}' is a unary op; use tensorScalar or activation for it`);
  }
  if (!info.engines.includes(engine)) {
    fail(
      'TK0208',
      `${what}: ${info.class} op '${op}' runs on ${info.engines.join(' or ')}, not on the ${engine} engine`,
    );
  }
  return op;
}

/** Ops of one instruction are all bitvec or all non-bitvec; bitvec ops need integer tensors (§2.1 tensor_scalar). */
export function checkAluTypes(
  ops: readonly (AluOp | undefined)[],
  tensors: readonly View[],
  what: string,
): void {
  const present = ops.filter((o): o is AluOp => o !== undefined);
  const bitvec = present.filter((o) => ALU_OPS[o].class === 'bitvec');
  if (bitvec.length > 0 && bitvec.length < present.length) {
    fail(
      'TK0221',
      `${what}: ops ${present.join(', ')} mix bitvec and arithmetic; split them into two instructions`,
    );
  }
  if (bitvec.length > 0) {
    for (const v of tensors) {
      if (!isIntDType(v.dtype)) {
        fail(
          'TK0220',
          `${what}: bitvec op '${bitvec[0]}' needs integer tensors, got ${v.dtype}; cast with tensorCopy first`,
        );
      }
    }
  }
}

export function checkNumerics(n: AluNumerics, out: View, engine: Engine, what: string): void {
  if (n.outDType !== undefined && n.outDType !== out.dtype) {
    fail(
      'TK0209',
      `${what}: recorded result dtype ${n.outDType} differs from the destination's ${out.dtype}`,
    );
  }
  if (n.intExact && engine !== 'gpsimd') fail('TK0209', `${what}: integer-exact mode is a GpSimd mode`);
}

/** `applyAlu` with an instruction's numerics. */
export function alu(op: AluOp, x: number, y: number, n: AluNumerics): number {
  return applyAlu(op, x, y, n.intExact ?? false);
}

/** The value written to the destination: integer patterns wrap to the destination dtype. */
export function finish(n: AluNumerics, v: number): number {
  return n.outDType === undefined ? v : wrapToDType(n.outDType, v);
}
