import { describe, expect, it } from 'vitest';
import { hostArray } from '../index.ts';
import { SD_MASKED, sdAttention, sdAttentionReference } from './sd-attention.ts';

describe('sd-attention', () => {
  const count = (ir: { instrs: readonly { op: string }[] }, op: string) =>
    ir.instrs.filter((i) => i.op === op).length;

  it('per 128-row Q tile: QKᵀ per 512 columns, one max, one exp, 128-column Pᵀ transposes and P·V matmuls', () => {
    const { kernel, inputs } = sdAttention.build({ seq: 1024, d: 64, causal: 0 }, 'float32');
    const ir = kernel.trace(inputs);
    const tiles = 1024 / 128;
    // K and Q transposes (one per 128 rows each), plus 8 Pᵀ transposes per Q tile.
    expect(count(ir, 'ncTranspose')).toBe(tiles + tiles + tiles * 8);
    expect(count(ir, 'ncMatmul')).toBe(tiles * 2 + tiles * 8);
    expect(count(ir, 'tensorReduce')).toBe(tiles);
    expect(count(ir, 'affineSelect')).toBe(0);
    const exps = ir.instrs.filter(
      (i) => i.op === 'activation' && (i.attrs as { func: string }).func === 'exp',
    );
    expect(exps.map((e) => e.outs[0].dtype)).toEqual(Array(tiles).fill('bfloat16'));
  });

  it('causal: key chunks above the diagonal are skipped, the diagonal chunk is masked with −9984 on GpSimd', () => {
    const { kernel, inputs } = sdAttention.build({ seq: 1024, d: 64, causal: 1 }, 'float32');
    const ir = kernel.trace(inputs);
    // Q tile i sees (i + 1) · 128 keys: ceil((i + 1) / 4) score chunks and i + 1 P·V matmuls.
    const chunks = Array.from({ length: 8 }, (_, i) => Math.ceil((i + 1) / 4)).reduce((a, b) => a + b);
    expect(count(ir, 'ncMatmul')).toBe(chunks + 36);
    const selects = ir.instrs.filter((i) => i.op === 'affineSelect');
    expect(selects).toHaveLength(8);
    expect(selects.every((s) => (s.attrs as { onFalseValue: number }).onFalseValue === SD_MASKED)).toBe(true);
  });

  it('the reference masks keys after the query when causal', () => {
    // seq 2, d 1: q = k = [1, 2], v = [10, 20]. Row 0 causal sees key 0 only.
    const q = hostArray([2, 1], 'float32', [1, 2]);
    const v = hostArray([2, 1], 'float32', [10, 20]);
    const causal = sdAttentionReference(q, q, v, true);
    expect(causal[0]).toBe(10);
    const w = Math.exp(0.125 * 4) / (Math.exp(0.125 * 2) + Math.exp(0.125 * 4));
    expect(causal[1]).toBeCloseTo(10 * (1 - w) + 20 * w, 12);
    expect(sdAttentionReference(q, q, v, false)[1]).toBeCloseTo(causal[1], 12);
  });

  it('rejects ragged sequences, wide heads and non-boolean causal', () => {
    expect(() => sdAttention.build({ seq: 100, d: 64, causal: 0 }, 'float32')).toThrow(/multiple of 128/);
    expect(() => sdAttention.build({ seq: 128, d: 256, causal: 0 }, 'float32')).toThrow(/at most 128/);
    expect(() => sdAttention.build({ seq: 128, d: 64, causal: 2 }, 'float32')).toThrow(/0 or 1/);
  });
});
