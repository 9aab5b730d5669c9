import { describe, expect, it } from 'vitest';
import { add } from './add.ts';

describe('add', () => {
  it('launches one program per [128, 512] tile, each loading, adding and storing its tile', () => {
    const { kernel, inputs } = add.build({ rows: 256, cols: 1024 }, 'float16');
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

  it('rejects shapes that are not whole program tiles', () => {
    expect(() => add.build({ rows: 200, cols: 1024 }, 'float16')).toThrow(/multiples of the 128x512/);
  });
});
