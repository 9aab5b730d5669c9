import { type Instr, numel, type View } from '../ir/types.ts';
import { viewExtent } from '../ir/verifier.ts';
import type { RuleViolation } from './rules.ts';

/**
 * Iterations of an affine loop must not write the same location, except by accumulation (a read-modify-write such
 * as matmul accumulation into PSUM or a DMA add): neuroncore.md §1.9, §5.4 rule 9 [LL, ER]
 * (err_unexpected_output_dependencies). Writes are compared per loop instance and buffer, so tiles allocated inside
 * an iteration never meet tiles of another iteration.
 */
export class AffineWrites {
  /** loop instance id → buffer → iteration index → writes. */
  private readonly loops = new Map<number, Map<number, Map<number, WriteRecord[]>>>();

  /** Check `instr`'s writes against other iterations of every enclosing affine loop, then record them. */
  check(instr: Instr, accumulates: boolean, bufferName: (id: number) => string): RuleViolation | undefined {
    for (const frame of instr.loop.loops) {
      if (frame.kind !== 'affine') continue;
      let byBuffer = this.loops.get(frame.id);
      if (!byBuffer) this.loops.set(frame.id, (byBuffer = new Map()));
      for (const view of instr.outs) {
        let byIndex = byBuffer.get(view.buffer);
        if (!byIndex) byBuffer.set(view.buffer, (byIndex = new Map()));
        if (!accumulates) {
          for (const [index, writes] of byIndex) {
            if (index === frame.index) continue;
            const clash = writes.find((w) => !w.accumulates && viewsOverlap(w.view, view));
            if (clash) {
              return {
                code: 'TK0413',
                message: `iterations ${clash.index} and ${frame.index} of an affine loop both write '${bufferName(view.buffer)}' at the same elements; give each iteration its own slice, or use sequentialRange if the order matters`,
                notes: [
                  { message: `iteration ${clash.index} wrote it here`, loc: clash.instr.loc },
                  { message: 'the affine loop', loc: frame.loc },
                ],
              };
            }
          }
        }
        let list = byIndex.get(frame.index);
        if (!list) byIndex.set(frame.index, (list = []));
        list.push({ instr, view, index: frame.index, accumulates });
      }
    }
    return undefined;
  }
}

interface WriteRecord {
  readonly instr: Instr;
  readonly view: View;
  readonly index: number;
  readonly accumulates: boolean;
}

/** Above this many elements the exact test is skipped and the writes are assumed apart (no false errors). */
const ENUMERATION_LIMIT = 1 << 22;

/** Do two views of one buffer share an element? Exact; cheap for the usual same-pattern tiles. */
export function viewsOverlap(a: View, b: View): boolean {
  const [alo, ahi] = viewExtent(a);
  const [blo, bhi] = viewExtent(b);
  if (ahi < blo || bhi < alo) return false;
  const dims = samePatternDims(a, b);
  if (dims) return representable(b.offset - a.offset, dims, 0);
  const lo = Math.max(alo, blo);
  const hi = Math.min(ahi, bhi);
  if (hi - lo + 1 > ENUMERATION_LIMIT || numel(a.shape) + numel(b.shape) > ENUMERATION_LIMIT) return false;
  const marks = new Uint8Array(hi - lo + 1);
  forEachOffset(a, (o) => {
    if (o >= lo && o <= hi) marks[o - lo] = 1;
  });
  let hit = false;
  forEachOffset(b, (o) => {
    if (o >= lo && o <= hi && marks[o - lo]) hit = true;
  });
  return hit;
}

/**
 * Same shape and strides, with strides that nest (each larger than the span of all smaller ones): then offset
 * difference δ is a shared element iff δ = Σ stride·d with |d| < size, and each d is floor or ceil of what remains.
 */
function samePatternDims(a: View, b: View): [number, number][] | undefined {
  if (a.shape.join() !== b.shape.join() || a.strides.join() !== b.strides.join()) return undefined;
  const dims = a.shape
    .map((n, i) => [Math.abs(a.strides[i]), n] as [number, number])
    .filter(([s, n]) => n > 1 && s > 0)
    .sort((x, y) => y[0] - x[0]);
  let span = 0;
  for (let i = dims.length - 1; i >= 0; i--) {
    if (dims[i][0] <= span) return undefined;
    span += dims[i][0] * (dims[i][1] - 1);
  }
  return dims;
}

function representable(rem: number, dims: readonly [number, number][], k: number): boolean {
  if (k === dims.length) return rem === 0;
  const [s, n] = dims[k];
  for (const d of new Set([Math.floor(rem / s), Math.ceil(rem / s)])) {
    if (Math.abs(d) < n && representable(rem - d * s, dims, k + 1)) return true;
  }
  return false;
}

function forEachOffset(v: View, fn: (offset: number) => void): void {
  const walk = (d: number, base: number) => {
    if (d === v.shape.length) return fn(base);
    for (let i = 0; i < v.shape[d]; i++) walk(d + 1, base + i * v.strides[d]);
  };
  walk(0, v.offset);
}
