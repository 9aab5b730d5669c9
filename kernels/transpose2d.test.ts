import { describe, expect, it } from 'vitest';
import { hostArray, run } from '../index.ts';
import { transpose2d, transpose2dReference } from './transpose2d.ts';

describe('transpose2d', () => {
  it('writes out[p, f2·F1 + f1] = in[p, f1·F2 + f2] exactly', () => {
    // One row, F1 = 2, F2 = 3: [a b c | d e f] → [a d | b e | c f].
    const x = hostArray([1, 6], 'int8', [1, 2, 3, 4, 5, 6]);
    expect([...transpose2dReference(x, 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
    const { kernel } = transpose2d.build({ rows: 1, f1: 2, f2: 3 }, 'int8');
    expect([...run(kernel, [x]).outputs[0].data]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('per 128-row tile: one load, min(F1, F2) strided copies alternating VectorE and GpSimd, one store', () => {
    const { kernel, inputs } = transpose2d.build({ rows: 300, f1: 37, f2: 44 }, 'float32');
    const ir = kernel.trace(inputs);
    const copies = ir.instrs.filter((i) => i.op === 'tensorCopy');
    expect(copies).toHaveLength(3 * 37);
    expect(copies.slice(0, 3).map((c) => c.engine)).toEqual(['vector', 'gpsimd', 'vector']);
    // Row i (44 contiguous elements) lands in column i of the 44 × 37 result (stride 37).
    expect(copies[1].ins[0]).toMatchObject({ shape: [128, 44], strides: [37 * 44, 1], offset: 44 });
    expect(copies[1].outs[0]).toMatchObject({ shape: [128, 44], strides: [37 * 44, 37], offset: 1 });
    expect(ir.instrs.filter((i) => i.op === 'dmaCopy')).toHaveLength(6);
  });
});
