/**
 * Compiling a graph to kernels. The passes, in order:
 *   fix-shapes      the user's --input-shape / inputShapes for dynamic dims
 *   infer-shapes    static types for every value; shape subgraphs computed
 *   fold-constants  computed values become constants; dead nodes go
 *   drop-ins        registered kernels matched, their shape rules applied, checked against the reference
 *   canonicalize    Gemm → MatMul + Add, BatchNormalization → Mul + Add, global pools → reductions
 *   fold-constants  again (transposed weights, folded scales)
 *   fuse            elementwise chains, reductions and row ops into groups with their matmul/conv anchor
 *   layout          stationary/moving operands, weight layouts, resident weights
 *   select-kernels  user, library or generated kernel per group; views alias
 *   plan-hbm        HBM ranges with reuse
 */
import { performance } from 'node:perf_hooks';
import type { Kernel } from '../dsl/kernel.ts';
import { getChip } from '../simulator/chips/index.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { canonicalize } from './passes/canonicalize.ts';
import { foldConstants } from './passes/fold.ts';
import { fuse, type Unit } from './passes/fuse.ts';
import { chooseLayouts } from './passes/layout.ts';
import { type HbmPlan, planHbm } from './passes/plan.ts';
import { type Step, selectKernels } from './passes/select.ts';
import { fixInputShapes, type InputShapes, inferShapes } from './passes/shapes.ts';
import { findMatches, type KernelRegistry } from './registry.ts';
import type { Graph, Node } from './types.ts';
import { checkDropIn, type DropInCheck } from './verify.ts';

export interface GraphCompileOptions {
  /** 'trn1' (default), 'trn2' or a chip config. */
  readonly chip?: string | ChipConfig;
  /** Sizes for the graph inputs' dynamic dims, by input name. */
  readonly inputShapes?: InputShapes;
  /** User kernels to drop in. */
  readonly registry?: KernelRegistry;
  /** Seed of the inputs drop-in kernels are checked with. */
  readonly seed?: number;
}

export interface PassRecord {
  readonly name: string;
  /** Nodes after the pass (units or steps for the late passes). */
  readonly nodes: number;
  readonly ms: number;
}

export interface CompiledGraph {
  /** The graph as given. */
  readonly source: Graph;
  /** The graph after the rewriting passes (the steps' nodes are its nodes). */
  readonly graph: Graph;
  readonly units: readonly Unit[];
  readonly steps: readonly Step[];
  readonly plan: HbmPlan;
  readonly chip: ChipConfig;
  /** Registered kernels: checked and used, or declined by their shape rule. */
  readonly dropIns: readonly DropInCheck[];
  readonly passes: readonly PassRecord[];
}

export function compileGraph(source: Graph, opts: GraphCompileOptions = {}): CompiledGraph {
  const chip = typeof opts.chip === 'object' ? opts.chip : getChip(opts.chip ?? 'trn1');
  const passes: PassRecord[] = [];
  const timed = <T>(name: string, fn: () => T, count: (t: T) => number): T => {
    const t0 = performance.now();
    const out = fn();
    passes.push({ name, nodes: count(out), ms: Math.round((performance.now() - t0) * 100) / 100 });
    return out;
  };
  const nodes = (g: Graph) => g.nodes.length;
  let g = timed('fix-shapes', () => fixInputShapes(source, opts.inputShapes), nodes);
  g = timed('infer-shapes', () => inferShapes(g), nodes);
  g = timed('fold-constants', () => foldConstants(g), nodes);

  const dropIns: DropInCheck[] = [];
  const claimed = new Map<number, number>();
  const drop = new Map<number, { check: DropInCheck; nodes: readonly Node[]; kernel: Kernel }>();
  const graphForChecks = g;
  timed(
    'drop-ins',
    () => {
      for (const m of findMatches(graphForChecks, opts.registry)) {
        const check = checkDropIn(graphForChecks, m, chip, opts.seed ?? 0);
        dropIns.push(check);
        if (!check.accepted) continue;
        for (const n of m.nodes) claimed.set(n.id, m.nodes[0].id);
        drop.set(m.nodes[0].id, { check, nodes: m.nodes, kernel: m.registration.kernel });
      }
      return dropIns;
    },
    (d) => d.length,
  );
  const keep = new Set(claimed.keys());
  g = timed('canonicalize', () => canonicalize(g, keep), nodes);
  g = timed('fold-constants', () => foldConstants(g), nodes);
  const graph = g;
  const units = timed(
    'fuse',
    () => fuse(graph, claimed),
    (u) => u.length,
  );
  const layouts = timed(
    'layout',
    () => chooseLayouts(graph, units),
    (l) => l.size,
  );
  const steps = timed(
    'select-kernels',
    () => selectKernels(graph, units, layouts, drop, chip.name),
    (s) => s.length,
  );
  const plan = timed(
    'plan-hbm',
    () => planHbm(graph, steps),
    (p) => p.buffers.length,
  );
  return { source, graph, units, steps, plan, chip, dropIns, passes };
}
