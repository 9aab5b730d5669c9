import { describe, expect, it } from 'vitest';
import { compareArrays, randomInputs, run } from '../index.ts';
import type { MatmulAttrs } from '../ir/ops/matmul.ts';
import { flashAttention, flashReference } from './flash-attention.ts';

const base = { batch: 1, heads: 1, kvHeads: 1, seq: 1024, seqK: 1024, d: 64, causal: 1, window: 0 };
const count = (ir: { instrs: readonly { op: string }[] }, op: string) =>
  ir.instrs.filter((i) => i.op === op).length;
/** Score matmuls: moving operand is a slice of kT (not a mask). */
const scoreMatmuls = (ir: ReturnType<ReturnType<typeof flashAttention.build>['kernel']['trace']>) =>
  ir.instrs.filter((i) => i.op === 'ncMatmul' && ir.buffers[i.ins[1].buffer].name.startsWith('kT'));

describe('flash-attention', () => {
  it('causal: only key tiles at or below the diagonal are computed; the diagonal 128×128 tile gets a mask matmul', () => {
    const { kernel, inputs } = flashAttention.build(base, 'bfloat16', { chip: 'trn1' });
    const ir = kernel.trace(inputs);
    // Q tile i attends to (i + 1) key tiles: 36 of the 64 128×128 tiles; one P·V matmul and one transpose each.
    const pv = ir.instrs.filter(
      (i) => i.op === 'ncMatmul' && ir.buffers[i.ins[1].buffer].name.startsWith('vAug'),
    );
    expect(pv).toHaveLength(36);
    expect(count(ir, 'ncTranspose')).toBe(36);
    // One 512-column score chunk per 4 key tiles (the last one narrower): ceil((i + 1) / 4) per Q tile.
    const chunks = scoreMatmuls(ir);
    expect(chunks).toHaveLength([1, 1, 1, 1, 2, 2, 2, 2].reduce((a, b) => a + b));
    expect(chunks.slice(0, 4).map((m) => m.outs[0].shape[1])).toEqual([128, 256, 384, 512]);
    const masks = ir.instrs.filter(
      (i) => i.op === 'ncMatmul' && ir.buffers[i.ins[1].buffer].name.startsWith('mask'),
    );
    expect(masks).toHaveLength(8);
    expect(masks.every((m) => (m.attrs as MatmulAttrs).accumulate && m.outs[0].shape[1] === 128)).toBe(true);
  });

  it('per step: −row max per chunk, one combine, exp per chunk into bf16 P, one rescale of o after the first step', () => {
    const { kernel, inputs } = flashAttention.build({ ...base, causal: 0, seqK: 2048 }, 'bfloat16', {
      chip: 'trn1',
    });
    const ir = kernel.trace(inputs);
    // Full attention over 2048 keys: 8 Q tiles × 2 steps of 2 score chunks.
    expect(scoreMatmuls(ir)).toHaveLength(8 * 4);
    const reduces = ir.instrs.filter((i) => i.op === 'tensorReduce');
    expect(reduces.filter((r) => (r.attrs as { op: string }).op === 'maximum')).toHaveLength(32);
    expect(reduces.filter((r) => (r.attrs as { op: string }).op === 'minimum')).toHaveLength(16);
    const acts = (func: string) =>
      ir.instrs.filter((i) => i.op === 'activation' && (i.attrs as { func: string }).func === func);
    expect(acts('exp').filter((e) => e.outs[0].dtype === 'bfloat16')).toHaveLength(32);
    expect(acts('exp').filter((e) => e.outs[0].dtype === 'float32')).toHaveLength(8); // α, second step of each tile
    expect(acts('log')).toHaveLength(8);
    expect(count(ir, 'dmaCopy') - 2 * 8).toBeGreaterThan(0); // o and lse stores per Q tile
    expect(ir.instrs.filter((i) => i.op === 'dmaCopy' && i.outs[0].space === 'hbm')).toHaveLength(16);
  });

  it('trn2 folds the per-step max on ScalarE (min-reduce), trn1 on VectorE', () => {
    const trace = (chip: string) =>
      flashAttention
        .build(base, 'bfloat16', { chip })
        .kernel.trace(flashAttention.build(base, 'bfloat16').inputs);
    const combines = (chip: string) =>
      trace(chip).instrs.filter(
        (i) =>
          (i.op === 'tensorReduce' && (i.attrs as { op: string }).op === 'minimum') ||
          (i.op === 'activation' && (i.attrs as { acc?: { reduceOp: string } }).acc?.reduceOp === 'minimum'),
      );
    expect(new Set(combines('trn1').map((i) => i.op))).toEqual(new Set(['tensorReduce']));
    expect(new Set(combines('trn2').map((i) => i.op))).toEqual(new Set(['activation']));
  });

  it('GQA: one program per (batch, kv head), each serving heads / kvHeads query heads', () => {
    const { kernel, inputs } = flashAttention.build(
      { ...base, batch: 2, heads: 6, kvHeads: 3, seq: 256, seqK: 256 },
      'bfloat16',
    );
    expect(kernel.gridDims).toEqual([2, 3]);
    expect(inputs.map((s) => s.shape)).toEqual([
      [2, 6, 64, 256],
      [2, 3, 64, 256],
      [2, 3, 256, 64],
    ]);
    const ir = kernel.trace(inputs);
    expect(ir.outputs.map((o) => [ir.buffers[o].shape, ir.buffers[o].dtype])).toEqual([
      [[2, 6, 256, 64], 'bfloat16'],
      [[2, 6, 256], 'float32'],
    ]);
  });

  it('sliding window: key tiles wholly outside q − W < k ≤ q are skipped; o and lse match the reference', () => {
    const shape = { ...base, seq: 512, seqK: 512, window: 256 };
    const { kernel, inputs: specs } = flashAttention.build(shape, 'float32');
    const ir = kernel.trace(specs);
    // Q tile i sees key tiles max(0, i − 2) .. i (the band of width 256 spans 3 tiles).
    expect(count(ir, 'ncTranspose')).toBe(1 + 2 + 3 + 3);
    const inputs = randomInputs(specs, 5);
    const result = run(kernel, inputs);
    const expected = flashReference(inputs[0], inputs[1], inputs[2], true, 256);
    result.outputs.forEach((out, i) => {
      const cmp = compareArrays(out.data, expected[i], out.shape, flashAttention.tolerance('float32'));
      expect(cmp.mismatches, JSON.stringify(cmp)).toBe(0);
    });
  });

  it('fills in kvHeads, seqK and window; rejects bad shapes', () => {
    const { inputs } = flashAttention.build({ batch: 1, heads: 8, seq: 256, d: 128, causal: 1 }, 'bfloat16');
    expect(inputs.map((s) => s.shape)).toEqual([
      [1, 8, 128, 256],
      [1, 8, 128, 256],
      [1, 8, 256, 128],
    ]);
    expect(() => flashAttention.build({ ...base, kvHeads: 3, heads: 4 }, 'bfloat16')).toThrow(
      /multiple of kvHeads/,
    );
    expect(() => flashAttention.build({ ...base, seq: 200 }, 'bfloat16')).toThrow(/multiples of 128/);
    expect(() => flashAttention.build({ ...base, causal: 2 }, 'bfloat16')).toThrow(/0 or 1/);
    expect(() => flashAttention.build(base, 'bfloat16', { meta: { chunks: 3 } })).toThrow(/8 PSUM banks/);
  });
});
