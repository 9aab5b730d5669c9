import { ALU_OPS, type AluOp, INT_EXACT_OPS } from '../../ir/alu.ts';
import { type DType, promote } from '../../ir/dtypes.ts';
import type { Engine } from '../../ir/types.ts';
import type { Tensor } from '../tensor.ts';

/** How nl's elementwise functions pick engines and result dtypes. */

export type Operand = Tensor | number;

/** The dtype a plain number stands for: weakly typed, int → int32, float → fp32 (neuroncore.md §1.11 [SH]). */
export function weakDType(x: Operand): DType {
  return typeof x === 'number' ? (Number.isInteger(x) ? 'int32' : 'float32') : x.dtype;
}

/** Default result dtype of a binary op: NKI type promotion (neuroncore.md §1.11 [SH]). */
export function resultDType(a: Operand, b: Operand): DType {
  return promote(weakDType(a), weakDType(b));
}

const INT32 = new Set<DType>(['int32', 'uint32']);

/**
 * The engine for an ALU op over these tiles: the op's only engine when it has no VectorE form (power → GpSimd), GpSimd
 * for 32-bit integer ops it computes exactly on integer lanes (neuroncore.md §2.1 tensor_tensor), else the default.
 */
export function aluEngine(op: AluOp, tiles: readonly Tensor[], dtype: DType): Engine | undefined {
  const engines: readonly Engine[] = ALU_OPS[op].engines;
  const psum = tiles.some((t) => t.buffer === 'psum');
  if (!engines.includes('vector')) return engines.find((e) => !(psum && e === 'gpsimd')) ?? engines[0];
  const ints = INT32.has(dtype) && tiles.every((t) => INT32.has(t.dtype));
  if (ints && !psum && engines.includes('gpsimd') && INT_EXACT_OPS.has(op)) return 'gpsimd';
  return undefined;
}
