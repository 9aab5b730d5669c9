import type { AluOp } from '../../ir/alu.ts';
import type { DType } from '../../ir/dtypes.ts';
import { freeSize } from '../../ir/types.ts';
import { raise } from '../../tracer/context.ts';
import * as nisa from '../nisa.ts';
import { type InstrOptions, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { broadcastTo } from './broadcast.ts';
import { aluEngine, type Operand, resultDType } from './operand.ts';

function isPartitionVector(t: Tensor, other: Tensor): boolean {
  return freeSize(t.shape) === 1 && freeSize(other.shape) > 1 && t.shape[0] === other.shape[0];
}

/**
 * Elementwise binary op: tile∘tile, tile∘[P, 1] tile (tensorScalar with a vector operand), tile∘number, and a
 * single-partition [1, F] operand broadcast across partitions first (as nl.add does; operators do not).
 */
export function binary(op: AluOp, a: Operand, b: Operand, opts?: InstrOptions, defaultDType?: DType): Tensor {
  if (typeof a === 'number' && typeof b === 'number')
    raise('TK0209', `nl.${op} needs at least one tensor operand`);
  const dtype = opts?.dtype ?? defaultDType ?? resultDType(a, b);
  const tiles = [a, b]
    .filter((x): x is Tensor => typeof x !== 'number')
    .map((t) => tensorArg(t, `${op} operand`));
  const o = { ...opts, dtype, engine: opts?.engine ?? aluEngine(op, tiles, dtype) };
  if (typeof b === 'number') return nisa.tensorScalar(tiles[0], op, b, o);
  if (typeof a === 'number') return nisa.tensorScalar(tiles[0], op, a, { ...o, reverse0: true });
  let [x, y] = tiles;
  if (y.shape[0] === 1 && x.shape[0] > 1) y = broadcastTo(y, [x.shape[0], ...y.shape.slice(1)]);
  else if (x.shape[0] === 1 && y.shape[0] > 1) x = broadcastTo(x, [y.shape[0], ...x.shape.slice(1)]);
  if (isPartitionVector(y, x)) return nisa.tensorScalar(x, op, y, o);
  if (isPartitionVector(x, y)) return nisa.tensorScalar(y, op, x, { ...o, reverse0: true });
  return nisa.tensorTensor(x, y, op, o);
}
