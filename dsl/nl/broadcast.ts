import type { DType } from '../../ir/dtypes.ts';
import { MATMUL_LIMITS } from '../../ir/ops/matmul.ts';
import { freeSize } from '../../ir/types.ts';
import { raise } from '../../tracer/context.ts';
import { allocate } from '../alloc.ts';
import * as nisa from '../nisa.ts';
import { tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';
import { aluEngine } from './operand.ts';

/** TensorE takes these as they are; other dtypes are widened to fp32 (exact for |v| < 2^24) for the broadcast. */
const PE_DTYPES = new Set<DType>([
  'float8_e4m3',
  'float8_e4m3fn',
  'float8_e5m2',
  'bfloat16',
  'float16',
  'float32',
]);

/**
 * Broadcast a tile to `shape`: a single partition [1, ...] to P partitions as a TensorE matmul with a ones row
 * (onesᵀ · x, exact: one product per element; integer tiles go through fp32, exact for |v| < 2^24), as NKI does
 * (neuroncore.md §2.5 broadcast_to [LL]); a [P, 1] column along the free dims by multiplying a ones tile. Dims follow
 * numpy rules with equal rank: each is 1 or the target.
 */
export function broadcastTo(x: Tensor, shape: readonly number[], opts?: { name?: string }): Tensor {
  let t = tensorArg(x, 'broadcastTo operand');
  const ok =
    shape.length === t.shape.length &&
    t.shape.every((n, d) => n === shape[d] || n === 1) &&
    shape.length >= 2;
  const fromFree = freeSize(t.shape);
  const toFree = freeSize(shape);
  if (!ok || (fromFree !== 1 && fromFree !== toFree)) {
    raise(
      'TK0269',
      `cannot broadcast [${t.shape}] to [${shape}]: use equal rank, with a [1, ...] partition dim and/or a single free element`,
    );
  }
  const P = shape[0];
  if (t.shape[0] === 1 && P > 1) t = partitionBroadcast(t, P);
  if (fromFree === 1 && toFree > 1) {
    const ones = nisa.memset([P, toFree], 1, t.dtype);
    const engine = aluEngine('multiply', [ones, t], t.dtype);
    t = nisa.tensorScalar(ones, 'multiply', t, { dtype: t.dtype, engine, name: opts?.name ?? 'broadcast' });
  }
  return t.reshape(shape);
}

/** [1, F] → [P, F] on TensorE: out[p, f] = Σ_k ones[k, p] · x[k, f] with K = 1, in chunks of the moving-free limit. */
function partitionBroadcast(x: Tensor, P: number): Tensor {
  const F = freeSize(x.shape);
  const flat = x.reshape([1, F]);
  const native = PE_DTYPES.has(x.dtype);
  const moving = native ? flat : nisa.tensorCopy(flat, { dtype: 'float32' });
  const onesType: DType = moving.dtype === 'float32' ? 'float32' : 'bfloat16';
  const ones = nisa.memset([1, P], 1, onesType);
  const out = allocate([P, F], x.dtype, 'sbuf', 'broadcast');
  for (let f0 = 0; f0 < F; f0 += MATMUL_LIMITS.movingFree) {
    const n = Math.min(MATMUL_LIMITS.movingFree, F - f0);
    const part = nisa.ncMatmul(ones, moving.get(':', [f0, f0 + n]), { accumulate: false });
    nisa.tensorCopy(part, { dst: out.get(':', [f0, f0 + n]) });
  }
  return out;
}
