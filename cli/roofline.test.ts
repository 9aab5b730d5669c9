/** The roofline arithmetic, on kernels whose FLOPs and HBM bytes are computed by hand. */
import { describe, expect, test } from 'vitest';
import { compile } from '../codegen/compile.ts';
import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import type { DType } from '../ir/dtypes.ts';
import { getChip } from '../simulator/chips/index.ts';
import { timeProgram } from '../simulator/simulate.ts';
import { summarize } from '../simulator/timing/metrics.ts';
import { roofline, rooflineBound, tensorPeakFor } from './roofline.ts';

/** out[128, 512] = Σ_reps lhsTᵀ · rhs: both operands loaded once, `reps` matmuls accumulated in one PSUM bank. */
const repeated = (reps: number, transposes = 0) =>
  kernel(function mmRepeat(lhsT: Tensor, rhs: Tensor) {
    const out = nl.ndarray([128, 512], lhsT.dtype, { buffer: nl.sharedHbm });
    const a = nl.load(lhsT);
    const b = nl.load(rhs);
    const acc = nl.ndarray([128, 512], nl.float32, { buffer: nl.psum, name: 'acc' });
    for (let i = 0; i < reps; i++) nisa.ncMatmul(a, b, { dst: acc, accumulate: i > 0 });
    for (let i = 0; i < transposes; i++) nisa.ncMatmul(a, a, { isTranspose: true });
    nl.store(out, nisa.tensorCopy(acc, { dtype: out.dtype }));
    return out;
  });

function time(reps: number, dtype: DType, chipName = 'trn1', transposes = 0) {
  const chip = getChip(chipName);
  const ir = repeated(reps, transposes).trace([
    { shape: [128, 128], dtype },
    { shape: [128, 512], dtype },
  ]);
  const tl = timeProgram(compile(ir, chip));
  const s = summarize(tl);
  return { chip, s, r: roofline(tl, s, dtype) };
}

const bytes = (dtype: DType) => (dtype === 'float32' ? 4 : 2);
/** lhsT + rhs in, out back: (128·128 + 128·512 + 128·512) elements. */
const hbmBytes = (dtype: DType) => (128 * 128 + 2 * 128 * 512) * bytes(dtype);
/** One [128 × 128]ᵀ · [128 × 512] matmul: 2·K·M·N FLOPs. */
const MATMUL_FLOPS = 2 * 128 * 128 * 512;

describe('roofline', () => {
  test('bound = max(compute, memory); efficiency = bound / latency; ties go to HBM', () => {
    expect(rooflineBound(300, 100, 600)).toEqual({ boundNs: 300, efficiency: 0.5, limitedBy: 'tensor' });
    expect(rooflineBound(100, 300, 400)).toEqual({ boundNs: 300, efficiency: 0.75, limitedBy: 'hbm' });
    expect(rooflineBound(5, 5, 10).limitedBy).toBe('hbm');
    expect(rooflineBound(0, 0, 0)).toEqual({ boundNs: 0, efficiency: 0, limitedBy: 'hbm' });
  });

  test('the TensorE roof follows the dtype', () => {
    const trn2 = getChip('trn2');
    expect(tensorPeakFor(trn2, 'bfloat16')).toBe(trn2.peaks.tensorFlopsPerNs.bf16);
    expect(tensorPeakFor(trn2, 'float16')).toBe(trn2.peaks.tensorFlopsPerNs.bf16);
    expect(tensorPeakFor(trn2, 'float32')).toBe(trn2.peaks.tensorFlopsPerNs.fp32);
    expect(tensorPeakFor(trn2, 'float8_e4m3')).toBe(trn2.peaks.tensorFlopsPerNs.fp8);
  });

  test('one bf16 matmul tile on trn1: 16.8 MFLOP, 294,912 B, HBM-bound', () => {
    const { chip, s, r } = time(1, 'bfloat16');
    expect(r.matmulFlops).toBe(MATMUL_FLOPS);
    expect(r.hbmBytes).toBe(294_912);
    expect(r.hbmBytes).toBe(hbmBytes('bfloat16'));
    const peak = 128 * 128 * 2 * 2.8; // PEs × 2 FLOP × GHz: 91,750 FLOP/ns
    expect(chip.peaks.tensorFlopsPerNs.bf16).toBeCloseTo(peak, 6);
    expect(r.computeNs).toBeCloseTo(MATMUL_FLOPS / peak, 6);
    expect(r.memoryNs).toBeCloseTo(294_912 / chip.peaks.dmaBytesPerNs, 6);
    expect(r.limitedBy).toBe('hbm');
    expect(r.boundNs).toBe(r.memoryNs);
    expect(r.efficiency).toBeCloseTo(r.memoryNs / s.latencyNs, 12);
    expect(r.efficiency).toBeGreaterThan(0);
    expect(r.efficiency).toBeLessThanOrEqual(1);
    expect(r.arithmeticIntensity).toBeCloseTo(r.flops / 294_912, 12);
  });

  test('64 accumulated matmuls on the same tiles: 1.07 GFLOP on 294,912 B, TensorE-bound', () => {
    const { chip, s, r } = time(64, 'bfloat16');
    expect(r.matmulFlops).toBe(64 * MATMUL_FLOPS);
    expect(r.hbmBytes).toBe(294_912);
    const computeNs = (64 * MATMUL_FLOPS) / chip.peaks.tensorFlopsPerNs.bf16;
    expect(r.computeNs).toBeCloseTo(computeNs, 6);
    expect(r.limitedBy).toBe('tensor');
    expect(r.boundNs).toBeCloseTo(computeNs, 6);
    expect(r.efficiency).toBeCloseTo(computeNs / s.latencyNs, 12);
    // The simulated TensorE cannot beat its own peak.
    expect(s.latencyNs).toBeGreaterThanOrEqual(computeNs);
    expect(r.tensorPeakFlopsPerNs).toBeCloseTo(chip.peaks.tensorFlopsPerNs.bf16, 6);
  });

  test('fp32 matmuls are held to the fp32 roof; the HBM bytes double', () => {
    const { chip, r } = time(64, 'float32', 'trn2');
    expect(r.hbmBytes).toBe(hbmBytes('float32'));
    expect(r.computeNs).toBeCloseTo((64 * MATMUL_FLOPS) / chip.peaks.tensorFlopsPerNs.fp32, 6);
    expect(r.tensorPeakFlopsPerNs).toBeCloseTo(chip.peaks.tensorFlopsPerNs.fp32, 6);
  });

  test('transposes take TensorE time but do not count against the compute roof', () => {
    const plain = time(4, 'bfloat16');
    const withT = time(4, 'bfloat16', 'trn1', 3);
    expect(withT.s.busyNs.tensor).toBeGreaterThan(plain.s.busyNs.tensor);
    expect(withT.r.matmulFlops).toBe(plain.r.matmulFlops);
    expect(withT.r.computeNs).toBeCloseTo(plain.r.computeNs, 9);
  });
});
