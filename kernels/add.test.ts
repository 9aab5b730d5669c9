import { describe, expect, it } from 'vitest';
import { add } from './add.ts';

describe('add', () => {
  it("kernels.md's layout: one [128, 512] tile per program on a [rows/128, cols/512] grid", () => {
    const { kernel, inputs } = add.build({ rows: 256, cols: 1024 }, 'float16', {
      meta: { cols: 512, rowTiles: 1 },
    });
    expect(kernel.gridDims).toEqual([2, 2]);
    const ir = kernel.trace(inputs);
    expect(ir.instrs.map((i) => i.op)).toEqual(
      Array.from({ length: 4 }, () => ['dmaCopy', 'dmaCopy', 'tensorTensor', 'dmaCopy']).flat(),
    );
    const programs = ir.instrs.filter((i) => i.op === 'tensorTensor').map((i) => i.loop.program);
    expect(programs).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
    // Program (1, 1) stores the bottom-right tile: row 128, column 512 of the [256, 1024] output.
    const store = ir.instrs[ir.instrs.length - 1];
    expect(store.outs[0]).toMatchObject({ shape: [128, 512], offset: 128 * 1024 + 512 });
  });

  it('by default each program adds 2 row tiles of [128, 4096] in an affine loop (double-buffered by the allocator)', () => {
    expect(add.defaultMeta!('trn1')).toEqual({ cols: 4096, rowTiles: 2 });
    const { kernel, inputs } = add.build({ rows: 1024, cols: 8192 }, 'float32');
    expect(kernel.gridDims).toEqual([4, 2]);
    const ir = kernel.trace(inputs);
    const adds = ir.instrs.filter((i) => i.op === 'tensorTensor');
    expect(adds).toHaveLength(8 * 2);
    for (const a of adds) {
      expect(a.outs[0].shape).toEqual([128, 4096]);
      expect(a.loop.loops.map((l) => [l.kind, l.extent])).toEqual([['affine', 2]]);
    }
    // Loads and stores move whole 16 KiB partition rows.
    const dmas = ir.instrs.filter((i) => i.op === 'dmaCopy');
    expect(dmas).toHaveLength(8 * 2 * 3);
    for (const d of dmas) expect(d.outs[0].shape).toEqual([128, 4096]);
  });

  it('caps the program tile at the tensor and rejects shapes that are not whole program blocks', () => {
    expect(add.build({ rows: 128, cols: 512 }, 'float32').kernel.gridDims).toEqual([1, 1]);
    expect(() => add.build({ rows: 200, cols: 1024 }, 'float16')).toThrow(/multiples of the 128x512/);
    expect(() => add.build({ rows: 384, cols: 1024 }, 'float16')).toThrow(
      /whole program blocks of 2x\[128, 1024\]/,
    );
    expect(() => add.build({ rows: 256, cols: 1024 }, 'float16', { meta: { cols: 0 } })).toThrow(
      /'cols' must be a positive integer/,
    );
  });
});
