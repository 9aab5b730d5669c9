/**
 * Pass 8: HBM buffer planning. Every activation a step writes gets an HBM range, live from the step that writes it
 * to the last step that reads it; views share their input's range. Ranges are placed greedily, largest first, at
 * the lowest offset that no overlapping-in-time range uses (as TFLite's greedy-by-size planner), so buffers of
 * values that are dead are reused. Graph inputs live from the start, graph outputs to the end. Weights and
 * other constants have a region of their own.
 *
 * The simulator runs each kernel on memories of its own and values pass between steps as host arrays, so the plan
 * is what the graph would need on the device (reported, and checked for overlaps by its tests), not an input to
 * the per-kernel runs.
 */
import { DTYPES } from '../../ir/dtypes.ts';
import { deviceDType } from '../space.ts';
import type { Graph, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import type { Step } from './select.ts';

export interface HbmBuffer {
  /** The value (the first of the values sharing the range, for views). */
  readonly value: number;
  readonly name: string;
  readonly bytes: number;
  readonly offset: number;
  /** [first step, last step] the range is live. */
  readonly live: readonly [number, number];
  /** Values aliasing this range (views). */
  readonly aliases: readonly number[];
}

export interface HbmPlan {
  readonly buffers: readonly HbmBuffer[];
  /** Peak bytes of the activation region with reuse. */
  readonly activationBytes: number;
  /** What the activations would take with one range each (no reuse). */
  readonly unsharedBytes: number;
  /** Constants the kernels read (weights, prepared layouts). */
  readonly weightBytes: number;
}

const ALIGN = 64;
const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

export function planHbm(g: Graph, steps: readonly Step[]): HbmPlan {
  const root = new Map<number, number>(); // value → the value whose range it uses
  const find = (v: number): number => (root.has(v) && root.get(v) !== v ? find(root.get(v)!) : v);
  const live = new Map<number, [number, number]>();
  const touch = (v: number, s: number) => {
    const r = find(v);
    const cur = live.get(r);
    live.set(r, cur ? [Math.min(cur[0], s), Math.max(cur[1], s)] : [s, s]);
  };
  let weightBytes = 0;
  const weightsSeen = new Set<number>();
  const isConst = (v: number) => g.values[v].data !== undefined;
  const bytesOf = (v: number) => {
    const t = g.values[v].type as StaticType;
    return numelOf(t.shape) * DTYPES[deviceDType(t.dtype)].bytes;
  };
  for (const v of g.inputs) touch(v, 0);
  for (const s of steps) {
    if (s.kind === 'view') {
      if (isConst(s.input)) continue;
      root.set(s.output, find(s.input));
      touch(s.input, s.index);
      continue;
    }
    for (const io of s.built.inputs) {
      if (io.value < 0 || isConst(io.value)) {
        const key = io.value < 0 ? -1 - s.index * 1000 - s.built.inputs.indexOf(io) : io.value;
        if (!weightsSeen.has(key)) {
          weightsSeen.add(key);
          weightBytes += align(numelOf(io.shape) * DTYPES[io.dtype].bytes);
        }
        continue;
      }
      touch(io.value, s.index);
    }
    for (const io of s.built.outputs) touch(io.value, s.index);
  }
  const end = steps.length;
  for (const v of g.outputs) if (!isConst(v)) touch(v, end);
  const aliases = new Map<number, number[]>();
  for (const v of root.keys()) {
    const r = find(v);
    if (r !== v) aliases.set(r, [...(aliases.get(r) ?? []), v]);
  }
  const items = [...live.entries()].map(([value, range]) => ({ value, bytes: align(bytesOf(value)), range }));
  items.sort((a, b) => b.bytes - a.bytes || a.range[0] - b.range[0]);
  const placed: HbmBuffer[] = [];
  for (const it of items) {
    const overlapping = placed
      .filter((p) => p.live[0] <= it.range[1] && it.range[0] <= p.live[1])
      .sort((a, b) => a.offset - b.offset);
    let offset = 0;
    for (const p of overlapping) {
      if (offset + it.bytes <= p.offset) break;
      offset = Math.max(offset, p.offset + p.bytes);
    }
    placed.push({
      value: it.value,
      name: g.values[it.value].name,
      bytes: it.bytes,
      offset,
      live: it.range,
      aliases: aliases.get(it.value) ?? [],
    });
  }
  placed.sort((a, b) => a.live[0] - b.live[0] || a.offset - b.offset);
  return {
    buffers: placed,
    activationBytes: Math.max(0, ...placed.map((p) => p.offset + p.bytes)),
    unsharedBytes: placed.reduce((s, p) => s + p.bytes, 0),
    weightBytes,
  };
}
