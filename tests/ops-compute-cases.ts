import { type HostArray, hostArray, nisa, type OpName, randomArray, type Tensor } from '../index.ts';
import type { DType } from '../ir/dtypes.ts';

/**
 * Registry-driven cases for the compute ops beyond the core set (run by tests/ops.test.ts on trn1 and trn2). Each
 * expected value comes from an independent host computation written here, not from the op's reference semantics.
 */
export interface ComputeCase {
  readonly name: string;
  readonly op: OpName;
  readonly inputs: readonly HostArray[];
  readonly outShape: readonly number[];
  readonly outDType: DType;
  readonly body: (...tiles: Tensor[]) => Tensor;
  readonly expected: (i: number, x: readonly HostArray[]) => number;
}

const P = 32;
const F = 16;
const f32 = Math.fround;
const r = (shape: number[], dtype: DType, seed: number, lo = -1, hi = 1) =>
  randomArray(shape, dtype, seed, lo, hi);
const row = (i: number, width = F) => Math.floor(i / width);
const col = (i: number, width = F) => i % width;
const arr = (shape: number[], dtype: DType, values: ArrayLike<number>) => hostArray(shape, dtype, values);

/** Compute a whole expected output once per input set. */
function whole(
  fn: (x: readonly HostArray[]) => ArrayLike<number>,
): (i: number, x: readonly HostArray[]) => number {
  const cache = new WeakMap<readonly HostArray[], ArrayLike<number>>();
  return (i, x) => {
    let v = cache.get(x);
    if (!v) cache.set(x, (v = fn(x)));
    return v[i];
  };
}

// ---- an independent xorshift128 / splitmix32 (the generator documented in ir/ops/random.ts) ----
function splitmix(seed: number): number {
  let a = (seed + 0x9e3779b9) | 0;
  a = Math.imul(a ^ (a >>> 16), 0x21f0aaad);
  a = Math.imul(a ^ (a >>> 15), 0x735a2d97);
  return (a ^ (a >>> 15)) >>> 0;
}
export function hostLanes(seed: number, lanes: number): number[][] {
  return Array.from({ length: lanes }, (_, p) => {
    const s = (seed >>> 0) ^ Math.imul(p + 1, 0x85ebca6b);
    return [0, 1, 2, 3].map((k) => splitmix(s + k));
  });
}
export function hostNext(st: number[]): number {
  const [x, y, z, w] = st;
  const t = (x ^ (x << 11)) >>> 0;
  const nw = (w ^ (w >>> 19) ^ t ^ (t >>> 8)) >>> 0;
  st.splice(0, 4, y, z, w, nw);
  return nw;
}
const uniform = (st: number[]) => (hostNext(st) >>> 8) / 2 ** 24;

const identity = (n: number) =>
  arr(
    [n, n],
    'bfloat16',
    Array.from({ length: n * n }, (_, i) => (row(i, n) === col(i, n) ? 1 : 0)),
  );

function fp32Sum(xs: readonly number[]): number {
  return xs.reduce((s, v) => f32(s + v), 0);
}

export const COMPUTE_CASES: ComputeCase[] = [
  {
    name: 'matmul fp32 in a 32x32 PE tile',
    op: 'ncMatmul',
    inputs: [r([P, 8], 'float32', 101), r([P, F], 'float32', 102)],
    outShape: [8, F],
    outDType: 'float32',
    body: (s, m) =>
      nisa.ncMatmul(s, m, { tilePosition: [32, 64], tileSize: [32, 32], isMovingOnezero: true }),
    expected: (i, [s, m]) => {
      let acc = 0;
      for (let k = 0; k < P; k++) acc = f32(acc + s.data[k * 8 + row(i)] * m.data[k * F + col(i)]);
      return acc;
    },
  },
  {
    name: 'matmul fp8 double row (K = 2x32)',
    op: 'ncMatmul',
    inputs: [r([P, 2, 8], 'float8_e4m3', 103), r([P, 2, F], 'float8_e5m2', 104)],
    outShape: [8, F],
    outDType: 'float32',
    body: (s, m) => nisa.ncMatmul(s, m, { perfMode: 'doubleRow' }),
    expected: (i, [s, m]) => {
      let acc = 0;
      for (let k = 0; k < P; k++)
        for (let j = 0; j < 2; j++)
          acc = f32(acc + s.data[(k * 2 + j) * 8 + row(i)] * m.data[(k * 2 + j) * F + col(i)]);
      return acc;
    },
  },
  {
    name: 'matmul transpose mode is bit exact in bf16',
    op: 'ncMatmul',
    inputs: [
      arr(
        [P, F],
        'bfloat16',
        Array.from({ length: P * F }, (_, i) => (i % 7 === 0 ? Number.POSITIVE_INFINITY : i * 0.37 - 40)),
      ),
      identity(P),
    ],
    outShape: [F, P],
    outDType: 'bfloat16',
    body: (s, id) => nisa.ncMatmul(s, id, { isTranspose: true }),
    expected: (i, [s]) => s.data[col(i, P) * F + row(i, P)],
  },
  {
    name: 'activation prelu with a max reduce into the ACT accumulators',
    op: 'activation',
    inputs: [r([P, F], 'float32', 105)],
    outShape: [P, 1],
    outDType: 'float32',
    body: (x) => {
      const res = nisa.memset([P, 1], 0, 'float32');
      nisa.activation('prelu', x, {
        alpha: 0.25,
        reduceRes: res,
        reduceOp: 'maximum',
        reduceCmd: 'resetReduce',
      });
      return res;
    },
    expected: (i, [x]) =>
      Math.max(...Array.from(x.data.slice(i * F, (i + 1) * F), (v) => (v > 0 ? v : f32(0.25 * v)))),
  },
  {
    name: 'activationReduce exp with add',
    op: 'activationReduce',
    inputs: [r([P, F], 'float32', 106)],
    outShape: [P, 1],
    outDType: 'float32',
    body: (x) => {
      const res = nisa.memset([P, 1], 0, 'float32');
      nisa.activationReduce('exp', x, { reduceRes: res, scale: 2 });
      return res;
    },
    expected: (i, [x]) =>
      fp32Sum(Array.from(x.data.slice(i * F, (i + 1) * F), (v) => f32(Math.exp(f32(2 * v))))),
  },
  {
    name: 'tensorTensor bitwiseXor on uint32 bit patterns',
    op: 'tensorTensor',
    inputs: [r([P, F], 'uint32', 107, 0, 2 ** 32), r([P, F], 'uint32', 108, 0, 2 ** 32)],
    outShape: [P, F],
    outDType: 'uint32',
    body: (a, b) => nisa.tensorTensor(a, b, 'bitwiseXor'),
    expected: (i, [a, b]) => (a.data[i] ^ b.data[i]) >>> 0,
  },
  {
    name: 'tensorTensor int32 multiply on GpSimd is exact and wraps',
    op: 'tensorTensor',
    inputs: [r([P, F], 'int32', 109, -(2 ** 30), 2 ** 30), r([P, F], 'int32', 110, -1000, 1000)],
    outShape: [P, F],
    outDType: 'int32',
    body: (a, b) => nisa.tensorTensor(a, b, 'multiply', { engine: 'gpsimd' }),
    expected: (i, [a, b]) => Math.imul(a.data[i], b.data[i]),
  },
  {
    name: 'tensorTensor greaterEqual writes 0/1',
    op: 'tensorTensor',
    inputs: [r([P, F], 'bfloat16', 111), r([P, F], 'bfloat16', 112)],
    outShape: [P, F],
    outDType: 'uint8',
    body: (a, b) => nisa.tensorTensor(a, b, 'greaterEqual', { dtype: 'uint8' }),
    expected: (i, [a, b]) => (a.data[i] >= b.data[i] ? 1 : 0),
  },
  {
    name: 'tensorScalar bitvec leftShift then bitwiseAnd on int16',
    op: 'tensorScalar',
    inputs: [r([P, F], 'int16', 113, -30000, 30000)],
    outShape: [P, F],
    outDType: 'int16',
    body: (x) => nisa.tensorScalar(x, 'leftShift', 3, { op1: 'bitwiseAnd', operand1: 0xfff0 }),
    expected: (i, [x]) => (((x.data[i] << 3) & 0xfff0) << 16) >> 16,
  },
  {
    name: 'tensorScalar (multiply, add) on ScalarE',
    op: 'tensorScalar',
    inputs: [r([P, F], 'float32', 114)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x) => nisa.tensorScalar(x, 'multiply', 3, { op1: 'add', operand1: 0.5, engine: 'scalar' }),
    expected: (i, [x]) => f32(f32(x.data[i] * 3) + 0.5),
  },
  {
    name: 'scalarTensorTensor (x - v) * y with reverse1',
    op: 'scalarTensorTensor',
    inputs: [r([P, F], 'bfloat16', 115), r([P, 1], 'float32', 116), r([P, F], 'bfloat16', 117)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x, v, y) =>
      nisa.scalarTensorTensor(x, 'subtract', v, 'divide', y, { reverse1: true, dtype: 'float32' }),
    expected: (i, [x, v, y]) => f32(y.data[i] / f32(x.data[i] - v.data[row(i)])),
  },
  {
    name: 'tensorScalarReduce multiply then max-reduce',
    op: 'tensorScalarReduce',
    inputs: [r([P, F], 'float32', 118)],
    outShape: [P, 1],
    outDType: 'float32',
    body: (x) => {
      const res = nisa.memset([P, 1], 0, 'float32');
      nisa.tensorScalarReduce(x, 'multiply', -2, { reduceOp: 'maximum', reduceRes: res });
      return res;
    },
    expected: (i, [x]) => Math.max(...Array.from(x.data.slice(i * F, (i + 1) * F), (v) => f32(v * -2))),
  },
  {
    name: 'tensorScalarCumulative add-scan (cumsum of x + 1)',
    op: 'tensorScalarCumulative',
    inputs: [r([P, F], 'float32', 119)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x) => nisa.tensorScalarCumulative(x, 'add', 1, 'add'),
    expected: (i, [x]) => fp32Sum(Array.from(x.data.slice(row(i) * F, i + 1), (v) => f32(v + 1))),
  },
  {
    name: 'tensorTensorScan r = a * r + b from a [P,1] initial',
    op: 'tensorTensorScan',
    inputs: [r([P, F], 'float32', 120), r([P, F], 'float32', 121), r([P, 1], 'float32', 122)],
    outShape: [P, F],
    outDType: 'float32',
    body: (a, b, init) => nisa.tensorTensorScan(a, b, init, 'multiply', 'add'),
    expected: whole(([a, b, init]) => {
      const out = new Float64Array(P * F);
      for (let p = 0; p < P; p++) {
        let acc = init.data[p];
        for (let f = 0; f < F; f++)
          out[p * F + f] = acc = f32(f32(a.data[p * F + f] * acc) + b.data[p * F + f]);
      }
      return out;
    }),
  },
  {
    name: 'tensorReduce bitwiseOr over uint8',
    op: 'tensorReduce',
    inputs: [r([P, F], 'uint8', 123, 0, 256)],
    outShape: [P, 1],
    outDType: 'uint8',
    body: (x) => nisa.tensorReduce('bitwiseOr', x, 1),
    expected: (i, [x]) => Array.from(x.data.slice(i * F, (i + 1) * F)).reduce((s, v) => s | v, 0),
  },
  {
    name: 'tensorPartitionReduce max across partitions',
    op: 'tensorPartitionReduce',
    inputs: [r([P, F], 'float32', 124)],
    outShape: [1, F],
    outDType: 'float32',
    body: (x) => nisa.tensorPartitionReduce('maximum', x),
    expected: (i, [x]) => Math.max(...Array.from({ length: P }, (_, p) => x.data[p * F + i])),
  },
  {
    name: 'tensorCopyPredicated keeps the destination where the predicate is 0',
    op: 'tensorCopyPredicated',
    inputs: [r([P, F], 'float32', 125), r([P, F], 'uint8', 126, 0, 2)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x, pred) => {
      const dst = nisa.memset([P, F], -7, 'float32');
      return nisa.tensorCopyPredicated(dst, x, pred);
    },
    expected: (i, [x, pred]) => (pred.data[i] ? x.data[i] : -7),
  },
  {
    name: 'reciprocal on VectorE',
    op: 'reciprocal',
    inputs: [r([P, F], 'float32', 127, 0.5, 4)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x) => nisa.reciprocal(x),
    expected: (i, [x]) => 1 / x.data[i],
  },
  {
    name: 'affineSelect causal mask (p - f >= 0)',
    op: 'affineSelect',
    inputs: [r([P, F], 'bfloat16', 128)],
    outShape: [P, F],
    outDType: 'bfloat16',
    body: (x) =>
      nisa.affineSelect(x, -9984, { pattern: [[-1, F]], channelMultiplier: 1, cmpOp: 'greaterEqual' }),
    expected: (i, [x]) => (row(i) - col(i) >= 0 ? x.data[i] : -9984),
  },
  {
    name: 'rangeSelect keeps bound0 <= i + 2 < bound1',
    op: 'rangeSelect',
    inputs: [r([P, F], 'float32', 129), r([P, 1], 'float32', 130, 0, 8), r([P, 1], 'float32', 131, 8, 18)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x, b0, b1) =>
      nisa.rangeSelect(x, 'greaterEqual', 'less', b0, b1, { rangeStart: 2, onFalseValue: -1e30 }),
    expected: (i, [x, b0, b1]) => {
      const idx = col(i) + 2;
      return idx >= b0.data[row(i)] && idx < b1.data[row(i)] ? x.data[i] : f32(-1e30);
    },
  },
  {
    name: 'selectReduce with a [P,1] on-false vector and a max reduce',
    op: 'selectReduce',
    inputs: [r([P, F], 'uint8', 132, 0, 2), r([P, F], 'float16', 133), r([P, 1], 'float32', 134)],
    outShape: [P, 1],
    outDType: 'float32',
    body: (pred, x, fv) => {
      const res = nisa.memset([P, 1], 0, 'float32');
      nisa.selectReduce(pred, x, fv, { reduceRes: res, reversePred: true });
      return res;
    },
    expected: (i, [pred, x, fv]) =>
      Math.max(
        ...Array.from({ length: F }, (_, f) => (pred.data[i * F + f] ? fv.data[i] : x.data[i * F + f])),
      ),
  },
  {
    name: 'bnStats even/odd statistics',
    op: 'bnStats',
    inputs: [r([P, 10], 'float32', 135)],
    outShape: [P, 6],
    outDType: 'float32',
    body: (x) => nisa.bnStats(x),
    expected: whole(([x]) => {
      const out: number[] = [];
      for (let p = 0; p < P; p++) {
        for (const start of [0, 1]) {
          const xs = Array.from(x.data.slice(p * 10, p * 10 + 10)).filter((_, k) => k % 2 === start);
          const mean = f32(fp32Sum(xs) / xs.length);
          out.push(xs.length, mean, fp32Sum(xs.map((v) => f32(f32(v - mean) ** 2))));
        }
      }
      return out;
    }),
  },
  {
    name: 'bnAggr of two bnStats outputs equals mean and population variance',
    op: 'bnAggr',
    inputs: [
      arr(
        [P, 4],
        'float32',
        Array.from({ length: P * 4 }, (_, i) => (i % 4) * 0.5 + row(i, 4)),
      ),
    ],
    outShape: [P, 2],
    outDType: 'float32',
    body: (x) => {
      const st = nisa.memset([P, 12], 0, 'float32');
      nisa.bnStats(x.get(':', [0, 2]), { dst: st.get(':', [0, 6]) });
      nisa.bnStats(x.get(':', [2, 4]), { dst: st.get(':', [6, 12]) });
      return nisa.bnAggr(st);
    },
    // Row p holds p, p + 0.5, p + 1, p + 1.5: mean p + 0.75, variance 0.3125 (all exact in fp32).
    expected: (i) => (i % 2 === 0 ? row(i, 2) + 0.75 : 0.3125),
  },
  {
    name: 'dropout with a seeded generator',
    op: 'dropout',
    inputs: [r([P, F], 'float32', 136)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x) => {
      nisa.setRngSeed(1234);
      return nisa.dropout(x, 0.3);
    },
    expected: whole(([x]) => {
      const lanes = hostLanes(1234, 128);
      return Array.from({ length: P * F }, (_, i) => (uniform(lanes[row(i)]) < 0.3 ? 0 : x.data[i]));
    }),
  },
  {
    name: 'rng random bits into uint16 from the default seed',
    op: 'rng',
    inputs: [],
    outShape: [P, F],
    outDType: 'uint16',
    body: () => nisa.rng([P, F], 'uint16'),
    expected: whole(() => {
      const lanes = hostLanes(0, 128);
      return Array.from({ length: P * F }, (_, i) => hostNext(lanes[row(i)]) & 0xffff);
    }),
  },
  {
    name: 'rand2 uniform in [-2, 3)',
    op: 'rand2',
    inputs: [],
    outShape: [P, F],
    outDType: 'float32',
    body: () => {
      nisa.setRngSeed(99);
      return nisa.rand2([P, F], -2, 3);
    },
    expected: whole(() => {
      const lanes = hostLanes(99, 128);
      return Array.from({ length: P * F }, (_, i) => f32(-2 + f32(5 * uniform(lanes[row(i)]))));
    }),
  },
  {
    name: 'setRngSeed from per-partition seeds, read back',
    op: 'setRngSeed',
    inputs: [
      arr(
        [P, 1],
        'int32',
        Array.from({ length: P }, (_, p) => p * 1000 + 1),
      ),
    ],
    outShape: [P, 4],
    outDType: 'uint32',
    body: (seeds) => {
      nisa.setRngSeed(seeds);
      return nisa.randGetState(P);
    },
    expected: (i) => hostLanes((row(i, 4) * 1000 + 1) >>> 0, P)[row(i, 4)][col(i, 4)],
  },
  {
    name: 'randGetState after two draws',
    op: 'randGetState',
    inputs: [],
    outShape: [P, 4],
    outDType: 'uint32',
    body: () => {
      nisa.setRngSeed(5);
      nisa.rng([P, 2], 'uint32');
      return nisa.randGetState(P);
    },
    expected: whole(() => {
      const lanes = hostLanes(5, P);
      for (const st of lanes) for (let k = 0; k < 2; k++) hostNext(st);
      return lanes.flat();
    }),
  },
  {
    name: 'randSetState then rng continues from the loaded state',
    op: 'randSetState',
    inputs: [r([P, 4], 'uint32', 137, 1, 2 ** 32)],
    outShape: [P, 3],
    outDType: 'uint32',
    body: (st) => {
      nisa.randSetState(st);
      return nisa.rng([P, 3], 'uint32');
    },
    expected: whole(([st]) => {
      const out: number[] = [];
      for (let p = 0; p < P; p++) {
        const lane = Array.from(st.data.slice(p * 4, p * 4 + 4));
        for (let k = 0; k < 3; k++) out.push(hostNext(lane));
      }
      return out;
    }),
  },
  {
    name: 'max8 descending',
    op: 'max8',
    inputs: [r([P, 40], 'bfloat16', 138)],
    outShape: [P, 8],
    outDType: 'bfloat16',
    body: (x) => nisa.max8(x),
    expected: (i, [x]) =>
      Array.from(x.data.slice(row(i, 8) * 40, row(i, 8) * 40 + 40)).sort((a, b) => b - a)[col(i, 8)],
  },
  {
    name: 'ncFindIndex8 finds values, duplicates pair with successive matches, misses give all ones',
    op: 'ncFindIndex8',
    inputs: [
      arr(
        [P, F],
        'float32',
        Array.from({ length: P * F }, (_, i) => col(i) % 5),
      ),
      arr(
        [P, 8],
        'float32',
        Array.from({ length: P * 8 }, (_, i) => [3, 1, 1, 9, 0, 4, 1, 2][col(i, 8)]),
      ),
    ],
    outShape: [P, 8],
    outDType: 'uint32',
    // Each row is 0 1 2 3 4 0 1 2 3 4 0 1 2 3 4 0: value 1 sits at 1, 6, 11.
    body: (d, v) => nisa.ncFindIndex8(d, v),
    expected: (i) => [3, 1, 6, 0xffffffff, 0, 4, 11, 2][col(i, 8)],
  },
  {
    name: 'ncMatchReplace8 with duplicate values',
    op: 'ncMatchReplace8',
    inputs: [
      arr(
        [P, 11],
        'float32',
        Array.from({ length: P * 11 }, (_, i) => [1, 2, 3, 4, 8, 8, 8, 8, 8, 8, 8][col(i, 11)]),
      ),
      arr(
        [P, 8],
        'float32',
        Array.from({ length: P * 8 }, (_, i) => [3, 8, 8, 8, 8, 8, 8, 8][col(i, 8)]),
      ),
    ],
    outShape: [P, 8],
    outDType: 'uint32',
    body: (d, v) => {
      const idx = nisa.memset([P, 8], 0, 'uint32');
      nisa.ncMatchReplace8(d, v, -1, { dstIdx: idx });
      return idx;
    },
    // neuroncore.md §2.1 [IN] example: dst_idx = [2, 10, 9, 8, 7, 6, 5, 4].
    expected: (i) => [2, 10, 9, 8, 7, 6, 5, 4][col(i, 8)],
  },
  {
    name: 'localGather within 16-partition groups, 2 elements per index',
    op: 'localGather',
    inputs: [r([P, 8], 'float32', 139), r([P, 2], 'uint16', 140, 0, 127)],
    outShape: [P, 4],
    outDType: 'float32',
    body: (src, idx) => nisa.localGather(src, idx, { numElemPerIdx: 2 }),
    expected: (i, [src, idx]) => {
      const p = row(i, 4);
      const k = idx.data[p * 2 + Math.floor(col(i, 4) / 2)] + (col(i, 4) % 2);
      const base = Math.floor(p / 16) * 16;
      return src.data[(base + Math.floor(k / 8)) * 8 + (k % 8)];
    },
  },
  {
    name: 'ncNGather per-partition take',
    op: 'ncNGather',
    inputs: [r([P, F], 'float32', 141), r([P, 5], 'uint32', 142, 0, F)],
    outShape: [P, 5],
    outDType: 'float32',
    body: (d, idx) => nisa.ncNGather(d, idx),
    expected: (i, [d, idx]) => d.data[row(i, 5) * F + idx.data[i]],
  },
  {
    name: 'ncStreamShuffle reverses a quadrant, 255 keeps',
    op: 'ncStreamShuffle',
    inputs: [r([P, F], 'float32', 143)],
    outShape: [P, F],
    outDType: 'float32',
    body: (x) => {
      const dst = nisa.memset([P, F], 5, 'float32');
      return nisa.ncStreamShuffle(
        dst,
        x,
        Array.from({ length: 32 }, (_, i) => (i % 3 === 0 ? 255 : 31 - i)),
      );
    },
    expected: (i, [x]) => (row(i) % 3 === 0 ? 5 : x.data[(31 - row(i)) * F + col(i)]),
  },
  {
    name: 'nonzeroWithCount on partitions 0 and 16',
    op: 'nonzeroWithCount',
    inputs: [r([P, F], 'int32', 144, -1, 2)],
    outShape: [P, F + 1],
    outDType: 'int32',
    body: (x) => nisa.nonzeroWithCount(x, { dst: nisa.memset([P, F + 1], 7, 'int32'), indexOffset: 100 }),
    expected: whole(([x]) => {
      const out: number[] = [];
      for (let p = 0; p < P; p++) {
        if (p % 16 !== 0) {
          out.push(...new Array(F + 1).fill(7));
          continue;
        }
        const nz = Array.from({ length: F }, (_, f) => f).filter((f) => x.data[p * F + f] !== 0);
        out.push(...nz.map((f) => f + 100), ...new Array(F - nz.length).fill(-1), nz.length);
      }
      return out;
    }),
  },
  {
    name: 'sequenceBounds with padding',
    op: 'sequenceBounds',
    inputs: [arr([1, 10], 'int32', [1, 1, 2, 2, 2, 0, 3, 0, 0, 4])],
    outShape: [1, 2, 10],
    outDType: 'int32',
    body: (ids) => nisa.sequenceBounds(ids),
    expected: (i) => [0, 0, 2, 2, 2, 10, 6, 10, 10, 9, 2, 2, 5, 5, 5, -1, 7, -1, -1, 10][i],
  },
];
