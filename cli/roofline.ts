/**
 * The roofline of one simulated run, as `tilekit bench`, `tilekit report` and `npm run bench` show it.
 *
 * Two roofs: TensorE at the peak of each matmul's input dtype (bf16 / fp8 / fp32, `chip.peaks.tensorFlopsPerNs`) and
 * HBM at `chip.peaks.dmaBytesPerNs`. The compute time at peak is the sum over TensorE matmuls (transposes excluded:
 * they move data) of FLOPs / peak of their dtype; the memory time at peak is HBM bytes / the HBM roof. The bound is
 * the larger of the two, efficiency = bound / simulated latency, and the limiting resource is the larger one's.
 * Vector/Scalar/GpSimd FLOPs are reported by engine but are not a roof: the chip configs give no FLOP peak for them.
 */
import type { DType } from '../ir/dtypes.ts';
import { opDef } from '../ir/ops/index.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { type TimelineSummary, tensorPeak } from '../simulator/timing/metrics.ts';
import type { Timeline } from '../simulator/timing/timeline.ts';

/** What bounds the kernel: TensorE FLOPs at peak, or HBM bytes at peak bandwidth. */
export type RooflineLimit = 'tensor' | 'hbm';

/** The three numbers of `--json`'s `roofline`. */
export interface RooflineBound {
  /** max(compute time at peak, memory time at peak). */
  readonly boundNs: number;
  /** boundNs / latencyNs: 1 means the kernel runs at the roof. */
  readonly efficiency: number;
  readonly limitedBy: RooflineLimit;
}

export interface Roofline extends RooflineBound {
  readonly latencyNs: number;
  /** FLOPs by the engine class that executed them (a multiply-add counts 2). */
  readonly flopsByEngine: TimelineSummary['flops'];
  /** All FLOPs, every engine. */
  readonly flops: number;
  /** TensorE matmul FLOPs counted against the compute roof (transposes on TensorE excluded). */
  readonly matmulFlops: number;
  readonly hbmBytes: number;
  /** flops / hbmBytes (0 when no bytes move). */
  readonly arithmeticIntensity: number;
  /** The TensorE roof: matmulFlops / computeNs, or the peak for the kernel's dtype when there are no matmuls. */
  readonly tensorPeakFlopsPerNs: number;
  readonly hbmBytesPerNs: number;
  /** matmulFlops at their dtypes' peaks. */
  readonly computeNs: number;
  /** hbmBytes at the HBM roof. */
  readonly memoryNs: number;
  /** Arithmetic intensity where the two roofs meet: tensorPeakFlopsPerNs / hbmBytesPerNs. */
  readonly ridgeIntensity: number;
}

/** The bound, efficiency and limit from the two times at peak (ties go to HBM). */
export function rooflineBound(computeNs: number, memoryNs: number, latencyNs: number): RooflineBound {
  const boundNs = Math.max(computeNs, memoryNs);
  return {
    boundNs,
    efficiency: latencyNs > 0 ? boundNs / latencyNs : 0,
    limitedBy: computeNs > memoryNs ? 'tensor' : 'hbm',
  };
}

/** TensorE peak (FLOP/ns) for a kernel dtype: fp32 at the fp32 rate, fp8 at the fp8 rate, the rest at bf16's. */
export function tensorPeakFor(chip: ChipConfig, dtype: DType): number {
  const p = chip.peaks.tensorFlopsPerNs;
  if (dtype === 'float32') return p.fp32;
  if (dtype.startsWith('float8')) return p.fp8;
  return p.bf16;
}

/** Matmul FLOPs on TensorE (no transposes) and their time at the peak of each instruction's dtype. */
export function matmulAtPeak(tl: Timeline): { flops: number; ns: number } {
  const { program } = tl;
  let flops = 0;
  let ns = 0;
  for (const e of tl.entries) {
    const ins = program.instrs[e.id];
    if (ins.engine !== 'tensor' || ins.op !== 'ncMatmul') continue;
    const ir = program.ir.instrs[e.id];
    if ((ir.attrs as { isTranspose?: boolean }).isTranspose) continue;
    const f = opDef(ir.op).flops(ir.ins, ir.outs, ir.attrs as never);
    flops += f;
    ns += f / tensorPeak(ins, program.chip);
  }
  return { flops, ns };
}

/** The roofline of a run: `summary` is `summarize(tl)`, `dtype` the kernel's dtype (for the roof drawn without matmuls). */
export function roofline(tl: Timeline, summary: TimelineSummary, dtype: DType): Roofline {
  const chip = tl.program.chip;
  const mm = matmulAtPeak(tl);
  const hbmBytesPerNs = chip.peaks.dmaBytesPerNs;
  const memoryNs = summary.hbmBytes / hbmBytesPerNs;
  const f = summary.flops;
  const flops = f.tensor + f.vector + f.scalar + f.gpsimd;
  const tensorPeakFlopsPerNs = mm.ns > 0 ? mm.flops / mm.ns : tensorPeakFor(chip, dtype);
  return {
    ...rooflineBound(mm.ns, memoryNs, summary.latencyNs),
    latencyNs: summary.latencyNs,
    flopsByEngine: f,
    flops,
    matmulFlops: mm.flops,
    hbmBytes: summary.hbmBytes,
    arithmeticIntensity: summary.hbmBytes > 0 ? flops / summary.hbmBytes : 0,
    tensorPeakFlopsPerNs,
    hbmBytesPerNs,
    computeNs: mm.ns,
    memoryNs,
    ridgeIntensity: tensorPeakFlopsPerNs / hbmBytesPerNs,
  };
}
