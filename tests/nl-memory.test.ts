import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compile,
  getChip,
  type HostArray,
  hostArray,
  type Kernel,
  KernelError,
  kernel,
  nisa,
  nl,
  printIR,
  randomArray,
  roundTo,
  run,
  simulate,
} from '../index.ts';
import type { DevicePrint } from '../simulator/device-print.ts';
import { formatDevicePrint } from '../simulator/device-print.ts';
import { timeProgram } from '../simulator/simulate.ts';

const trn1 = getChip('trn1');
const SOURCE = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const SOURCE_LINE_OF_GATHER = SOURCE.findIndex((l) => l.endsWith('oobMode }); // @gather')) + 1;
const iota = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => i * scale);
const thisLine = () => Number([...(new Error().stack ?? '').matchAll(/nl-memory\.test\.ts:(\d+)/g)][1]?.[1]);

function runQuiet(k: Kernel, inputs: readonly HostArray[]) {
  const program = compile(k.trace(inputs), trn1);
  const prints: DevicePrint[] = [];
  return { ...simulate(program, inputs, { print: (p) => prints.push(p) }), program, printed: prints };
}

function kernelError(fn: () => unknown): KernelError {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e;
    throw e;
  }
  throw new Error('expected a KernelError');
}

const table = hostArray([6, 4], 'float32', iota(24));

/** rows[p] = table[ids[p]] */
const gather = (oobMode?: 'error' | 'skip') =>
  kernel((t, ids) => {
    const out = nl.ndarray([4, 4], nl.float32, { buffer: nl.sharedHbm });
    const rows = nl.zeros([4, 4], nl.float32);
    nisa.dmaCopy(rows, t, { indirect: { index: nl.load(ids) }, oobMode }); // @gather
    nl.store(out, rows);
    return out;
  });

describe('indirect DMA', () => {
  it('gathers HBM rows through an index tile', () => {
    const ids = hostArray([4, 1], 'int32', [5, 0, 3, 3]);
    const out = run(gather(), [table, ids]).outputs[0];
    expect(Array.from(out.data)).toEqual([
      ...iota(4, 1).map((i) => 20 + i),
      0,
      1,
      2,
      3,
      12,
      13,
      14,
      15,
      12,
      13,
      14,
      15,
    ]);
  });

  it('gathers with nl.load({ index }) and casts on the way (uint32 index)', () => {
    const k = kernel((t, ids) => {
      const out = nl.ndarray([3, 4], nl.bfloat16, { buffer: nl.sharedHbm });
      nl.store(out, nl.load(t, { index: nl.load(ids), dtype: nl.bfloat16 }));
      return out;
    });
    const src = hostArray([6, 4], 'float32', iota(24, 1.001));
    const out = run(k, [src, hostArray([3, 1], 'uint32', [2, 4, 1])]).outputs[0];
    const want = [2, 4, 1].flatMap((r) => iota(4).map((c) => roundTo('bfloat16', src.data[r * 4 + c])));
    expect(Array.from(out.data)).toEqual(want);
  });

  it("stops at an out-of-bounds index with oobMode 'error', naming the instruction, the index and the line", () => {
    const ids = hostArray([4, 1], 'int32', [1, 6, 2, 0]);
    const e = kernelError(() => run(gather('error'), [table, ids]));
    expect(e.code).toBe('TK0510');
    expect(e.detail).toMatch(
      /^dmaCopy #\d+: index 6 in partition 1 of the index tile is out of bounds for the 6 rows/,
    );
    expect(e.loc?.file).toMatch(/tests\/nl-memory\.test\.ts$/);
    expect(e.loc?.line).toBe(SOURCE_LINE_OF_GATHER);
  });

  it("drops out-of-bounds rows with oobMode 'skip' (negative and too large)", () => {
    const ids = hostArray([4, 1], 'int32', [-1, 2, 99, 5]);
    const out = run(gather('skip'), [table, ids]).outputs[0];
    expect(Array.from(out.data)).toEqual([0, 0, 0, 0, 8, 9, 10, 11, 0, 0, 0, 0, 20, 21, 22, 23]);
  });

  const scatter = (oobMode: 'error' | 'skip', add: boolean) =>
    kernel(
      (t, vals, ids) => {
        const v = nl.load(vals);
        const idx = nl.load(ids);
        if (add) nl.atomicRmw(t, v, { index: idx, oobMode });
        else nl.store(t, v, { index: idx, oobMode });
        return t;
      },
      { mutable: ['t'] },
    );

  it('scatters SBUF rows to HBM rows; other rows keep their values', () => {
    const vals = hostArray([3, 4], 'float32', iota(12, -1));
    const out = run(scatter('error', false), [table, vals, hostArray([3, 1], 'uint32', [4, 1, 2])])
      .outputs[0];
    const want = [...table.data];
    [4, 1, 2].forEach((r, p) => {
      for (let c = 0; c < 4; c++) want[r * 4 + c] = -(p * 4 + c);
    });
    expect(Array.from(out.data)).toEqual(want);
  });

  it("scatter with oobMode 'skip' leaves the table alone for bad rows; 'error' reports them", () => {
    const vals = hostArray([2, 4], 'float32', iota(8, -1));
    const ids = hostArray([2, 1], 'int32', [7, 0]);
    const out = run(scatter('skip', false), [table, vals, ids]).outputs[0];
    expect(Array.from(out.data)).toEqual([-4, -5, -6, -7, ...iota(20).map((i) => i + 4)]);
    expect(kernelError(() => run(scatter('error', false), [table, vals, ids])).code).toBe('TK0510');
  });

  it('atomicRmw adds into HBM rows; repeated indices accumulate in fp32', () => {
    const vals = hostArray([4, 4], 'float32', new Array(16).fill(0.5));
    const ids = hostArray([4, 1], 'int32', [1, 1, 3, 1]);
    const out = run(scatter('error', true), [table, vals, ids]).outputs[0];
    const want = Array.from(table.data);
    for (const r of [1, 1, 3, 1]) for (let c = 0; c < 4; c++) want[r * 4 + c] += 0.5;
    expect(Array.from(out.data)).toEqual(want);
  });

  it('dstRmwOp add without indices accumulates a whole tile', () => {
    const k = kernel(
      (acc, x) => {
        nisa.dmaCopy(acc, nl.load(x), { dstRmwOp: 'add' });
        return acc;
      },
      { mutable: ['acc'] },
    );
    const x = randomArray([6, 4], 'float32', 3);
    const out = run(k, [table, x]).outputs[0];
    expect(Array.from(out.data)).toEqual(Array.from(table.data, (v, i) => Math.fround(v + x.data[i])));
  });

  it('treats the whole indexed tensor as read and written (dependencies) and costs only the moved rows', () => {
    const ids = hostArray([4, 1], 'int32', [0, 1, 2, 3]);
    const k = gather('error');
    const program = compile(k.trace([table, ids]), trn1);
    const dma = program.instrs.find((i) => i.ins.length === 2)!;
    expect(dma.ins[0].dims).toEqual([
      [4, 6],
      [1, 4],
    ]);
    // Timing needs no index values: the same timeline with or without them.
    const timed = timeProgram(program);
    const functional = runQuiet(k, [table, ids]).timeline;
    expect(timed.latencyNs).toBeCloseTo(functional.latencyNs, 9);
    const copy = kernel((t) => {
      const out = nl.ndarray([4, 4], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nl.load(t.get([0, 4])));
      return out;
    });
    const plain = timeProgram(compile(copy.trace([table]), trn1));
    const span = (tl: typeof timed, i: number) => tl.entries[i].end - tl.entries[i].start;
    expect(span(timed, dma.id)).toBeCloseTo(span(plain, 0), 6);
  });

  it('records the indirect access in the IR text', () => {
    const text = printIR(gather('skip').trace([table, { shape: [4, 1], dtype: 'int32' }]));
    expect(text).toMatch(/dmaCopy\(indirect src\[%in1\] oob=skip\) %zeros\[4x4\] <- %t\[6x4\], %load\[4x1\]/);
  });
});

describe('DMA transpose', () => {
  const cases: [string, number[], number[]][] = [
    ['2-D [1, 0]', [6, 4], [1, 0]],
    ['3-D [2, 1, 0]', [4, 3, 5], [2, 1, 0]],
    ['4-D [3, 1, 2, 0]', [2, 3, 2, 4], [3, 1, 2, 0]],
  ];
  it.each(cases)('%s from HBM', (_n, shape, axes) => {
    const x = randomArray(shape, 'bfloat16', 7);
    const outShape = axes.map((a) => shape[a]);
    const k = kernel((a) => {
      const out = nl.ndarray(outShape, nl.bfloat16, { buffer: nl.sharedHbm });
      nl.store(out, nisa.dmaTranspose(a, { axes }));
      return out;
    });
    const got = run(k, [x]).outputs[0];
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((p, q) => p * q, 1));
    const want = Array.from({ length: x.data.length }, (_, i) => {
      let rem = i;
      let at = 0;
      for (let d = outShape.length - 1; d >= 0; d--) {
        at += (rem % outShape[d]) * strides[axes[d]];
        rem = Math.floor(rem / outShape[d]);
      }
      return x.data[at];
    });
    expect(Array.from(got.data)).toEqual(want);
  });

  it('SBUF to SBUF, and nl.loadTranspose2d with a cast', () => {
    const x = randomArray([8, 12], 'float32', 8);
    const k = kernel((a) => {
      const o1 = nl.ndarray([12, 8], nl.float32, { buffer: nl.sharedHbm });
      const o2 = nl.ndarray([12, 8], nl.bfloat16, { buffer: nl.sharedHbm });
      nl.store(o1, nisa.dmaTranspose(nl.load(a)));
      nl.store(o2, nl.loadTranspose2d(a, { dtype: nl.bfloat16 }));
      return [o1, o2];
    });
    const [o1, o2] = run(k, [x]).outputs;
    const want = Array.from({ length: 96 }, (_, i) => x.data[(i % 8) * 12 + Math.floor(i / 8)]);
    expect(Array.from(o1.data)).toEqual(want);
    expect(Array.from(o2.data)).toEqual(want.map((v) => roundTo('bfloat16', v)));
  });
});

describe('DMA casting', () => {
  it('goes source → fp32 → destination (int32 above 2^24 rounds on the way to uint32)', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([1, 3], nl.uint32, { buffer: nl.sharedHbm });
      nisa.dmaCopy(out, a);
      return out;
    });
    const out = run(k, [hostArray([1, 3], 'int32', [16777217, -5, 7])]).outputs[0];
    expect(Array.from(out.data)).toEqual([16777216, 0, 7]);
  });

  it('copies same-dtype integers bit-exactly', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([1, 2], nl.int32, { buffer: nl.sharedHbm });
      nl.store(out, nl.load(a));
      return out;
    });
    expect(Array.from(run(k, [hostArray([1, 2], 'int32', [16777217, -2147483648])]).outputs[0].data)).toEqual(
      [16777217, -2147483648],
    );
  });
});

describe('creation', () => {
  it('zeros, ones, full, *Like and ndarray make tiles of the right values, shapes and dtypes', () => {
    const k = kernel((a) => {
      const x = nl.load(a);
      const parts = [
        nl.zeros([4, 3], nl.float32),
        nl.ones([4, 3], nl.bfloat16),
        nl.full([4, 3], 2.5, nl.float16),
        nl.zerosLike(x),
        nl.onesLike(x, { dtype: nl.int32 }),
        nl.fullLike(x, -3),
        nisa.memset(nl.emptyLike(x), 7),
        nisa.memset(nl.ndarray([4, 3], nl.uint8), 9),
      ];
      const outs = parts.map((t) => nl.ndarray(t.shape, t.dtype, { buffer: nl.sharedHbm }));
      for (const [i, t] of parts.entries()) nl.store(outs[i], t);
      return outs;
    });
    const outs = run(k, [randomArray([4, 3], 'float32', 1)]).outputs;
    expect(outs.map((o) => [o.dtype, o.data[0]])).toEqual([
      ['float32', 0],
      ['bfloat16', 1],
      ['float16', 2.5],
      ['float32', 0],
      ['int32', 1],
      ['float32', -3],
      ['float32', 7],
      ['uint8', 9],
    ]);
    expect(outs.every((o) => new Set(o.data).size === 1 && o.data.length === 12)).toBe(true);
  });

  it('sharedConstant bakes a host array into HBM; equal constants share one buffer', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([2, 3], nl.float32, { buffer: nl.sharedHbm });
      const c = nl.sharedConstant([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const c2 = nl.sharedConstant([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
      nl.store(out, nl.add(nl.add(nl.load(c), nl.load(c2)), nl.load(a)));
      return out;
    });
    const ir = k.trace([{ shape: [2, 3], dtype: 'float32' }]);
    const constants = ir.buffers.filter((b) => b.role === 'constant');
    expect(constants).toHaveLength(1);
    expect(constants[0].init).toEqual([1, 2, 3, 4, 5, 6]);
    expect(printIR(ir)).toMatch(/%const = hbm float32\[2, 3\] constant/);
    const out = run(k, [hostArray([2, 3], 'float32', [0.5, 0.5, 0.5, 0.5, 0.5, 0.5])]).outputs[0];
    expect(Array.from(out.data)).toEqual([2.5, 4.5, 6.5, 8.5, 10.5, 12.5]);
  });

  it('sharedConstant takes a HostArray (rounded to its dtype) and cannot be written', () => {
    const host = hostArray([2, 2], 'int16', [1, -2, 300, 40000]);
    const k = kernel(() => {
      const out = nl.ndarray([2, 2], nl.int16, { buffer: nl.sharedHbm });
      nl.store(out, nl.load(nl.sharedConstant(host)));
      return out;
    });
    expect(Array.from(run(k, []).outputs[0].data)).toEqual([1, -2, 300, 32767]);
    const bad = kernel(() => {
      const c = nl.sharedConstant([[1, 2]]);
      nl.store(c, nl.zeros([1, 2], nl.float32));
    });
    expect(kernelError(() => bad.trace([])).code).toBe('TK0412');
  });

  it('sharedIdentityMatrix makes I (here used to transpose through a matmul)', () => {
    const x = randomArray([8, 8], 'float32', 4);
    const k = kernel((a) => {
      const out = nl.ndarray([8, 8], nl.float32, { buffer: nl.sharedHbm });
      const eye = nl.load(nl.sharedIdentityMatrix(8));
      nl.store(out, nisa.ncMatmul(nl.load(a), eye));
      return out;
    });
    const got = run(k, [x]).outputs[0];
    expect(Array.from(got.data)).toEqual(
      Array.from({ length: 64 }, (_, i) => x.data[(i % 8) * 8 + Math.floor(i / 8)]),
    );
  });

  it('rand draws uniform [0, 1) values, the same for the same seed and different for another', () => {
    const draw = (seed: number) =>
      kernel(() => {
        const out = nl.ndarray([8, 64], nl.float32, { buffer: nl.sharedHbm });
        nl.randomSeed(seed);
        nl.store(out, nl.rand([8, 64], nl.float32));
        return out;
      });
    const a = Array.from(run(draw(1), []).outputs[0].data);
    const b = Array.from(run(draw(1), []).outputs[0].data);
    const c = Array.from(run(draw(2), []).outputs[0].data);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    const seeded = kernel(() => {
      const out = nl.ndarray([8, 64], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nl.rand([8, 64], nl.float32, { seed: 1 }));
      return out;
    });
    expect(Array.from(run(seeded, []).outputs[0].data)).toEqual(a);
  });
});

describe('dropout and memory queries', () => {
  it('dropout zeroes about `rate` of the elements and keeps the others unscaled', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([8, 128], nl.float32, { buffer: nl.sharedHbm });
      nl.randomSeed(3);
      nl.store(out, nl.dropout(nl.load(a), 0.25));
      return out;
    });
    const ones = hostArray([8, 128], 'float32', new Array(1024).fill(1));
    const got = Array.from(run(k, [ones]).outputs[0].data);
    expect(got.every((v) => v === 0 || v === 1)).toBe(true);
    const zeroed = got.filter((v) => v === 0).length / got.length;
    expect(Math.abs(zeroed - 0.25)).toBeLessThan(0.05);
  });

  it('isPsum, isSbuf, isHbm and isOnChip tell where a tensor lives', () => {
    const seen: boolean[][] = [];
    kernel((a) => {
      const p = nl.zeros([4, 4], nl.float32, { buffer: nl.psum });
      const s = nl.load(a);
      for (const t of [a, s, p]) seen.push([nl.isHbm(t), nl.isSbuf(t), nl.isPsum(t), nl.isOnChip(t)]);
    }).trace([{ shape: [4, 4], dtype: 'float32' }]);
    expect(seen).toEqual([
      [true, false, false, false],
      [false, true, false, true],
      [false, false, true, true],
    ]);
  });
});

describe('devicePrint', () => {
  it('prints in simulation, ordered by program id then instruction, with the source line', () => {
    let line = 0;
    const k = kernel((a) => {
      const out = nl.ndarray([4, 2], nl.float32, { buffer: nl.sharedHbm });
      const pid = nl.programId(0);
      const rows = nl.ds(pid * 2, 2);
      const x = nl.load(a.get(rows));
      line = thisLine() + 1;
      nl.devicePrint('x', x);
      const y = nl.multiply(x, nl.numPrograms(0) * 10 + nl.programNdim());
      nl.devicePrint('y', y);
      nl.store(out.get(rows), y);
      return out;
    }).grid(2);
    const res = runQuiet(k, [hostArray([4, 2], 'float32', iota(8))]);
    expect(res.printed.map((p) => [p.program, p.prefix, p.values])).toEqual([
      [[0], 'x', [0, 1, 2, 3]],
      [[0], 'y', [0, 21, 42, 63]],
      [[1], 'x', [4, 5, 6, 7]],
      [[1], 'y', [84, 105, 126, 147]],
    ]);
    const first = res.printed[0];
    expect(first.loc.line).toBe(line);
    expect(first.loc.file).toMatch(/tests\/nl-memory\.test\.ts$/);
    expect(formatDevicePrint(first)).toBe(
      `${first.loc.file}:${line}:${first.loc.column} [program 0] x float32[2, 2]: [[0, 1], [2, 3]]`,
    );
    expect(res.prints).toEqual(res.printed);
    // Printing writes no memory and takes no engine time.
    const entry = res.timeline.entries.find((e) => e.op === 'devicePrint')!;
    expect(entry.end - entry.start).toBe(0);
    expect(res.program.instrs.filter((i) => i.op === 'devicePrint').every((i) => i.outs.length === 0)).toBe(
      true,
    );
  });

  it('prints any slice, whatever its partition start (no access-pattern rules on the sync engine)', () => {
    const k = kernel((a) => {
      nl.devicePrint('row 5', nl.load(a).get([5, 6]));
    });
    const res = runQuiet(k, [hostArray([8, 2], 'float32', iota(16))]);
    expect(res.printed.map((p) => [p.shape, p.values])).toEqual([
      [
        [1, 2],
        [10, 11],
      ],
    ]);
  });

  it('prints what ran before a run-time error', () => {
    const k = kernel(
      (t, ids) => {
        const idx = nl.load(ids);
        nl.devicePrint('ids', idx);
        nl.store(t, nl.zeros([1, 4], nl.float32), { index: idx });
        return t;
      },
      { mutable: ['t'] },
    );
    const printed: DevicePrint[] = [];
    const inputs = [table, hostArray([1, 1], 'int32', [9])];
    const program = compile(k.trace(inputs), trn1);
    expect(() => simulate(program, inputs, { print: (p) => printed.push(p) })).toThrow(/TK0510/);
    expect(printed.map((p) => p.values)).toEqual([[9]]);
  });
});
