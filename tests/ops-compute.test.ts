// biome-ignore-all lint/complexity/noCommaOperator: `(w.line = at()), call()` keeps the recorded line on the line of the call that must fail
import { describe, expect, it } from 'vitest';
import {
  compile,
  getChip,
  type HostArray,
  hostArray,
  KernelError,
  kernel,
  nisa,
  nl,
  randomArray,
  run,
  type Tensor,
  type TensorSpec,
} from '../index.ts';
import { ACTIVATIONS, type ActivationInfo } from '../ir/activation.ts';
import { ALU_OPS, applyAlu, wrapToDType } from '../ir/alu.ts';
import type { DType } from '../ir/dtypes.ts';
import { COSTS } from '../simulator/timing/cost.ts';
import { COMPUTE_CASES, hostLanes, hostNext } from './ops-compute-cases.ts';

const f32 = Math.fround;

/** Run a one-output kernel whose body gets the inputs loaded into SBUF. */
function runBody(
  inputs: readonly HostArray[],
  outShape: readonly number[],
  outDType: DType,
  body: (...tiles: Tensor[]) => Tensor,
  chip = 'trn2',
): number[] {
  const k = kernel((...hbm: Tensor[]) => {
    const out = nl.ndarray(outShape, outDType, { buffer: nl.sharedHbm });
    let res = body(...hbm.map((t) => nl.load(t)));
    if (res.buffer === 'psum') res = nisa.tensorCopy(res, { dtype: outDType });
    nl.store(out, res);
    return out;
  });
  return Array.from(run(k, inputs, { chip }).outputs[0].data);
}

/** The caller's line in this file plus `offset` (put it on, or `offset` lines above, the call that must fail). */
function at(offset = 0): number {
  const line = new Error().stack?.split('\n')[2] ?? '';
  return Number(/:(\d+):\d+\)?$/.exec(line)?.[1]) + offset;
}

/** Trace a body that must fail with `code` at the line recorded in `where.line`. */
function expectTraceError(
  specs: readonly TensorSpec[],
  body: (where: { line: number }, ...tiles: Tensor[]) => unknown,
  code: string,
): KernelError {
  const where = { line: 0 };
  const k = kernel((...hbm: Tensor[]) => {
    body(where, ...hbm.map((t) => nl.load(t)));
    const out = nl.ndarray([1, 1], 'float32', { buffer: nl.sharedHbm });
    nl.store(out, nisa.memset([1, 1], 0, 'float32'));
    return out;
  });
  let err: unknown;
  try {
    k.trace(specs);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(KernelError);
  const e = err as KernelError;
  expect(e.code, e.message).toBe(code);
  expect(e.loc?.file.endsWith('tests/ops-compute.test.ts')).toBe(true);
  expect(e.loc?.line).toBe(where.line);
  return e;
}

const t = (shape: number[], dtype: DType = 'float32'): TensorSpec => ({ shape, dtype });

describe('ALU semantics', () => {
  it.each([
    // op, x, y, out dtype, expected
    ['bitwiseAnd', 0xffffffff, 0x0f0f0f0f, 'uint32', 0x0f0f0f0f],
    ['bitwiseOr', 0x80000000, 1, 'uint32', 0x80000001],
    ['bitwiseXor', -1, 0x0000ffff, 'int32', -65536],
    ['invert', 5, 0, 'uint8', 250],
    ['invert', 5, 0, 'int8', -6],
    ['leftShift', 1, 31, 'uint32', 0x80000000],
    ['leftShift', 1, 32, 'uint32', 0],
    ['leftShift', 0x81, 1, 'uint8', 2],
    ['rightShift', 0x80000000, 31, 'uint32', 1],
    ['rightShift', -16, 2, 'int32', 0x3ffffffc],
    ['rightShift', -16, 2, 'int8', -4],
  ] as const)('%s(%d, %d) as %s = %d', (op, x, y, dtype, want) => {
    expect(wrapToDType(dtype, applyAlu(op, x, y))).toBe(want);
  });

  it('arithmetic rounds inputs and results to fp32; GpSimd integer mode is exact and wraps', () => {
    expect(applyAlu('add', 16777217, 0)).toBe(16777216);
    expect(applyAlu('add', 16777217, 0, true)).toBe(16777217);
    expect(applyAlu('multiply', 2 ** 30, 4, true)).toBe(0);
    expect(applyAlu('subtract', -(2 ** 31), 1, true)).toBe(2 ** 31 - 1);
    expect(applyAlu('divide', 1, 3)).toBe(f32(1 / 3));
  });

  it('compare and logical ops give exactly 0 or 1; unary ops ignore the second operand', () => {
    expect([applyAlu('greater', 2, 1), applyAlu('lessEqual', 2, 1), applyAlu('notEqual', 0.5, 0.5)]).toEqual([
      1, 0, 0,
    ]);
    expect([
      applyAlu('logicalXor', 3, 0),
      applyAlu('logicalAnd', 3, 0),
      applyAlu('logicalNot', 0, 9),
    ]).toEqual([1, 0, 1]);
    expect([applyAlu('rsqrt', 4, 99), applyAlu('abs', -2, 99), applyAlu('reciprocal', 4, 0)]).toEqual([
      0.5, 2, 0.25,
    ]);
  });

  it('every §2.3 class is present with its engines', () => {
    expect(ALU_OPS.power.engines).toEqual(['gpsimd']);
    expect(ALU_OPS.bitwiseAnd.engines).toEqual(['vector']);
    expect(ALU_OPS.rsqrt.engines).toContain('scalar');
    const reducible = Object.entries(ALU_OPS)
      .filter(([, i]) => i.reducible)
      .map(([k]) => k);
    expect(reducible).not.toContain('equal');
    expect(reducible).toEqual(expect.arrayContaining(['bitwiseXor', 'logicalOr', 'subtract']));
  });
});

describe('activation functions (§2.4)', () => {
  it('lists every function of §2.4', () => {
    const names = [
      'copy',
      'square',
      'sigmoid',
      'relu',
      'prelu',
      'gelu',
      'geluDx',
      'geluApprxTanh',
      'geluApprxSigmoid',
      'geluApprxSigmoidDx',
      'silu',
      'siluDx',
      'tanh',
      'softplus',
      'mish',
      'erf',
      'erfDx',
      'exp',
      'log',
      'sin',
      'arctan',
      'sqrt',
      'rsqrt',
      'reciprocal',
      'sign',
      'abs',
    ];
    expect(Object.keys(ACTIVATIONS)).toEqual(expect.arrayContaining(names));
  });

  it('prelu uses alpha; derivative functions match finite differences', () => {
    expect(ACTIVATIONS.prelu.fn(-2, 0.1)).toBeCloseTo(-0.2, 12);
    expect(ACTIVATIONS.prelu.fn(3, 0.1)).toBe(3);
    const h = 1e-5;
    for (const [fn, dx] of [
      ['geluApprxSigmoid', 'geluApprxSigmoidDx'],
      ['gelu', 'geluDx'],
      ['silu', 'siluDx'],
      ['erf', 'erfDx'],
    ] as const) {
      for (const x of [-2, -0.3, 0.7, 1.9]) {
        const f: ActivationInfo = ACTIVATIONS[fn];
        const d: ActivationInfo = ACTIVATIONS[dx];
        const num = (f.fn(x + h, 0) - f.fn(x - h, 0)) / (2 * h);
        expect(d.fn(x, 0)).toBeCloseTo(num, 6);
      }
    }
  });

  it('scale and bias vectors, and an ACT accumulator chain over two chunks (resetReduce then reduce)', () => {
    const x = randomArray([4, 8], 'float32', 1);
    const got = runBody([x, hostArray([4, 1], 'float32', [1, 2, 3, 4])], [4, 1], 'float32', (xs, s) => {
      const res = nisa.memset([4, 1], 0, 'float32');
      nisa.activation('copy', xs.get(':', [0, 4]), { scale: s, reduceCmd: 'resetReduce' });
      nisa.activation('copy', xs.get(':', [4, 8]), { scale: s, reduceCmd: 'reduce', reduceRes: res });
      return res;
    });
    const want = [0, 1, 2, 3].map((p) =>
      Array.from(x.data.slice(p * 8, p * 8 + 8)).reduce((a, v) => f32(a + f32(v * (p + 1))), 0),
    );
    expect(got).toEqual(want);
  });
});

describe('semantic tables', () => {
  it('tensorScalarCumulative loadReduce starts from imm1; max keeps a running maximum', () => {
    const x = hostArray([1, 6], 'float32', [3, -1, 4, 1, -5, 9]);
    expect(
      runBody([x], [1, 6], 'float32', (v) =>
        nisa.tensorScalarCumulative(v, 'multiply', 2, 'add', { reduceCmd: 'loadReduce', imm1: 100 }),
      ),
    ).toEqual([106, 104, 112, 114, 104, 122]);
    expect(
      runBody([x], [1, 6], 'float32', (v) => nisa.tensorScalarCumulative(v, 'add', 0, 'maximum')),
    ).toEqual([3, 3, 4, 4, 4, 9]);
  });

  it('tensorTensorScan with reverse flags: r = b - (r - a)', () => {
    const a = hostArray([1, 4], 'float32', [1, 2, 3, 4]);
    const b = hostArray([1, 4], 'float32', [10, 20, 30, 40]);
    // op0 subtract reversed: r - a; op1 subtract reversed: b - (r - a). r0 = 5.
    const got = runBody([a, b], [1, 4], 'float32', (x, y) =>
      nisa.tensorTensorScan(x, y, 5, 'subtract', 'subtract', { reverse0: true, reverse1: true }),
    );
    expect(got).toEqual([6, 16, 17, 27]);
  });

  it('bnStats of [1, 2, 3, 4] and bnAggr of it', () => {
    const x = hostArray([1, 4], 'float32', [1, 2, 3, 4]);
    expect(runBody([x], [1, 6], 'float32', (v) => nisa.bnStats(v))).toEqual([2, 2, 2, 2, 3, 2]);
    expect(runBody([x], [1, 2], 'float32', (v) => nisa.bnAggr(nisa.bnStats(v)))).toEqual([2.5, 1.25]);
  });

  it('matmul transpose mode passes NaN and Inf through bit-exactly', () => {
    const s = hostArray([2, 3], 'float32', [Number.NaN, 1, Number.NEGATIVE_INFINITY, 2, 3, 4]);
    const id = hostArray([2, 2], 'float32', [1, 0, 0, 1]);
    const got = runBody([s, id], [3, 2], 'float32', (a, b) => nisa.ncMatmul(a, b, { isTranspose: true }));
    expect(got).toEqual([Number.NaN, 2, 1, 3, Number.NEGATIVE_INFINITY, 4]);
  });

  it('affineSelect defaults to cmpOp equal (a diagonal) and tensorPartitionReduce bitwiseAnd', () => {
    const x = hostArray([3, 3], 'float32', [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(
      runBody([x], [3, 3], 'float32', (v) =>
        nisa.affineSelect(v, 0, { channelMultiplier: 1, pattern: [[-1, 3]] }),
      ),
    ).toEqual([1, 0, 0, 0, 5, 0, 0, 0, 9]);
    const m = hostArray([3, 2], 'uint16', [0xff, 0xf0f0, 0x0f, 0xffff, 0x3c, 0x00ff]);
    expect(runBody([m], [1, 2], 'uint16', (v) => nisa.tensorPartitionReduce('bitwiseAnd', v))).toEqual([
      0x0c, 0x00f0,
    ]);
  });

  it('max8 and ncFindIndex8 report misses with all ones in uint16', () => {
    const x = hostArray([1, 10], 'float32', [5, 1, 9, 3, 7, 2, 8, 0, 6, 4]);
    expect(runBody([x], [1, 8], 'float32', (v) => nisa.max8(v))).toEqual([9, 8, 7, 6, 5, 4, 3, 2]);
    const vals = hostArray([1, 8], 'float32', [9, 42, 0, 5, 5, 4, 1, 3]);
    expect(
      runBody([x, vals], [1, 8], 'uint16', (v, w) => nisa.ncFindIndex8(v, w, { dtype: 'uint16' })),
    ).toEqual([2, 0xffff, 7, 0, 0xffff, 9, 1, 3]);
  });
});

describe('random numbers', () => {
  const draw = (seed: number) =>
    runBody([], [4, 8], 'uint32', () => {
      nisa.setRngSeed(seed);
      return nisa.rng([4, 8], 'uint32');
    });

  it('are deterministic per seed and differ across seeds and partitions', () => {
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    const rows = draw(3);
    expect(rows.slice(0, 8)).not.toEqual(rows.slice(8, 16));
    const lanes = hostLanes(3, 4);
    expect(rows[9]).toBe((hostNext(lanes[1]), hostNext(lanes[1])));
  });

  it('dropout with prob 0 keeps everything, prob 1 drops everything; rand2 stays in range', () => {
    const x = randomArray([8, 16], 'float32', 2, 1, 2);
    expect(runBody([x], [8, 16], 'float32', (v) => nisa.dropout(v, 0))).toEqual(Array.from(x.data));
    expect(runBody([x], [8, 16], 'float32', (v) => nisa.dropout(v, 1))).toEqual(new Array(128).fill(0));
    const u = runBody([], [8, 64], 'float32', () => nisa.rand2([8, 64], 2, 2.5));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...u)).toBeLessThan(2.5);
  });

  it('successive instructions continue the stream, also across affine loop iterations', () => {
    const k = kernel(() => {
      const out = nl.ndarray([2, 8], 'uint32', { buffer: nl.sharedHbm });
      for (const i of nl.affineRange(2)) nl.store(out.get([i, i + 1], ':'), nisa.rng([1, 8], 'uint32'));
      return out;
    });
    const got = Array.from(run(k, []).outputs[0].data);
    const lane = hostLanes(0, 1)[0];
    expect(got).toEqual(Array.from({ length: 16 }, () => hostNext(lane)));
  });
});

describe('timing rules', () => {
  /** Cycles of the first `op` instruction of a one-matmul kernel on `chip`. */
  function matmulCycles(
    chip: string,
    specs: TensorSpec[],
    opts: Parameters<typeof nisa.ncMatmul>[2],
  ): number {
    const k = kernel((a: Tensor, b: Tensor) => {
      const out = nl.ndarray([1, 1], 'float32', { buffer: nl.sharedHbm });
      const r = nisa.ncMatmul(nl.load(a), nl.load(b), opts);
      nl.store(out, nisa.tensorCopy(r.get([0, 1], [0, 1])));
      return out;
    });
    const c = getChip(chip);
    const p = compile(k.trace(specs), c);
    const mm = p.instrs.find((i) => i.op === 'ncMatmul');
    if (!mm || COSTS.ncMatmul.kind !== 'engine') throw new Error('no matmul');
    return COSTS.ncMatmul.cycles(mm, c);
  }

  it('fp32 runs at a quarter rate; onezero halves it; transpose mode halves it on trn2 only', () => {
    const bf = matmulCycles('trn1', [t([128, 128], 'bfloat16'), t([128, 512], 'bfloat16')], {});
    const fp = matmulCycles('trn1', [t([128, 128]), t([128, 512])], {});
    expect(fp).toBe(4 * bf);
    expect(matmulCycles('trn1', [t([128, 128]), t([128, 512])], { isMovingOnezero: true })).toBe(2 * bf);
    const sq = [t([128, 128]), t([128, 128])];
    expect(matmulCycles('trn2', sq, { isTranspose: true })).toBe(matmulCycles('trn2', sq, {}) / 2);
    expect(matmulCycles('trn1', sq, { isTranspose: true })).toBe(matmulCycles('trn1', sq, {}));
  });

  it('double row does 2x K in the cycles of K; a quarter-array tile charges a quarter', () => {
    const bf = matmulCycles('trn2', [t([128, 128], 'bfloat16'), t([128, 512], 'bfloat16')], {});
    const dr = matmulCycles('trn2', [t([128, 2, 128], 'float8_e4m3'), t([128, 2, 512], 'float8_e5m2')], {
      perfMode: 'doubleRow',
    });
    expect(dr).toBe(bf);
    const tiled = matmulCycles('trn2', [t([64, 64], 'bfloat16'), t([64, 512], 'bfloat16')], {
      tilePosition: [0, 64],
      tileSize: [64, 64],
    });
    expect(tiled).toBe(bf / 4);
  });
});

describe('every new op has a cost rule', () => {
  it.each(['trn1', 'trn2'])('%s: each case compiles to instructions with finite positive cycles', (name) => {
    const chip = getChip(name);
    for (const c of COMPUTE_CASES) {
      const k = kernel((...hbm: Tensor[]) => {
        const out = nl.ndarray(c.outShape, c.outDType, { buffer: nl.sharedHbm });
        let res = c.body(...hbm.map((h) => nl.load(h)));
        if (res.buffer === 'psum') res = nisa.tensorCopy(res, { dtype: c.outDType });
        nl.store(out, res);
        return out;
      });
      const p = compile(k.trace(c.inputs), chip);
      const own = p.instrs.filter((i) => i.op === c.op);
      expect(own.length, c.name).toBeGreaterThan(0);
      for (const i of own) {
        const rule = COSTS[i.op];
        if (rule.kind !== 'engine') continue;
        const cycles = rule.cycles(i, chip);
        expect(Number.isFinite(cycles) && cycles > 0, `${c.name}: ${cycles}`).toBe(true);
      }
    }
  });

  it('reciprocal costs 8N on VectorE and N on ScalarE; bnAggr 13N/3', () => {
    const chip = getChip('trn1');
    const cyclesOf = (body: (x: Tensor) => Tensor, shape: number[]) => {
      const k = kernel((a: Tensor) => {
        const out = nl.ndarray([1, 1], 'float32', { buffer: nl.sharedHbm });
        const r = body(nl.load(a));
        nl.store(out, nisa.tensorCopy(r.get([0, 1], [0, 1])));
        return out;
      });
      const p = compile(k.trace([t(shape)]), chip);
      const i = p.instrs[1];
      const rule = COSTS[i.op];
      if (rule.kind !== 'engine') throw new Error('dma');
      return rule.cycles(i, chip);
    };
    expect(cyclesOf((x) => nisa.reciprocal(x), [128, 512])).toBe(8 * 512);
    expect(cyclesOf((x) => nisa.reciprocal(x, { engine: 'scalar' }), [128, 512])).toBe(512);
    expect(cyclesOf((x) => nisa.bnAggr(x), [128, 600])).toBe(2600);
  });
});

describe('invalid uses point at the user line with a stable code', () => {
  const x = t([32, 16]);
  const cases: [string, string, readonly TensorSpec[], (w: { line: number }, ...a: Tensor[]) => unknown][] = [
    [
      'ncMatmul tiling without tileSize',
      'TK0222',
      [t([32, 8]), x],
      (w, s, m) => ((w.line = at()), nisa.ncMatmul(s, m, { tilePosition: [0, 0] })),
    ],
    [
      'ncMatmul tile not a multiple of 32',
      'TK0222',
      [t([32, 8]), x],
      (w, s, m) => ((w.line = at()), nisa.ncMatmul(s, m, { tilePosition: [0, 0], tileSize: [48, 64] })),
    ],
    [
      'ncMatmul doubleRow on bf16',
      'TK0223',
      [t([32, 2, 8], 'bfloat16'), t([32, 2, 16], 'bfloat16')],
      (w, s, m) => ((w.line = at()), nisa.ncMatmul(s, m, { perfMode: 'doubleRow' })),
    ],
    [
      'ncMatmul doubleRow without the size-2 dim',
      'TK0223',
      [t([32, 8], 'float8_e4m3'), t([32, 16], 'float8_e4m3')],
      (w, s, m) => ((w.line = at()), nisa.ncMatmul(s, m, { perfMode: 'doubleRow' })),
    ],
    [
      'ncMatmul transpose into fp32 from bf16',
      'TK0223',
      [t([32, 8], 'bfloat16'), t([32, 32], 'bfloat16')],
      (w, s, m) => {
        const dst = nl.ndarray([8, 32], 'float32', { buffer: nl.psum });
        w.line = at(1);
        nisa.ncMatmul(s, m, { isTranspose: true, dst });
      },
    ],
    [
      'activation prelu without alpha',
      'TK0209',
      [x],
      (w, a) => ((w.line = at()), nisa.activation('prelu', a)),
    ],
    [
      'activation int bias vector',
      'TK0206',
      [x, t([32, 1], 'int32')],
      (w, a, b) => ((w.line = at()), nisa.activation('exp', a, { bias: b })),
    ],
    [
      'activation reduce with a compare op',
      'TK0209',
      [x, t([32, 1])],
      (w, a, r) => ((w.line = at()), nisa.activation('exp', a, { reduceRes: r, reduceOp: 'equal' })),
    ],
    [
      'activationReduce result not [P,1]',
      'TK0205',
      [x, t([32, 2])],
      (w, a, r) => ((w.line = at()), nisa.activationReduce('exp', a, { reduceRes: r })),
    ],
    [
      'tensorTensor bitvec on floats',
      'TK0220',
      [x, x],
      (w, a, b) => ((w.line = at()), nisa.tensorTensor(a, b, 'bitwiseAnd')),
    ],
    [
      'tensorTensor power on VectorE',
      'TK0208',
      [x, x],
      (w, a, b) => ((w.line = at()), nisa.tensorTensor(a, b, 'power')),
    ],
    [
      'tensorTensor unary op',
      'TK0209',
      [x, x],
      (w, a, b) => ((w.line = at()), nisa.tensorTensor(a, b, 'abs')),
    ],
    [
      'tensorScalar mixes bitvec and arithmetic',
      'TK0221',
      [t([32, 16], 'int32')],
      (w, a) => ((w.line = at()), nisa.tensorScalar(a, 'bitwiseAnd', 3, { op1: 'add', operand1: 1 })),
    ],
    [
      'tensorScalar subtract on ScalarE',
      'TK0208',
      [x],
      (w, a) => ((w.line = at()), nisa.tensorScalar(a, 'subtract', 3, { engine: 'scalar' })),
    ],
    [
      'scalarTensorTensor operands both in PSUM',
      'TK0207',
      [t([32, 16])],
      (w, a) => {
        const p = nisa.tensorCopy(a, { dst: nl.ndarray([32, 16], 'float32', { buffer: nl.psum }) });
        w.line = at(1);
        nisa.scalarTensorTensor(p, 'add', 1, 'multiply', p);
      },
    ],
    [
      'tensorScalarReduce with a bitvec op',
      'TK0209',
      [t([32, 16], 'int32'), t([32, 1])],
      (w, a, r) => ((w.line = at()), nisa.tensorScalarReduce(a, 'bitwiseOr', 1, { reduceRes: r })),
    ],
    [
      'tensorScalarCumulative on int32',
      'TK0206',
      [t([32, 16], 'int32')],
      (w, a) => ((w.line = at()), nisa.tensorScalarCumulative(a, 'add', 1, 'add')),
    ],
    [
      'tensorScalarCumulative loadReduce without imm1',
      'TK0209',
      [x],
      (w, a) => (
        (w.line = at()), nisa.tensorScalarCumulative(a, 'add', 1, 'add', { reduceCmd: 'loadReduce' })
      ),
    ],
    [
      'tensorTensorScan with a compare op',
      'TK0209',
      [x, x],
      (w, a, b) => ((w.line = at()), nisa.tensorTensorScan(a, b, 0, 'greater', 'add')),
    ],
    [
      'tensorReduce negate on bitvec',
      'TK0209',
      [t([32, 16], 'int32')],
      (w, a) => ((w.line = at()), nisa.tensorReduce('bitwiseOr', a, 1, { negate: true })),
    ],
    [
      'tensorPartitionReduce with multiply',
      'TK0209',
      [x],
      (w, a) => ((w.line = at()), nisa.tensorPartitionReduce('multiply', a)),
    ],
    [
      'tensorCopyPredicated with a float predicate',
      'TK0206',
      [x, x],
      (w, a, p) => ((w.line = at()), nisa.tensorCopyPredicated(a, a, p)),
    ],
    [
      'reciprocal on GpSimd',
      'TK0208',
      [x],
      (w, a) => ((w.line = at()), nisa.reciprocal(a, { engine: 'gpsimd' })),
    ],
    [
      'affineSelect on int32',
      'TK0206',
      [t([32, 16], 'int32')],
      (w, a) => ((w.line = at()), nisa.affineSelect(a, 0)),
    ],
    [
      'rangeSelect with a bf16 bound',
      'TK0206',
      [x, t([32, 1], 'bfloat16'), t([32, 1])],
      (w, a, b0, b1) => ((w.line = at()), nisa.rangeSelect(a, 'less', 'less', b0, b1)),
    ],
    [
      'rangeSelect index beyond 2^24',
      'TK0225',
      [x, t([32, 1]), t([32, 1])],
      (w, a, b0, b1) => (
        (w.line = at()), nisa.rangeSelect(a, 'less', 'less', b0, b1, { rangeStart: 2 ** 24 })
      ),
    ],
    [
      'selectReduce with a float predicate',
      'TK0206',
      [x, x],
      (w, p, a) => ((w.line = at()), nisa.selectReduce(p, a, 0)),
    ],
    ['bnStats over 512 elements', 'TK0106', [t([32, 513])], (w, a) => ((w.line = at()), nisa.bnStats(a))],
    ['bnAggr of a non-multiple of 3', 'TK0205', [t([32, 7])], (w, a) => ((w.line = at()), nisa.bnAggr(a))],
    [
      'dropout of int data into a float tile',
      'TK0206',
      [t([32, 16], 'int16')],
      (w, a) => ((w.line = at()), nisa.dropout(a, 0.5, { dtype: 'float32' })),
    ],
    ['rng into a float tile', 'TK0206', [], (w) => ((w.line = at()), nisa.rng([32, 16], 'float32'))],
    ['rand2 with min >= max', 'TK0225', [], (w) => ((w.line = at()), nisa.rand2([32, 16], 1, 1))],
    [
      'setRngSeed with a [P,2] seed tile',
      'TK0205',
      [t([32, 2], 'int32')],
      (w, s) => ((w.line = at()), nisa.setRngSeed(s)),
    ],
    [
      'randGetState into int32',
      'TK0206',
      [],
      (w) => ((w.line = at()), nisa.randGetState(32, { dst: nl.ndarray([32, 4], 'int32') })),
    ],
    [
      'randSetState from a [P,3] tile',
      'TK0205',
      [t([32, 3], 'uint32')],
      (w, s) => ((w.line = at()), nisa.randSetState(s)),
    ],
    ['max8 over fewer than 8 elements', 'TK0225', [t([32, 4])], (w, a) => ((w.line = at()), nisa.max8(a))],
    ['max8 over 16385 elements', 'TK0106', [t([2, 16385])], (w, a) => ((w.line = at()), nisa.max8(a))],
    [
      'ncFindIndex8 into float32',
      'TK0206',
      [x, t([32, 8])],
      (w, a, v) => ((w.line = at()), nisa.ncFindIndex8(a, v, { dtype: 'float32' })),
    ],
    [
      'ncMatchReplace8 with 4 values',
      'TK0205',
      [x, t([32, 4])],
      (w, a, v) => ((w.line = at()), nisa.ncMatchReplace8(a, v, 0)),
    ],
    [
      'localGather on 24 partitions',
      'TK0224',
      [t([24, 8]), t([24, 2], 'uint16')],
      (w, s, i) => ((w.line = at()), nisa.localGather(s, i)),
    ],
    [
      'localGather with 3 elements per index',
      'TK0225',
      [t([32, 8]), t([32, 2], 'uint16')],
      (w, s, i) => ((w.line = at()), nisa.localGather(s, i, { numElemPerIdx: 3 })),
    ],
    [
      'ncNGather with int16 indices',
      'TK0206',
      [x, t([32, 4], 'int16')],
      (w, a, i) => ((w.line = at()), nisa.ncNGather(a, i)),
    ],
    [
      'ncStreamShuffle mask entry out of the quadrant',
      'TK0225',
      [x],
      (w, a) => ((w.line = at()), nisa.ncStreamShuffle(a, a, new Array(32).fill(40))),
    ],
    [
      'ncStreamShuffle on 48 partitions',
      'TK0224',
      [t([48, 4])],
      (w, a) => ((w.line = at()), nisa.ncStreamShuffle(a, a, new Array(32).fill(255))),
    ],
    [
      'nonzeroWithCount without the count slot',
      'TK0205',
      [x],
      (w, a) => ((w.line = at()), nisa.nonzeroWithCount(a, { dst: nl.ndarray([32, 16], 'int32') })),
    ],
    [
      'sequenceBounds on 2 partitions',
      'TK0224',
      [t([2, 8])],
      (w, a) => ((w.line = at()), nisa.sequenceBounds(a)),
    ],
  ];
  it.each(cases)('%s: %s', (_name, code, specs, body) => {
    expectTraceError(specs, body, code);
  });
});
