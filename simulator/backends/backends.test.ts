import { describe, expect, it } from 'vitest';
import type { PhysAccess, ProgInstr } from '../../codegen/program.ts';
import { type HostArray, kernel, nisa, nl, randomArray, rng, run, type Tensor } from '../../index.ts';
import { applyAlu } from '../../ir/alu.ts';
import { f32FromBits } from '../../ir/dtypes/float-codec.ts';
import { DTYPE_NAMES, DTYPES, type DType, isFloat } from '../../ir/dtypes.ts';
import type { EvalKernels } from '../../ir/op-def.ts';
import { matmulRows } from '../../ir/ops/matmul.ts';
import { COMPUTE_CASES } from '../../tests/ops-compute-cases.ts';
import { DMA_CASES } from '../../tests/ops-dma-cases.ts';
import { trn1 } from '../chips/trn1.ts';
import { executeInstr } from '../execute.ts';
import { Memories } from '../memory.ts';
import { BACKENDS, type BackendName, type ComputeBackend, resolveBackend } from './index.ts';
import { WasmSession, wasmPages } from './wasm/session.ts';
import { ThreadPool } from './wasm/threads.ts';

/**
 * Every backend must give the bytes of the js reference: codecs and copies on every bit pattern (8/16-bit formats)
 * or on random and special patterns (32-bit), matmuls of every input dtype with values that take each kernel path,
 * and the registry's compute and DMA op cases run end to end.
 */
const OTHERS = (['wasm', 'gpujs'] as const).filter((b) => BACKENDS[b].unavailable() === undefined);
const ALL: BackendName[] = ['js', ...OTHERS];

const SBUF_PITCH = 16384;
const PSUM_PITCH = 2048;
const HBM = 1 << 18;

function memories(backend: BackendName): Memories {
  return new Memories(trn1, HBM, { sbuf: SBUF_PITCH, psum: PSUM_PITCH }, backend);
}

/** Memories of each backend holding the same bytes. */
function sameMemories(fill: (m: Memories) => void): Map<BackendName, Memories> {
  const ref = memories('js');
  fill(ref);
  const out = new Map<BackendName, Memories>();
  for (const b of ALL) {
    const m = memories(b);
    m.hbm.set(ref.hbm);
    m.sbuf.set(ref.sbuf);
    m.psum.set(ref.psum);
    out.set(b, m);
  }
  return out;
}

function access(
  space: 'hbm' | 'sbuf' | 'psum',
  dtype: DType,
  partitions: number,
  byteOffset: number,
  dims: [number, number][],
  startPartition = 0,
): PhysAccess {
  const shape = [partitions, ...dims.map(([, n]) => n)];
  return {
    space,
    dtype,
    elemBytes: DTYPES[dtype].bytes,
    startPartition,
    partitions,
    byteOffset,
    dims,
    shape: space === 'hbm' ? dims.map(([, n]) => n) : shape,
  };
}

function instr(op: ProgInstr['op'], ins: PhysAccess[], outs: PhysAccess[], attrs: unknown): ProgInstr {
  return {
    id: 0,
    op,
    engine: op === 'dmaCopy' ? 'dma' : op === 'ncMatmul' ? 'tensor' : 'vector',
    queue: op === 'dmaCopy' ? 'dma0' : op === 'ncMatmul' ? 'tensor' : 'vector',
    index: 0,
    ins,
    outs,
    attrs,
    waits: [],
    chained: false,
    loc: { file: 'backends.test.ts', line: 1, column: 1 },
  };
}

function expectSameBytes(mems: Map<BackendName, Memories>, space: 'hbm' | 'sbuf' | 'psum'): void {
  const ref = mems.get('js')!.space(space);
  for (const b of OTHERS) {
    const got = mems.get(b)!.space(space);
    const i = got.findIndex((v, k) => v !== ref[k]);
    expect(i, `${b} differs from js in ${space} at byte ${i}`).toBe(-1);
  }
}

/** Bit patterns to test a dtype with: all of them up to 16 bits, else specials and random patterns. */
function patterns(dtype: DType, random = 20000): Uint8Array {
  const bytes = DTYPES[dtype].bytes;
  if (bytes <= 2) {
    const n = 1 << (8 * bytes);
    const out = new Uint8Array(n * bytes);
    for (let p = 0; p < n; p++) {
      out[p * bytes] = p & 0xff;
      if (bytes === 2) out[p * bytes + 1] = p >>> 8;
    }
    return out;
  }
  const special = [
    0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffffffff, 0x7f800001, 0x00000001, 0x807fffff,
    0x7f7fffff, 0x00800000, 0x3f800000, 0x00001fff, 0x7fffe000, 0x7fffefff,
  ];
  const r = rng(7);
  const words = new Uint32Array(special.length + random);
  words.set(special);
  for (let i = special.length; i < words.length; i++) words[i] = Math.floor(r() * 2 ** 32);
  return new Uint8Array(words.buffer);
}

/** fp64 values to encode: specials, values near every format's rounding boundaries, random doubles. */
function valuesToEncode(): Float64Array {
  const r = rng(11);
  const out: number[] = [
    0,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0.5,
    1.5,
    2.5,
    -2.5,
  ];
  out.push(
    65504,
    65520,
    240,
    248,
    448,
    464,
    57344,
    61440,
    2 ** -24,
    2 ** -25,
    2 ** -149,
    1e-45,
    3.4e38,
    3.5e38,
  );
  out.push(2147483647.5, -2147483648.5, 4294967295.5, 127.5, -128.5, 255.5, 32767.5, 65535.5, 0.49999999);
  for (let i = 0; i < 4000; i++) {
    out.push((r() - 0.5) * 2 ** Math.floor(r() * 80 - 40));
    out.push(f32FromBits(Math.floor(r() * 2 ** 32)));
    out.push(Math.round((r() - 0.5) * 2 ** 33) + (r() < 0.5 ? 0.5 : 0));
  }
  return Float64Array.from(out);
}

describe('codecs', () => {
  it.each(DTYPE_NAMES)('%s: operand reads and writes match the JS codecs', (dtype) => {
    const bytes = DTYPES[dtype].bytes;
    const pats = patterns(dtype);
    const n = pats.length / bytes;
    const mems = sameMemories((m) => m.hbm.set(pats));
    // strided read: every other element, then the rest
    const a = access('hbm', dtype, 1, 0, [[1, n]]);
    const reads = ALL.map((b) => mems.get(b)!.read(a));
    // toEqual: NaN equals NaN, -0 does not equal 0
    for (const got of reads.slice(1)) expect(Array.from(got)).toEqual(Array.from(reads[0]));
    const values = valuesToEncode();
    const w = access('hbm', dtype, 1, 4096, [[2, values.length]]);
    for (const m of mems.values()) m.write(w, values);
    expectSameBytes(mems, 'hbm');
  });
});

describe('moves', () => {
  it.each(DTYPE_NAMES)(
    '%s: a DMA of every pattern (contiguous and strided) matches decode + encode',
    (dtype) => {
      const bytes = DTYPES[dtype].bytes;
      const pats = patterns(dtype);
      const n = pats.length / bytes;
      const P = 64;
      const per = Math.floor(n / P / 2) * 2;
      const mems = sameMemories((m) => m.hbm.set(pats));
      const dmas = [
        instr(
          'dmaCopy',
          [
            access('hbm', dtype, 1, 0, [
              [per, P],
              [1, per],
            ]),
          ],
          [access('sbuf', dtype, P, 0, [[1, per]])],
          {},
        ),
        // every other element into a transposed-ish layout
        instr(
          'dmaCopy',
          [
            access('hbm', dtype, 1, 0, [
              [per, P],
              [2, per / 2],
            ]),
          ],
          [access('sbuf', dtype, P / 2, per * bytes + 64, [[1, per]])],
          {},
        ),
      ];
      for (const m of mems.values()) for (const d of dmas) executeInstr(m, d);
      expectSameBytes(mems, 'sbuf');
    },
  );

  it.each(DTYPE_NAMES.filter(isFloat))(
    'tensorCopy from %s to every float dtype matches decode + encode',
    (src) => {
      const sb = DTYPES[src].bytes;
      const pats = patterns(src, 4096);
      const P = 64;
      const cols = Math.floor(pats.length / sb / P);
      const mems = sameMemories((m) => {
        for (let p = 0; p < P; p++)
          m.sbuf.set(pats.subarray(p * cols * sb, (p + 1) * cols * sb), p * SBUF_PITCH);
      });
      for (const dst of DTYPE_NAMES.filter(isFloat)) {
        // destination: every other element of each partition
        const ins = instr(
          'tensorCopy',
          [access('sbuf', src, P, 0, [[1, cols]])],
          [access('sbuf', dst, P, 4096, [[2, cols]])],
          {},
        );
        for (const m of mems.values()) executeInstr(m, ins);
        expectSameBytes(mems, 'sbuf');
      }
    },
  );
});

type ValueKind = 'uniform' | 'wide' | 'special';

function matmulValues(dtype: DType, n: number, kind: ValueKind, seed: number): Float64Array {
  const r = rng(seed);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (kind === 'uniform') v[i] = r() * 2 - 1;
    else if (kind === 'wide') v[i] = (r() - 0.5) * 2 ** Math.floor(r() * 250 - 125);
    else {
      const c = r();
      v[i] =
        c < 0.02
          ? Number.NaN
          : c < 0.04
            ? Number.POSITIVE_INFINITY
            : c < 0.06
              ? -0
              : c < 0.1
                ? 2 ** -140
                : c < 0.12
                  ? 3e38
                  : r() * 2 - 1;
    }
  }
  void dtype;
  return v;
}

interface MatmulCase {
  readonly dtypes: readonly [DType, DType];
  readonly K: number;
  readonly M: number;
  readonly N: number;
  readonly values: ValueKind;
  readonly accumulate: boolean;
  readonly doubleRow?: boolean;
  /** Read the stationary operand with stride 2 (not whole rows: the contiguous-scratch path). */
  readonly strided?: boolean;
}

const MATMULS: MatmulCase[] = [
  { dtypes: ['bfloat16', 'bfloat16'], K: 128, M: 128, N: 512, values: 'uniform', accumulate: true },
  { dtypes: ['bfloat16', 'bfloat16'], K: 96, M: 60, N: 100, values: 'uniform', accumulate: false },
  { dtypes: ['bfloat16', 'bfloat16'], K: 64, M: 32, N: 64, values: 'wide', accumulate: true },
  { dtypes: ['bfloat16', 'bfloat16'], K: 64, M: 32, N: 64, values: 'special', accumulate: true },
  {
    dtypes: ['float16', 'float16'],
    K: 128,
    M: 16,
    N: 256,
    values: 'uniform',
    accumulate: true,
    strided: true,
  },
  { dtypes: ['float16', 'float16'], K: 32, M: 8, N: 40, values: 'wide', accumulate: false },
  { dtypes: ['float32', 'float32'], K: 128, M: 64, N: 128, values: 'uniform', accumulate: true },
  { dtypes: ['float32', 'float32'], K: 64, M: 12, N: 36, values: 'special', accumulate: true, strided: true },
  { dtypes: ['tfloat32', 'float32'], K: 32, M: 32, N: 64, values: 'uniform', accumulate: false },
  { dtypes: ['float8_e4m3', 'float8_e5m2'], K: 64, M: 24, N: 72, values: 'uniform', accumulate: true },
  {
    dtypes: ['float8_e4m3', 'float8_e4m3fn'],
    K: 64,
    M: 16,
    N: 64,
    values: 'special',
    accumulate: false,
    doubleRow: true,
  },
];

function matmulCase(c: MatmulCase): { mems: Map<BackendName, Memories>; ins: ProgInstr } {
  const [sd, md] = c.dtypes;
  const depth = c.doubleRow ? 2 : 1;
  const sStride = c.strided ? 2 : 1;
  const statDims: [number, number][] = c.doubleRow
    ? [
        [c.M, 2],
        [1, c.M],
      ]
    : [[sStride, c.M]];
  const movDims: [number, number][] = c.doubleRow
    ? [
        [c.N, 2],
        [1, c.N],
      ]
    : [[1, c.N]];
  const movOffset = 4096;
  const stat = access('sbuf', sd, c.K, 0, statDims);
  const mov = access('sbuf', md, c.K, movOffset, movDims);
  const out = access('psum', 'float32', c.M, 0, [[1, c.N]]);
  const mems = sameMemories((m) => {
    const s = access('sbuf', sd, c.K, 0, [[1, c.M * depth * sStride]]);
    m.write(s, matmulValues(sd, c.K * c.M * depth * sStride, c.values, 1));
    m.write(
      access('sbuf', md, c.K, movOffset, [[1, c.N * depth]]),
      matmulValues(md, c.K * c.N * depth, c.values, 2),
    );
    m.write(out, matmulValues('float32', c.M * c.N, c.values === 'wide' ? 'uniform' : c.values, 3));
  });
  const ins = instr('ncMatmul', [stat, mov], [out], {
    accumulate: c.accumulate,
    perfMode: c.doubleRow ? 'doubleRow' : undefined,
  });
  return { mems, ins };
}

describe('matmul', () => {
  it.each(
    MATMULS.map(
      (c) =>
        [
          `${c.dtypes.join(' x ')} K=${c.K} M=${c.M} N=${c.N} ${c.values}${c.accumulate ? ' accumulate' : ''}${c.doubleRow ? ' doubleRow' : ''}${c.strided ? ' strided' : ''}`,
          c,
        ] as const,
    ),
  )('%s: PSUM bytes match the reference', (_name, c) => {
    const { mems, ins } = matmulCase(c);
    for (const m of mems.values()) executeInstr(m, ins);
    expectSameBytes(mems, 'psum');
  });

  it('a PSUM destination that is not whole rows goes through the scratch and matches', () => {
    const c = MATMULS[0];
    const { mems } = matmulCase(c);
    // the destination as 2 partitions of 128 columns x 4: rows of the result fold into one PSUM row
    const stat = access('sbuf', 'bfloat16', 128, 0, [[1, 8]]);
    const mov = access('sbuf', 'bfloat16', 128, 4096, [[1, 64]]);
    const out = access('psum', 'float32', 2, 0, [
      [64, 4],
      [1, 64],
    ]);
    const ins = instr('ncMatmul', [stat, mov], [{ ...out, shape: [8, 64] }], { accumulate: true });
    for (const m of mems.values()) executeInstr(m, ins);
    expectSameBytes(mems, 'psum');
  });

  it.each(OTHERS)('%s: EvalKernels.matmul on fp64 arrays equals the reference loop', (b) => {
    const session = resolveBackend(b).session({ hbm: 64, sbuf: 64, psum: 64 });
    const mm = session.kernels.matmul as NonNullable<EvalKernels['matmul']>;
    for (const kind of ['uniform', 'wide', 'special'] as const) {
      const [R, M, N] = [48, 20, 36];
      const stat = Float64Array.from(matmulValues('float32', R * M, kind, 5), Math.fround);
      const mov = Float64Array.from(matmulValues('float32', R * N, kind, 6), Math.fround);
      const init = Float64Array.from(matmulValues('float32', M * N, 'uniform', 7), Math.fround);
      const want = init.slice();
      matmulRows(stat, mov, want, R, M, N, true);
      const got = init.slice();
      mm(stat, mov, got, R, M, N, true);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });

  it('worker threads give the single-threaded bytes', () => {
    const pool = new ThreadPool(1);
    let threaded: WasmSession | undefined;
    const backend = (threads?: ThreadPool): ComputeBackend => ({
      name: 'wasm',
      unavailable: () => undefined,
      session(sizes) {
        const s = new WasmSession(sizes, wasmPages(sizes)!, { threads });
        if (threads) threaded = s;
        return s;
      },
    });
    const c = MATMULS[0];
    const { mems, ins } = matmulCase(c);
    const src = mems.get('js')!;
    const once = (m: Memories) => {
      m.sbuf.set(src.sbuf);
      m.psum.set(src.psum);
      executeInstr(m, ins);
      return Buffer.from(m.psum);
    };
    const layout = [trn1, HBM, { sbuf: SBUF_PITCH, psum: PSUM_PITCH }] as const;
    const want = once(new Memories(...layout, backend()));
    const m = new Memories(...layout, backend(pool));
    // the worker starts asynchronously: repeat until it has taken part (its results are the same either way)
    const ready = () => (threaded as unknown as { ctl: Int32Array } | undefined)?.ctl[11] === 1;
    const deadline = Date.now() + 5000;
    do expect(Buffer.compare(once(m), want)).toBe(0);
    while (!ready() && Date.now() < deadline);
    expect(ready()).toBe(true);
    expect(Buffer.compare(once(m), want)).toBe(0);
  });
});

describe('binary ALU kernel', () => {
  it.each(OTHERS)('%s: add/subtract/multiply/divide/maximum/minimum round as applyAlu', (b) => {
    const session = resolveBackend(b).session({ hbm: 64, sbuf: 64, psum: 64 });
    const bin = session.kernels.binary!;
    const v = valuesToEncode();
    const a = v.slice();
    const c = v.slice().reverse();
    for (const op of bin.ops) {
      const got = new Float64Array(v.length);
      bin.run(op, a, c, got);
      const want = Array.from(a, (x, i) => applyAlu(op, x, c[i]));
      expect(Array.from(got), op).toEqual(want);
    }
  });
});

describe('registry op cases on every backend', () => {
  const P = 32;
  const F = 16;
  const r = (shape: number[], dtype: DType, seed: number): HostArray => randomArray(shape, dtype, seed);
  const core = [
    {
      name: 'matmul bf16 accumulate over two k tiles',
      inputs: [r([P, 2 * 8], 'bfloat16', 1), r([P, 2 * F], 'bfloat16', 2)],
      outShape: [8, F],
      outDType: 'float32' as DType,
      body: (s: Tensor, m: Tensor) => {
        const acc = nl.ndarray([8, F], 'float32', { buffer: nl.psum });
        nisa.ncMatmul(s.get(':', [0, 8]), m.get(':', [0, F]), { dst: acc, accumulate: false });
        nisa.ncMatmul(s.get(':', [8, 16]), m.get(':', [F, 2 * F]), { dst: acc, accumulate: true });
        return acc;
      },
    },
    {
      name: 'tensorTensor subtract and maximum',
      inputs: [r([P, F], 'bfloat16', 7), r([P, F], 'float32', 8)],
      outShape: [P, F],
      outDType: 'float32' as DType,
      body: (a: Tensor, b: Tensor) => nisa.tensorTensor(nisa.tensorTensor(a, b, 'subtract'), b, 'maximum'),
    },
    {
      name: 'tensorScalar reverse divide then add a [P,1] vector',
      inputs: [r([P, F], 'float32', 11), r([P, 1], 'float32', 12)],
      outShape: [P, F],
      outDType: 'bfloat16' as DType,
      body: (x: Tensor, v: Tensor) =>
        nisa.tensorScalar(x, 'divide', 3, { reverse0: true, op1: 'add', operand1: v, dtype: 'bfloat16' }),
    },
    {
      name: 'tensorCopy fp32 to fp8',
      inputs: [r([P, F], 'float32', 15)],
      outShape: [P, F],
      outDType: 'float8_e4m3' as DType,
      body: (x: Tensor) => nisa.tensorCopy(x, { dtype: 'float8_e4m3' }),
    },
  ];
  const cases = [...core, ...COMPUTE_CASES, ...DMA_CASES];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const k = kernel(
      (...hbm: Tensor[]) => {
        const out = nl.ndarray(c.outShape, c.outDType, { buffer: nl.sharedHbm });
        const tiles = hbm.map((t) => nl.load(t));
        let res = (c.body as (...t: Tensor[]) => Tensor)(...tiles);
        if (res.buffer === 'psum') res = nisa.tensorCopy(res, { dtype: c.outDType });
        nl.store(out, res);
        return out;
      },
      { name: 'case' },
    );
    const bytes = ALL.map((b) => run(k, c.inputs, { backend: b }).outputBytes[0]);
    for (let i = 1; i < ALL.length; i++) {
      expect(Buffer.compare(Buffer.from(bytes[i]), Buffer.from(bytes[0])), ALL[i]).toBe(0);
    }
  });
});

describe('backend selection', () => {
  it('takes a name, else TILEKIT_BACKEND, else wasm', () => {
    const prev = process.env.TILEKIT_BACKEND;
    try {
      delete process.env.TILEKIT_BACKEND;
      expect(resolveBackend().name).toBe('wasm');
      expect(resolveBackend('js').name).toBe('js');
      process.env.TILEKIT_BACKEND = 'js';
      expect(resolveBackend().name).toBe('js');
      expect(resolveBackend('wasm').name).toBe('wasm');
      process.env.TILEKIT_BACKEND = 'cuda';
      expect(() => resolveBackend()).toThrow("unknown tilekit backend 'cuda' (from TILEKIT_BACKEND)");
    } finally {
      if (prev === undefined) delete process.env.TILEKIT_BACKEND;
      else process.env.TILEKIT_BACKEND = prev;
    }
  });

  it('memories live in the backend', () => {
    expect(memories('wasm').session.backend).toBe('wasm');
    expect(memories('js').session.backend).toBe('js');
  });
});
