import { defineOp, fail } from '../op-def.ts';
import { numel } from '../types.ts';
import { elemsPerPartition, requireSpace, samePartitions } from './checks.ts';
import { ON_CHIP } from './elementwise.ts';

/** bn_stats reads at most 512 elements per partition (nl.tile_size.bn_stats_fmax, neuroncore.md §5.4 rule 6 [IL]). */
export const BN_STATS_FMAX = 512;

/** count, mean and Σ(x - mean)² of every `step`-th element from `start`, fp32 running sums. */
function moments(data: Float64Array, base: number, F: number, start: number): [number, number, number] {
  let n = 0;
  let sum = 0;
  for (let f = start; f < F; f += 2, n++) sum = Math.fround(sum + Math.fround(data[base + f]));
  if (n === 0) return [0, 0, 0];
  const mean = Math.fround(sum / n);
  let m2 = 0;
  for (let f = start; f < F; f += 2) {
    const d = Math.fround(Math.fround(data[base + f]) - mean);
    m2 = Math.fround(m2 + Math.fround(d * d));
  }
  return [n, mean, m2];
}

/**
 * Six statistics per partition of a tile with at most 512 elements per partition, over the flattened free elements:
 * [count, mean, variance·count] of the even-indexed elements, then the same for the odd-indexed ones
 * (neuroncore.md §2.1 bn_stats [IL]). fp32 maths: the mean is the fp32 running sum over the count, the variance·count
 * the fp32 running sum of squared deviations (tilekit's order of operations; the chip's may round differently).
 */
export const bnStats = defineOp<Record<string, never>>({
  summary: 'per-partition (count, mean, var*count) of even and odd elements',
  engines: ['vector'],
  check: ({ ins: [data], outs: [out] }) => {
    requireSpace(data, ON_CHIP, 'bnStats input');
    requireSpace(out, ON_CHIP, 'bnStats destination');
    if (elemsPerPartition(data) > BN_STATS_FMAX) {
      fail(
        'TK0106',
        `bnStats reads at most ${BN_STATS_FMAX} elements per partition, got ${elemsPerPartition(data)}; run one bnStats per 512-element chunk and combine them with bnAggr`,
      );
    }
    samePartitions(out, data, 'bnStats destination');
    if (elemsPerPartition(out) !== 6)
      fail('TK0205', `bnStats writes 6 values per partition; destination is [${out.shape}]`);
  },
  evaluate: ({ ins: [data], inShapes: [shape], outs: [out] }) => {
    const P = shape[0];
    const F = data.length / P;
    for (let p = 0; p < P; p++) {
      out.set([...moments(data, p * F, F, 0), ...moments(data, p * F, F, 1)], p * 6);
    }
  },
  flops: ([data]) => 3 * numel(data.shape),
});

/**
 * Combine (count, mean, variance·count) triples per partition into [mean, variance] (population variance)
 * (neuroncore.md §2.1 bn_aggr [IL]): Chan et al.'s pairwise update in fp32, triples in order, empty triples skipped.
 * A partition with no elements gives [0, 0].
 */
export const bnAggr = defineOp<Record<string, never>>({
  summary: 'aggregate bnStats triples into (mean, var) per partition',
  engines: ['vector'],
  check: ({ ins: [data], outs: [out] }) => {
    requireSpace(data, ON_CHIP, 'bnAggr input');
    requireSpace(out, ON_CHIP, 'bnAggr destination');
    if (elemsPerPartition(data) % 3 !== 0) {
      fail(
        'TK0205',
        `bnAggr reads (count, mean, var*count) triples: ${elemsPerPartition(data)} elements per partition is not a multiple of 3`,
      );
    }
    samePartitions(out, data, 'bnAggr destination');
    if (elemsPerPartition(out) !== 2)
      fail('TK0205', `bnAggr writes [mean, var] per partition; destination is [${out.shape}]`);
  },
  evaluate: ({ ins: [data], inShapes: [shape], outs: [out] }) => {
    const P = shape[0];
    const F = data.length / P;
    const f = Math.fround;
    for (let p = 0; p < P; p++) {
      let n = 0;
      let mean = 0;
      let m2 = 0;
      for (let t = 0; t < F; t += 3) {
        const [nb, mb, m2b] = [data[p * F + t], f(data[p * F + t + 1]), f(data[p * F + t + 2])];
        if (nb === 0) continue;
        const total = n + nb;
        const delta = f(mb - mean);
        mean = f(mean + f(f(delta * nb) / total));
        m2 = f(f(m2 + m2b) + f(f(f(delta * delta) * f(n * nb)) / total));
        n = total;
      }
      out[p * 2] = n === 0 ? 0 : mean;
      out[p * 2 + 1] = n === 0 ? 0 : f(m2 / n);
    }
  },
  flops: ([data]) => 4 * numel(data.shape),
});
