import { defineOp, fail } from '../op-def.ts';
import { elemsPerPartition, partitions, requireSpace } from './checks.ts';

/** TensorE tile limits (neuroncore.md §1.4 TC#3, §5.4 rule 4 [PL, PT, IL]). */
export const MATMUL_LIMITS = { contraction: 128, stationaryFree: 128, movingFree: 512 } as const;

const FP32_CLASS = new Set(['float32', 'tfloat32']);
const MATMUL_IN_DTYPES = new Set([
  'float8_e4m3',
  'float8_e4m3fn',
  'float8_e5m2',
  'bfloat16',
  'float16',
  'tfloat32',
  'float32',
]);

export interface MatmulAttrs {
  /** Add into the destination's current PSUM contents instead of overwriting (an accumulation group). */
  readonly accumulate: boolean;
}

/**
 * out[M, N] = stationary[K, M]ᵀ · moving[K, N], SBUF operands, PSUM fp32 result (neuroncore.md §2.1 nc_matmul [IL]).
 * Products of bf16/fp16/fp8 values are exact in fp32; the sum over K rounds to fp32 after each addition.
 */
export const ncMatmul = defineOp<MatmulAttrs>({
  summary: 'matrix multiply stationaryᵀ · moving into PSUM (fp32 accumulate)',
  engines: ['tensor'],
  check: ({ ins: [stat, mov], outs: [dst] }) => {
    requireSpace(stat, ['sbuf'], 'matmul stationary');
    requireSpace(mov, ['sbuf'], 'matmul moving');
    requireSpace(dst, ['psum'], 'matmul destination');
    const K = partitions(stat);
    if (partitions(mov) !== K) {
      fail('TK0203', `matmul contraction mismatch: stationary K=${K}, moving K=${partitions(mov)}`);
    }
    const M = elemsPerPartition(stat);
    const N = elemsPerPartition(mov);
    if (M > MATMUL_LIMITS.stationaryFree) {
      fail(
        'TK0204',
        `matmul stationary free size ${M} exceeds ${MATMUL_LIMITS.stationaryFree}; split M into tiles`,
      );
    }
    if (N > MATMUL_LIMITS.movingFree) {
      fail('TK0204', `matmul moving free size ${N} exceeds ${MATMUL_LIMITS.movingFree}; split N into tiles`);
    }
    for (const [v, what] of [
      [stat, 'stationary'],
      [mov, 'moving'],
    ] as const) {
      if (!MATMUL_IN_DTYPES.has(v.dtype))
        fail('TK0206', `matmul ${what} dtype ${v.dtype} is not supported by TensorE`);
    }
    if (FP32_CLASS.has(stat.dtype) !== FP32_CLASS.has(mov.dtype)) {
      fail(
        'TK0206',
        `matmul operands ${stat.dtype} and ${mov.dtype}: fp32/tf32 can only be multiplied with fp32/tf32`,
      );
    }
    if (dst.dtype !== 'float32') fail('TK0206', `matmul writes fp32 to PSUM, destination is ${dst.dtype}`);
    if (partitions(dst) !== M || elemsPerPartition(dst) !== N) {
      fail('TK0205', `matmul result is [${M}, ${N}] but the destination is [${dst.shape}]`);
    }
  },
  readsOutputs: (a) => a.accumulate,
  evaluate: ({ ins: [stat, mov], inShapes: [statShape, movShape], outs: [out], attrs }) => {
    const K = statShape[0];
    const M = stat.length / K;
    const N = mov.length / movShape[0];
    const row = new Float32Array(N);
    for (let m = 0; m < M; m++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const s = stat[k * M + m];
        const base = k * N;
        for (let n = 0; n < N; n++) row[n] += s * mov[base + n];
      }
      const o = m * N;
      if (attrs.accumulate) for (let n = 0; n < N; n++) out[o + n] = Math.fround(out[o + n] + row[n]);
      else for (let n = 0; n < N; n++) out[o + n] = row[n];
    }
  },
  flops: ([stat, mov]) => 2 * partitions(stat) * elemsPerPartition(stat) * elemsPerPartition(mov),
  describe: (a) => (a.accumulate ? 'accumulate' : ''),
});

/** VectorE transposes within 32x32 blocks (neuroncore.md §2.1 nc_transpose, §3.4 [A1]). */
export const VECTOR_TRANSPOSE_MAX = 32;

/** Swap the partition and (flattened) free axes (neuroncore.md §2.1 nc_transpose [IL]). */
export const ncTranspose = defineOp<Record<string, never>>({
  summary: 'transpose partition and free axes (TensorE up to 128x128 into PSUM; VectorE up to 32x32)',
  engines: ['tensor', 'vector'],
  check: ({ ins: [src], outs: [dst], engine }) => {
    const P = partitions(src);
    const F = elemsPerPartition(src);
    if (engine === 'tensor') {
      requireSpace(src, ['sbuf'], 'TensorE transpose source');
      requireSpace(dst, ['psum'], 'TensorE transpose destination');
      if (F > MATMUL_LIMITS.contraction) {
        fail(
          'TK0204',
          `TensorE transpose free size ${F} exceeds ${MATMUL_LIMITS.contraction} (it becomes the partition dim)`,
        );
      }
    } else if (engine === 'vector') {
      if (P > VECTOR_TRANSPOSE_MAX || F > VECTOR_TRANSPOSE_MAX) {
        fail('TK0204', `VectorE transpose is limited to 32x32, got [${P}, ${F}]; use engine 'tensor'`);
      }
    } else {
      fail('TK0208', `ncTranspose runs on the tensor or vector engine, not ${engine}`);
    }
    if (partitions(dst) !== F || elemsPerPartition(dst) !== P) {
      fail('TK0205', `transpose of [${P}, ${F}] is [${F}, ${P}] but the destination is [${dst.shape}]`);
    }
  },
  evaluate: ({ ins: [src], inShapes: [shape], outs: [out] }) => {
    const P = shape[0];
    const F = src.length / P;
    for (let p = 0; p < P; p++) for (let f = 0; f < F; f++) out[f * P + p] = src[p * F + f];
  },
  flops: () => 0,
});
