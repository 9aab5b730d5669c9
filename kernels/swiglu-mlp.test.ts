import { describe, expect, it } from 'vitest';
import { swigluMlp } from './swiglu-mlp.ts';

describe('swiglu-mlp', () => {
  const shape = { tokens: 256, hidden: 512, intermediate: 1152 };

  it('three phases: xᵀ by TensorE transposes, gate and up sharing each xᵀ load, then the down projection', () => {
    const { kernel, inputs } = swigluMlp.build(shape, 'bfloat16');
    const ir = kernel.trace(inputs);
    const name = (i: (typeof ir.instrs)[number], k: number) =>
      ir.buffers[i.ins[k].buffer].name.replace(/\.\d+$/, '');
    expect(ir.instrs.filter((i) => i.op === 'ncTranspose')).toHaveLength((256 / 128) * (512 / 128));
    const matmuls = ir.instrs.filter((i) => i.op === 'ncMatmul');
    // Gate/up: intermediate 9 tiles × tokens 1 block (256 wide) × hidden 4 tiles, for Wg and for Wu.
    const up = matmuls.filter(
      (m) => name(m, 1) === 'rhsBlock' && ir.buffers[m.ins[0].buffer].name.startsWith('lhsTBlock'),
    );
    expect(up.length).toBe(2 * 9 * 4 + (256 / 128) * (512 / 512) * 9);
    // The first K step: per output tile one Wg and one Wu matmul read the same xᵀ tile.
    expect(up[0].ins[1].buffer).toBe(up[4].ins[1].buffer);
    // Per finished row of aᵀ: silu on ScalarE, the product with up on VectorE, one store into the aᵀ scratch.
    const silu = ir.instrs.filter(
      (i) => i.op === 'activation' && (i.attrs as { func: string }).func === 'silu',
    );
    expect(silu).toHaveLength(9);
    const scratch = ir.buffers
      .filter((b) => b.space === 'hbm' && b.role === 'temp')
      .map((b) => [b.name, b.shape]);
    expect(scratch).toEqual([
      ['xT', [512, 256]],
      ['aT', [1152, 256]],
    ]);
  });

  it('draws weights in ±1/√fan_in (a Linear init), x in [−1, 1)', () => {
    const [x, wg, , wd] = swigluMlp.inputs!(shape, 'bfloat16', 1);
    const maxAbs = (a: { data: ArrayLike<number> }) =>
      Array.from(a.data, Math.abs).reduce((m, v) => Math.max(m, v), 0);
    expect(maxAbs(x)).toBeGreaterThan(0.9);
    expect(maxAbs(wg)).toBeLessThanOrEqual(1 / Math.sqrt(512) + 1e-3);
    expect(maxAbs(wd)).toBeLessThanOrEqual(1 / Math.sqrt(1152) + 1e-3);
  });

  it('rejects shapes that are not whole tiles', () => {
    expect(() => swigluMlp.build({ tokens: 100, hidden: 512, intermediate: 1024 }, 'bfloat16')).toThrow(
      /multiple of 128/,
    );
    expect(() => swigluMlp.build({ tokens: 640, hidden: 512, intermediate: 1024 }, 'bfloat16')).toThrow(
      /1024/,
    );
  });
});
