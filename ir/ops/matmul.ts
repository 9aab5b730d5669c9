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

const FP8 = new Set(['float8_e4m3', 'float8_e4m3fn', 'float8_e5m2']);
/** PE array tiles are multiples of 32 rows/columns (neuroncore.md §2.1 nc_matmul tiling mode [IN]). */
export const PE_TILE_QUANTUM = 32;
export const PE_ARRAY = 128;

export type MatmulPerfMode = 'none' | 'doubleRow';

export interface MatmulAttrs {
  /** Add into the destination's current PSUM contents instead of overwriting (an accumulation group). */
  readonly accumulate: boolean;
  /** [row, column] of the PE-array tile this matmul uses (tiling mode); with tileSize. */
  readonly tilePosition?: readonly [number, number];
  /** [rows, columns] of the PE-array tile: rows bound K, columns bound M. */
  readonly tileSize?: readonly [number, number];
  /** Transpose mode: moving is a 0/1 permutation (the identity), and the result is routed bit-exactly. */
  readonly isTranspose?: boolean;
  /** Hints that an fp32 operand holds only 0/1 (2x faster; no effect on values). */
  readonly isStationaryOnezero?: boolean;
  readonly isMovingOnezero?: boolean;
  /** doubleRow: fp8 with K up to 256 laid out [K, 2, ...] (NeuronCore-v3+). */
  readonly perfMode?: MatmulPerfMode;
}

function checkTiling(a: MatmulAttrs, K: number, M: number): void {
  if ((a.tilePosition === undefined) !== (a.tileSize === undefined)) {
    fail('TK0222', 'matmul tiling needs both tilePosition and tileSize (or neither)');
  }
  if (!a.tilePosition || !a.tileSize) return;
  const [r0, c0] = a.tilePosition;
  const [rows, cols] = a.tileSize;
  for (const [v, what] of [
    [r0, 'tilePosition row'],
    [c0, 'tilePosition column'],
    [rows, 'tileSize rows'],
    [cols, 'tileSize columns'],
  ] as const) {
    if (!Number.isInteger(v) || v % PE_TILE_QUANTUM !== 0 || v < 0 || v > PE_ARRAY) {
      fail('TK0222', `matmul ${what} ${v} must be a multiple of 32 within the 128x128 PE array`);
    }
  }
  if (rows === 0 || cols === 0 || r0 + rows > PE_ARRAY || c0 + cols > PE_ARRAY) {
    fail(
      'TK0222',
      `matmul tile at [${r0}, ${c0}] of size [${rows}, ${cols}] does not fit the 128x128 PE array`,
    );
  }
  if (K > rows)
    fail('TK0222', `matmul contraction K=${K} exceeds the tile's ${rows} rows; use a larger tileSize`);
  if (M > cols) fail('TK0222', `matmul stationary free size M=${M} exceeds the tile's ${cols} columns`);
}

/**
 * out[M, N] = stationary[K, M]ᵀ · moving[K, N], SBUF operands, PSUM fp32 result (neuroncore.md §2.1 nc_matmul [IL, IN]).
 * Products of bf16/fp16/fp8 values are exact in fp32; the sum over K rounds to fp32 after each addition.
 * - Tiling (tilePosition/tileSize, multiples of 32, both or neither): the matmul uses a [rows, cols] tile of the PE
 *   array so several small matmuls run side by side; values are unaffected. Generation rules, not checked at trace
 *   time: row tiles of 32 need NeuronCore-v3 (v2 has 2x64), and on v2 rows and cols cannot both be 32.
 * - perfMode 'doubleRow' (fp8 only, NeuronCore-v3+): stationary [K, 2, M], moving [K, 2, N], contraction over
 *   both K and the size-2 dim (k-major), result [M, N]; not with column tiling or transpose mode.
 * - isTranspose: out[m, n] = stationary[k, m] for the k where moving[k, n] = 1 (0 if none): a bit-exact transpose
 *   (NaN/Inf pass through) when moving is the identity; the destination keeps the input dtype (16-bit inputs give
 *   16-bit PSUM; tilekit also stores fp8 as fp8). On NeuronCore-v2 the flag only tags the instruction
 *   (generation rule, not checked).
 * - isStationaryOnezero/isMovingOnezero: performance hints only.
 */
export const ncMatmul = defineOp<MatmulAttrs>({
  summary: 'matrix multiply stationaryᵀ · moving into PSUM (fp32 accumulate)',
  engines: ['tensor'],
  check: ({ ins: [stat, mov], outs: [dst], attrs }) => {
    requireSpace(stat, ['sbuf'], 'matmul stationary');
    requireSpace(mov, ['sbuf'], 'matmul moving');
    requireSpace(dst, ['psum'], 'matmul destination');
    const K = partitions(stat);
    if (partitions(mov) !== K) {
      fail('TK0203', `matmul contraction mismatch: stationary K=${K}, moving K=${partitions(mov)}`);
    }
    const doubleRow = attrs.perfMode === 'doubleRow';
    if (attrs.perfMode !== undefined && attrs.perfMode !== 'none' && !doubleRow) {
      fail('TK0209', `matmul perfMode '${String(attrs.perfMode)}' is not one of none, doubleRow`);
    }
    if (doubleRow) {
      if (!FP8.has(stat.dtype) || !FP8.has(mov.dtype)) {
        fail(
          'TK0223',
          `matmul doubleRow multiplies fp8 only, got ${stat.dtype} and ${mov.dtype}; use perfMode 'none'`,
        );
      }
      for (const [v, what] of [
        [stat, 'stationary'],
        [mov, 'moving'],
      ] as const) {
        if (v.shape.length < 3 || v.shape[1] !== 2) {
          fail(
            'TK0223',
            `matmul doubleRow ${what} must be laid out [K, 2, ...] (K split in two, pad it), got [${v.shape}]`,
          );
        }
      }
      if (attrs.isTranspose) fail('TK0223', 'matmul doubleRow cannot be combined with transpose mode');
      if (attrs.tileSize && attrs.tileSize[1] < PE_ARRAY) {
        fail('TK0223', 'matmul doubleRow cannot be combined with column tiling (tileSize columns < 128)');
      }
    }
    const depth = doubleRow ? 2 : 1;
    const M = elemsPerPartition(stat) / depth;
    const N = elemsPerPartition(mov) / depth;
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
    checkTiling(attrs, K, M);
    if (attrs.isTranspose) {
      if (dst.dtype !== stat.dtype) {
        fail(
          'TK0223',
          `matmul transpose mode keeps the input dtype: destination must be ${stat.dtype}, not ${dst.dtype}`,
        );
      }
      if (attrs.accumulate) fail('TK0223', 'matmul transpose mode cannot accumulate');
    } else if (dst.dtype !== 'float32')
      fail('TK0206', `matmul writes fp32 to PSUM, destination is ${dst.dtype}`);
    if (partitions(dst) !== M || elemsPerPartition(dst) !== N) {
      fail('TK0205', `matmul result is [${M}, ${N}] but the destination is [${dst.shape}]`);
    }
  },
  readsOutputs: (a) => a.accumulate,
  evaluate: ({ ins: [stat, mov], inShapes: [statShape], outs: [out], attrs, kernels }) => {
    const K = statShape[0];
    const depth = attrs.perfMode === 'doubleRow' ? 2 : 1;
    const M = stat.length / K / depth;
    const N = mov.length / K / depth;
    if (attrs.isTranspose) {
      for (let m = 0; m < M; m++) {
        for (let n = 0; n < N; n++) {
          let v = 0;
          for (let k = 0; k < K; k++) {
            if (mov[k * N + n] === 1) {
              v = stat[k * M + m];
              break;
            }
          }
          out[m * N + n] = v;
        }
      }
      return;
    }
    // doubleRow contracts over (k, j) k-major: rows r = k * depth + j of both operands, in order
    (kernels?.matmul ?? matmulRows)(stat, mov, out, K * depth, M, N, attrs.accumulate);
  },
  flops: ([stat, mov], _outs, a) =>
    a.isTranspose
      ? 0
      : 2 *
        partitions(stat) *
        elemsPerPartition(stat) *
        (elemsPerPartition(mov) / (a.perfMode === 'doubleRow' ? 2 : 1)),
  describe: (a) =>
    [
      a.accumulate ? 'accumulate' : '',
      a.tileSize ? `tile=${a.tileSize.join('x')}@${a.tilePosition?.join(',')}` : '',
      a.isTranspose ? 'transpose' : '',
      a.isStationaryOnezero ? 'stationaryOnezero' : '',
      a.isMovingOnezero ? 'movingOnezero' : '',
      a.perfMode === 'doubleRow' ? 'doubleRow' : '',
    ]
      .filter(Boolean)
      .join(' '),
});

/**
 * The reference of ncMatmul's sum (EvalKernels.matmul): out[M, N] (=|+=) stat[R, M]ᵀ · mov[R, N], each product in
 * fp64 (exact for every TensorE input dtype), the running sum rounded to fp32 after each addition, rows in order.
 */
export function matmulRows(
  stat: Float64Array,
  mov: Float64Array,
  out: Float64Array,
  R: number,
  M: number,
  N: number,
  accumulate: boolean,
): void {
  const row = new Float32Array(N);
  for (let m = 0; m < M; m++) {
    row.fill(0);
    for (let r = 0; r < R; r++) {
      const s = stat[r * M + m];
      const base = r * N;
      for (let n = 0; n < N; n++) row[n] += s * mov[base + n];
    }
    const o = m * N;
    if (accumulate) for (let n = 0; n < N; n++) out[o + n] = Math.fround(out[o + n] + row[n]);
    else for (let n = 0; n < N; n++) out[o + n] = row[n];
  }
}

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
