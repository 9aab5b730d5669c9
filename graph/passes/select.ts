/**
 * Pass 7: kernel selection. Each unit becomes a step:
 * - nodes claimed by a registered kernel (checked against the reference first) → the user's kernel;
 * - a lone row op with a library kernel (Softmax, RMSNormalization, LayerNormalization) → the library kernel;
 * - fused groups → a generated kernel (graph/kernels/fused.ts);
 * - Attention, RotaryEmbedding and data movement → their generated kernels;
 * - views (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout) → no kernel: the output aliases the input.
 */
import { KernelError } from '../../ir/errors.ts';
import { nodeError } from '../errors.ts';
import { attentionKernel, ropeKernel } from '../kernels/attention.ts';
import { buildFusedKernel } from '../kernels/fused.ts';
import type { BuiltKernel } from '../kernels/io.ts';
import { libraryKernelFor } from '../kernels/library.ts';
import { MOVEMENT_KERNELS } from '../kernels/movement.ts';
import type { OpNameOfKind } from '../ops/index.ts';
import { graphOp } from '../ops/index.ts';
import type { Graph, Node } from '../types.ts';
import type { DropInCheck } from '../verify.ts';
import type { Unit } from './fuse.ts';
import type { AnchorLayout } from './layout.ts';

export interface KernelStep {
  readonly kind: 'kernel';
  readonly index: number;
  /** Kernel name in IR, traces and reports. */
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly built: BuiltKernel;
}

export interface ViewStep {
  readonly kind: 'view';
  readonly index: number;
  readonly name: string;
  readonly nodes: readonly Node[];
  readonly input: number;
  readonly output: number;
}

export type Step = KernelStep | ViewStep;

type KernelMaker = (g: Graph, n: Node, name: string) => BuiltKernel;

/** Kernels for ops that run alone, typed over every op of that kind. */
export const SINGLE_KERNELS = {
  ...MOVEMENT_KERNELS,
  Attention: attentionKernel,
  RotaryEmbedding: ropeKernel,
} as const satisfies Record<OpNameOfKind<'kernel'>, KernelMaker>;

/** Make a kernel; anything but a diagnostic is tilekit's bug, reported at the node it was making. */
function building(n: Node, name: string, fn: () => BuiltKernel): BuiltKernel {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KernelError) throw e;
    throw nodeError('TK0802', n, `tilekit could not generate kernel ${name}: ${(e as Error).message}`);
  }
}

export function kernelName(index: number, nodes: readonly Node[]): string {
  const ops = nodes.map((n) => n.op);
  const label = ops.length > 4 ? `${ops.slice(0, 3).join('_')}_and_${ops.length - 3}_more` : ops.join('_');
  return `k${index}_${label}`;
}

export function selectKernels(
  g: Graph,
  units: readonly Unit[],
  layouts: ReadonlyMap<number, AnchorLayout>,
  dropIns: ReadonlyMap<number, { check: DropInCheck; nodes: readonly Node[]; kernel: BuiltKernel['kernel'] }>,
  chip: string,
): Step[] {
  const steps: Step[] = [];
  for (const u of units) {
    const index = steps.length;
    if (u.kind === 'single') {
      const n = u.node;
      const name = kernelName(index, [n]);
      if (u.claimed) {
        const d = dropIns.get(n.id)!;
        steps.push({
          kind: 'kernel',
          index,
          name,
          nodes: d.nodes,
          built: {
            kernel: d.kernel,
            inputs: d.check.inputs,
            outputs: d.check.outputs,
            source: `user:${d.check.kernel}`,
          },
        });
        continue;
      }
      const def = graphOp(n.op);
      if (def.fusion === 'view') {
        steps.push({ kind: 'view', index, name, nodes: [n], input: n.inputs[0]!, output: n.outputs[0] });
        continue;
      }
      const make = (SINGLE_KERNELS as Record<string, KernelMaker>)[n.op];
      if (!make) throw nodeError('TK0802', n, `no kernel runs ${n.op} on the device`);
      steps.push({
        kind: 'kernel',
        index,
        name,
        nodes: [n],
        built: building(n, name, () => make(g, n, name)),
      });
      continue;
    }
    const name = kernelName(index, u.nodes);
    const built = building(
      u.nodes[0],
      name,
      () => libraryKernelFor(g, u, chip) ?? buildFusedKernel(g, u, layouts.get(u.id), name),
    );
    steps.push({ kind: 'kernel', index, name, nodes: u.nodes, built });
  }
  return steps;
}
