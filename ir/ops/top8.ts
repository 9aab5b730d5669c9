import { defineOp, fail } from '../op-def.ts';
import { numel, type View } from '../types.ts';
import { elemsPerPartition, requireDType, requireSpace, samePartitions, sameTile } from './checks.ts';
import { ON_CHIP } from './elementwise.ts';

/** The 8-wide VectorE search instructions read 8..16384 elements per partition (neuroncore.md §5.4 rule 6 [IL]). */
export const TOP8_FMAX = 16384;
const INDEX_DTYPES = ['uint16', 'uint32'] as const;
/** "Not found" is all ones: 0xFFFFFFFF, which a uint16 destination saturates to 0xFFFF ([IN] nc_find_index8). */

function checkSearch(data: View, what: string, min = 8): void {
  requireSpace(data, ON_CHIP, `${what} input`);
  const F = elemsPerPartition(data);
  if (F > TOP8_FMAX)
    fail('TK0106', `${what} reads at most ${TOP8_FMAX} elements per partition, got ${F}; split the row`);
  if (F < min) fail('TK0225', `${what} needs at least ${min} elements per partition, got ${F}`);
}

function checkEight(v: View, data: View, what: string): void {
  requireSpace(v, ON_CHIP, what);
  samePartitions(v, data, what);
  if (elemsPerPartition(v) !== 8)
    fail('TK0205', `${what} must hold 8 values per partition, got [${v.shape}]`);
}

/** fp32 order used by the search ops: NaN above everything (tilekit's choice; the docs do not say). */
const desc = (a: number, b: number): number => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : b - a);

/**
 * The 8 largest values of each partition in descending order, compared in fp32 (neuroncore.md §2.1 max8 [IL, IN]).
 * 8..16384 elements per partition; destination [P, 8].
 */
export const max8 = defineOp<Record<string, never>>({
  summary: 'top 8 values per partition, descending',
  engines: ['vector'],
  check: ({ ins: [src], outs: [out] }) => {
    checkSearch(src, 'max8');
    checkEight(out, src, 'max8 destination');
  },
  evaluate: ({ ins: [src], inShapes: [shape], outs: [out] }) => {
    const P = shape[0];
    const F = src.length / P;
    for (let p = 0; p < P; p++) {
      const row = Array.from(src.subarray(p * F, (p + 1) * F), Math.fround).sort(desc);
      out.set(row.slice(0, 8), p * 8);
    }
  },
  flops: ([src]) => numel(src.shape),
});

/**
 * For each of 8 values per partition, the index of its first occurrence in the partition's flattened data; a value
 * repeated among the 8 pairs with successive occurrences in ascending order; missing values give all ones
 * (0xFFFF / 0xFFFFFFFF). Output uint16 or uint32 [P, 8] (neuroncore.md §2.1 nc_find_index8 [IN]). ins = [data, vals].
 */
export const ncFindIndex8 = defineOp<Record<string, never>>({
  summary: 'indices of the first occurrences of 8 values per partition',
  engines: ['vector'],
  check: ({ ins: [data, vals], outs: [out] }) => {
    checkSearch(data, 'ncFindIndex8');
    checkEight(vals, data, 'ncFindIndex8 vals');
    checkEight(out, data, 'ncFindIndex8 destination');
    requireDType(out, INDEX_DTYPES, 'ncFindIndex8 destination');
  },
  evaluate: ({ ins: [data, vals], inShapes: [shape], outs: [out] }) => {
    const P = shape[0];
    const F = data.length / P;
    const missing = 0xffffffff;
    for (let p = 0; p < P; p++) {
      const used = new Set<number>();
      for (let k = 0; k < 8; k++) {
        const v = Math.fround(vals[p * 8 + k]);
        let found = missing;
        for (let f = 0; f < F; f++) {
          if (Math.fround(data[p * F + f]) === v && !used.has(f)) {
            found = f;
            used.add(f);
            break;
          }
        }
        out[p * 8 + k] = found;
      }
    }
  },
  flops: ([data]) => numel(data.shape),
});

export interface MatchReplace8Attrs {
  /** The value written over each match. */
  readonly imm: number;
}

/**
 * Replace the first occurrence of each of 8 values per partition with `imm`; vals are taken in reverse order
 * (7..0), each matching the first not-yet-matched position of the original data, so duplicates pair with successive
 * occurrences in descending column order; optionally write the matched indices (all ones when missing)
 * (neuroncore.md §2.1 nc_match_replace8 [IN]). ins = [data, vals]; outs = [dst, (dstIdx uint16/uint32 [P, 8])].
 */
export const ncMatchReplace8 = defineOp<MatchReplace8Attrs>({
  summary: 'replace the first occurrences of 8 values per partition with an immediate',
  engines: ['vector'],
  check: ({ ins: [data, vals], outs }) => {
    checkSearch(data, 'ncMatchReplace8', 1);
    checkEight(vals, data, 'ncMatchReplace8 vals');
    requireSpace(outs[0], ON_CHIP, 'ncMatchReplace8 destination');
    sameTile(outs[0], data, 'ncMatchReplace8 destination');
    if (outs[1]) {
      checkEight(outs[1], data, 'ncMatchReplace8 dstIdx');
      requireDType(outs[1], INDEX_DTYPES, 'ncMatchReplace8 dstIdx');
    }
  },
  evaluate: ({ ins: [data, vals], inShapes: [shape], outs, attrs }) => {
    const P = shape[0];
    const F = data.length / P;
    const [dst, idx] = outs;
    dst.set(data);
    for (let p = 0; p < P; p++) {
      const used = new Set<number>();
      for (let k = 7; k >= 0; k--) {
        const v = Math.fround(vals[p * 8 + k]);
        let found = 0xffffffff;
        for (let f = 0; f < F; f++) {
          if (!used.has(f) && Math.fround(data[p * F + f]) === v) {
            found = f;
            used.add(f);
            dst[p * F + f] = attrs.imm;
            break;
          }
        }
        if (idx) idx[p * 8 + k] = found;
      }
    }
  },
  flops: ([data]) => numel(data.shape),
  describe: (a) => `imm=${a.imm}`,
});
