/**
 * What a graph kernel reads and writes: each kernel parameter is a graph value (or a constant prepared in the layout
 * the kernel loads), in the device dtype, and views of HBM tensors in the [O, C, F] index space of a fused kernel.
 */
import type { Kernel, Tensor } from '../../dsl/index.ts';
import { nisa, nl } from '../../dsl/index.ts';
import type { DType } from '../../ir/dtypes.ts';
import type { Pattern, SpaceSizes } from '../space.ts';
import type { NDArray } from '../types.ts';

/** A kernel parameter or result: a graph value as the kernel sees it. */
export interface KernelIO {
  /** Graph value id (-1 for a prepared constant that is no graph value). */
  readonly value: number;
  readonly name: string;
  /** The shape the kernel is called with (the value's, or a free reshape of it). */
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Constants in a kernel-specific layout (transposed weights, folded scales): the data to pass. */
  readonly data?: NDArray;
}

/** A kernel made for a graph unit, with its parameters in call order. */
export interface BuiltKernel {
  readonly kernel: Kernel;
  readonly inputs: readonly KernelIO[];
  readonly outputs: readonly KernelIO[];
  /** How it was made, for reports: 'generated', 'library:<name>', 'user:<name>'. */
  readonly source: string;
  /**
   * Generated fused kernels: the graph node each instruction was emitted for (instruction id → node id), filled when
   * the kernel is traced. Instructions of other kernels belong to the step's first node.
   */
  readonly attribution?: ReadonlyMap<number, number>;
  /** Nodes computed inside another node's instructions (a matmul's bias row, a conv's batch norm and activation). */
  readonly absorbed?: ReadonlySet<number>;
}

/** Partitions per tile. */
export const P = 128;

/** Blocks [start, size) of `total` in steps of `step`. */
export function blocks(total: number, step: number): { start: number; size: number }[] {
  const out: { start: number; size: number }[] = [];
  for (let s = 0; s < total; s += step) out.push({ start: s, size: Math.min(step, total - s) });
  return out;
}

/** An HBM operand of a fused kernel, viewed as [O?, C?, F?] by its pattern. */
export function spaceView(t: Tensor, p: Pattern, sz: SpaceSizes): Tensor {
  return t.reshape([p.o ? sz.O : 1, p.c ? sz.C : 1, p.f ? sz.F : 1]);
}

/**
 * Load an operand's tile for output rows [c0, c0 + pc) and columns [f0, f0 + fc) of block o: [pc, fc] for a full
 * operand, [pc, 1] for a per-partition column; an operand that does not vary along C is broadcast across the
 * partitions (TensorE ones-matmul, exact). The result is fp32.
 */
export function loadOperand(
  view: Tensor,
  p: Pattern,
  at: { o: number; c0: number; pc: number; f0: number; fc: number },
  name: string,
): Tensor {
  const rows = p.c ? [at.c0, at.c0 + at.pc] : [0, 1];
  const cols = p.f ? [at.f0, at.f0 + at.fc] : [0, 1];
  const src = view.get(p.o ? at.o : 0, rows as [number, number], cols as [number, number]);
  let tile = nl.load(src, { name });
  if (tile.dtype !== 'float32') tile = nisa.tensorCopy(tile, { dtype: 'float32' });
  if (!p.c && at.pc > 1) tile = nl.broadcastTo(tile, [at.pc, tile.shape[1]]);
  return tile;
}
