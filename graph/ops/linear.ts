/** MatMul (numpy semantics) and Gemm (alpha · A' · B' + beta · C). */
import { broadcastIndex, broadcastShapes, mapBroadcast, transposeArray } from '../ndarray.ts';
import type { NDArray, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import { defineGraphOp, inType, isFloatType, opFail } from './op-def.ts';

/** Output shape of numpy matmul; 1-D operands are promoted and the added dim removed. */
export function matmulShape(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0 || b.length === 0) opFail('TK0805', 'MatMul operands must have rank >= 1');
  const A = a.length === 1 ? [1, a[0]] : a;
  const B = b.length === 1 ? [b[0], 1] : b;
  const K = A[A.length - 1];
  if (B[B.length - 2] !== K)
    opFail('TK0805', `MatMul contraction mismatch: [${a}] · [${b}] (K = ${K} vs ${B[B.length - 2]})`);
  const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2));
  if (!batch) opFail('TK0805', `MatMul batch dims of [${a}] and [${b}] do not broadcast`);
  const out = [...batch, A[A.length - 2], B[B.length - 1]];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.splice(out.length - 1, 1);
  return out;
}

/** numpy matmul in fp64. */
export function matmulArray(x: NDArray, y: NDArray, outShape: readonly number[], dtype = x.dtype): NDArray {
  const A = x.shape.length === 1 ? [1, x.shape[0]] : x.shape;
  const B = y.shape.length === 1 ? [y.shape[0], 1] : y.shape;
  const M = A[A.length - 2];
  const K = A[A.length - 1];
  const N = B[B.length - 1];
  const batch = broadcastShapes(A.slice(0, -2), B.slice(0, -2))!;
  const ia = broadcastIndex(A.slice(0, -2), batch);
  const ib = broadcastIndex(B.slice(0, -2), batch);
  const nb = numelOf(batch);
  const data = new Float64Array(nb * M * N);
  for (let bi = 0; bi < nb; bi++) {
    const ao = ia[bi] * M * K;
    const bo = ib[bi] * K * N;
    const oo = bi * M * N;
    for (let m = 0; m < M; m++) {
      for (let k = 0; k < K; k++) {
        const s = x.data[ao + m * K + k];
        if (s === 0) continue;
        for (let n = 0; n < N; n++) data[oo + m * N + n] += s * y.data[bo + k * N + n];
      }
    }
  }
  return Object.freeze({ shape: Object.freeze([...outShape]), dtype, data });
}

export const MatMul = defineGraphOp({
  summary: 'numpy matmul (batch dims broadcast)',
  arity: [2, 2],
  fusion: 'anchor',
  infer: (a): StaticType[] => {
    const x = inType(a, 0);
    const y = inType(a, 1);
    if (x.dtype !== y.dtype) opFail('TK0805', `MatMul operands have dtypes ${x.dtype} and ${y.dtype}`);
    if (!isFloatType(x.dtype)) opFail('TK0805', `MatMul of ${x.dtype} is not supported (float only)`);
    return [{ shape: matmulShape(x.shape, y.shape), dtype: x.dtype }];
  },
  evaluate: ({ inputs: [x, y], outputTypes }) => [matmulArray(x!, y!, outputTypes[0].shape)],
});

export const Gemm = defineGraphOp({
  summary: 'alpha · A′ · B′ + beta · C with A′, B′ optionally transposed (2-D)',
  arity: [2, 3],
  fusion: 'anchor',
  infer: (a) => {
    const x = inType(a, 0);
    const y = inType(a, 1);
    if (x.shape.length !== 2 || y.shape.length !== 2)
      opFail('TK0805', `Gemm needs 2-D A and B, got [${x.shape}] and [${y.shape}]`);
    const [M, K] = a.attrs.int('transA', 0) ? [x.shape[1], x.shape[0]] : x.shape;
    const [K2, N] = a.attrs.int('transB', 0) ? [y.shape[1], y.shape[0]] : y.shape;
    if (K !== K2) opFail('TK0805', `Gemm contraction mismatch: A′ [${M}, ${K}] · B′ [${K2}, ${N}]`);
    const c = a.inputs[2];
    if (c && !broadcastShapes(c.shape, [M, N]))
      opFail('TK0805', `Gemm C [${c.shape}] does not broadcast to [${M}, ${N}]`);
    return [{ shape: [M, N], dtype: x.dtype }];
  },
  evaluate: ({ inputs: [x, y, c], attrs, outputTypes }) => {
    const A = attrs.int('transA', 0) ? transposeArray(x!, [1, 0]) : x!;
    const B = attrs.int('transB', 0) ? transposeArray(y!, [1, 0]) : y!;
    const out = outputTypes[0];
    const ab = matmulArray(A, B, out.shape);
    const alpha = attrs.float('alpha', 1);
    const beta = attrs.float('beta', 1);
    if (!c) return [mapBroadcast([ab], out.dtype, (v) => alpha * v)];
    return [mapBroadcast([ab, c], out.dtype, (v, w) => alpha * v + beta * w)];
  },
});
