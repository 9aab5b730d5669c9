import { describe, expect, it } from 'vitest';
import { KernelError, kernel, nisa, nl, printIR, type TensorSpec, verifyIR } from '../index.ts';

const f32 = (shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });
const thisLine = () => Number([...(new Error().stack ?? '').matchAll(/trace\.test\.ts:(\d+)/g)][1]?.[1]);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e.code;
    throw e;
  }
  return undefined;
}

describe('tracing', () => {
  it('records one instruction per ISA op with the user line and loop context', () => {
    let lineLoad = 0;
    const k = kernel(function copyRows(a) {
      const out = nl.ndarray([256, 64], nl.float32, { buffer: nl.sharedHbm });
      for (const i of nl.affineRange(2)) {
        for (const j of nl.sequentialRange(1, 3)) {
          lineLoad = thisLine() + 1;
          const t = nl.load(a.get(nl.ds(i * 128, 128), [0, 64]));
          nl.store(out.get(nl.ds(i * 128, 128), [0, 64]), nl.multiply(t, j));
        }
      }
      return out;
    });
    const ir = k.trace([f32([256, 64])]);
    expect(ir.name).toBe('copyRows');
    expect(ir.instrs.map((x) => x.op)).toEqual(Array(4).fill(['dmaCopy', 'tensorScalar', 'dmaCopy']).flat());
    const load = ir.instrs[0];
    expect(load.loc.file).toMatch(/tracer\/trace\.test\.ts$/);
    expect(load.loc.line).toBe(lineLoad);
    expect(ir.instrs[3].loop.loops.map((l) => [l.kind, l.index, l.extent])).toEqual([
      ['affine', 0, 2],
      ['sequential', 1, 2],
    ]);
    expect(ir.instrs[11].loop.loops.map((l) => l.index)).toEqual([1, 1]);
    expect(verifyIR(ir)).toEqual([]);
  });

  it('traces each SPMD program with its id, sharing the output', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([256, 128], nl.float32, { buffer: nl.sharedHbm });
      const rows = nl.ds(nl.programId(0) * 128, 128);
      nl.store(out.get(rows), nl.exp(nl.load(a.get(rows))));
      return out;
    }).grid(2);
    const ir = k.trace([f32([256, 128])]);
    expect(ir.grid).toEqual([2]);
    expect(ir.outputs).toHaveLength(1);
    expect(ir.buffers.filter((b) => b.role === 'output')).toHaveLength(1);
    expect(ir.instrs.map((x) => x.loop.program[0])).toEqual([0, 0, 0, 1, 1, 1]);
    expect(ir.instrs[3].ins[0].offset).toBe(128 * 128);
  });

  it('prints stable IR text', () => {
    const k = kernel(function scale(a) {
      const out = nl.ndarray([128, 8], nl.bfloat16, { buffer: nl.sharedHbm });
      const t = nl.load(a);
      nl.store(out, nisa.tensorScalar(t, 'multiply', 2, { op1: 'add', operand1: 1 }));
      return out;
    });
    const text = printIR(k.trace([{ shape: [128, 8], dtype: 'bfloat16' }])).replace(/@ \S+/g, '@ LOC');
    expect(text).toBe(
      [
        'kernel scale(%a: hbm bfloat16[128, 8]) -> (%out)',
        '  %out = hbm bfloat16[128, 8] output  @ LOC',
        '  %load = sbuf bfloat16[128, 8] temp  @ LOC',
        '  %multiply = sbuf bfloat16[128, 8] temp  @ LOC',
        '  #0 dmaCopy %load[128x8] <- %a[128x8]  @ LOC',
        '  #1 tensorScalar(multiply 2, add 1) %multiply[128x8] <- %load[128x8]  @ LOC',
        '  #2 dmaCopy %out[128x8] <- %multiply[128x8]  @ LOC',
        '',
      ].join('\n'),
    );
  });

  it('chooses matmul accumulation from the running group', () => {
    const k = kernel((a, b) => {
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      const acc = nl.ndarray([128, 512], nl.float32, { buffer: nl.psum });
      for (const _ of nl.staticRange(2)) {
        for (const kk of nl.affineRange(3)) {
          nisa.ncMatmul(nl.load(a.get(nl.ds(kk * 128, 128))), nl.load(b.get(nl.ds(kk * 128, 128))), {
            dst: acc,
          });
        }
        nl.store(out, acc);
      }
      return out;
    });
    const ir = k.trace([f32([384, 128]), f32([384, 512])]);
    const acc = ir.instrs
      .filter((x) => x.op === 'ncMatmul')
      .map((x) => (x.attrs as { accumulate: boolean }).accumulate);
    expect(acc).toEqual([false, true, true, false, true, true]);
  });

  const errorCases: [string, string, () => unknown][] = [
    ['nl call outside a kernel', 'TK0402', () => nl.zeros([128, 4], nl.float32)],
    [
      'shared HBM in a loop',
      'TK0404',
      () =>
        kernel(() => {
          for (const _ of nl.affineRange(2)) nl.ndarray([4, 4], nl.float32, { buffer: nl.sharedHbm });
        }).trace([]),
    ],
    [
      'output never written',
      'TK0407',
      () => kernel(() => nl.ndarray([4, 4], nl.float32, { buffer: nl.sharedHbm })).trace([]),
    ],
    ['returning an SBUF tile', 'TK0405', () => kernel(() => nl.zeros([4, 4], nl.float32)).trace([])],
    [
      'partition start 1 for 64 partitions',
      'TK0103',
      () =>
        kernel(() => {
          const t = nl.zeros([128, 4], nl.float32);
          nl.exp(t.get([1, 65]));
        }).trace([]),
    ],
    [
      'mutable input written but not returned',
      'TK0410',
      () =>
        kernel(
          (a) => {
            nl.store(a, nl.zeros([4, 4], nl.float32));
          },
          { mutable: ['a'] },
        ).trace([f32([4, 4])]),
    ],
    [
      'five free dims in one operand',
      'TK0305',
      () =>
        kernel(() => {
          nl.exp(nl.zeros([4, 2, 2, 2, 2, 2], nl.float32));
        }).trace([]),
    ],
    ['wrong number of inputs', 'TK0406', () => kernel((a, b) => [a, b]).trace([f32([4, 4])])],
    ['programId without a grid', 'TK0408', () => kernel(() => void nl.programId(0)).trace([])],
    ['unknown dtype', 'TK0107', () => kernel(() => void nl.ndarray([4, 4], 'float64' as never)).trace([])],
    ['rank-1 on-chip tile', 'TK0102', () => kernel(() => void nl.ndarray([128], nl.float32)).trace([])],
    [
      'tiles do not broadcast across partitions',
      'TK0202',
      () =>
        kernel(() => {
          nl.add(nl.zeros([128, 4], nl.float32), nl.zeros([64, 4], nl.float32));
        }).trace([]),
    ],
    [
      'tensor used after its trace',
      'TK0409',
      () => {
        let leaked: unknown;
        kernel(() => {
          leaked = nl.zeros([4, 4], nl.float32);
        }).trace([]);
        return kernel(() => void nl.exp(leaked as never)).trace([]);
      },
    ],
  ];
  it.each(errorCases)('%s -> %s', (_name, code, fn) => {
    expect(codeOf(fn)).toBe(code);
  });

  it('writing a declared-mutable input is allowed when returned', () => {
    const k = kernel(
      (a) => {
        nl.store(a, nl.zeros([4, 4], nl.float32));
        return a;
      },
      { mutable: [0] },
    );
    expect(k.trace([f32([4, 4])]).outputs).toEqual([0]);
  });
});
