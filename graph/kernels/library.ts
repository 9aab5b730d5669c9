/**
 * Library kernels for graph ops: a lone row op (one not fused into a matmul or conv epilogue) runs as the tuned,
 * tested kernel of kernels/ when one exists for it, called on [rows, cols] views of its tensors. One adapter per op,
 * typed over the row ops.
 */
import { libraryKernel } from '../../kernels/index.ts';
import type { LibraryKernel, ShapeParams } from '../../kernels/library.ts';
import type { OpNameOfKind } from '../ops/index.ts';
import { AttrReader } from '../ops/op-def.ts';
import type { FusedGroup } from '../passes/fuse.ts';
import { sizes } from '../space.ts';
import type { Graph, Node, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import type { BuiltKernel, KernelIO } from './io.ts';

interface Call {
  readonly shape: ShapeParams;
  readonly meta?: ShapeParams;
  /** Kernel inputs after x ([rows, cols]): the node's inputs as [cols] vectors. */
  readonly vectors: readonly number[];
}

type Adapter = {
  readonly library: string;
  accept(g: Graph, n: Node, rows: number, cols: number): Call | undefined;
};

const vec = (g: Graph, v: number | null | undefined, cols: number) =>
  v != null && numelOf((g.values[v].type as StaticType).shape) === cols;

export const LIBRARY_ADAPTERS = {
  Softmax: { library: 'softmax', accept: (_g, _n, rows, cols) => ({ shape: { rows, cols }, vectors: [] }) },
  LogSoftmax: undefined,
  RMSNormalization: {
    library: 'rmsnorm',
    accept: (g, n, rows, cols) =>
      vec(g, n.inputs[1], cols)
        ? {
            shape: { rows, cols },
            meta: { eps: new AttrReader(n.attrs).float('epsilon', 1e-5) },
            vectors: [n.inputs[1]!],
          }
        : undefined,
  },
  LayerNormalization: {
    library: 'layernorm',
    // The library kernel has kernels.md's ε = 1e-5 built in, and needs both γ and β.
    accept: (g, n, rows, cols) =>
      Math.abs(new AttrReader(n.attrs).float('epsilon', 1e-5) - 1e-5) < 1e-12 &&
      vec(g, n.inputs[1], cols) &&
      vec(g, n.inputs[2], cols)
        ? { shape: { rows, cols }, vectors: [n.inputs[1]!, n.inputs[2]!] }
        : undefined,
  },
} as const satisfies Record<OpNameOfKind<'row'>, Adapter | undefined>;

function find(name: string): LibraryKernel | undefined {
  try {
    return libraryKernel(name);
  } catch {
    return undefined;
  }
}

/** A row op that a library kernel can serve when it runs alone. */
export function hasLibraryKernel(op: string): boolean {
  const a = (LIBRARY_ADAPTERS as Record<string, Adapter | undefined>)[op];
  return a !== undefined && find(a.library) !== undefined;
}

/** The library kernel for a group made of one fp32 row op over its last axes, if its adapter accepts it. */
export function libraryKernelFor(g: Graph, group: FusedGroup, chip: string): BuiltKernel | undefined {
  if (group.anchor || group.nodes.length !== 1) return undefined;
  const n = group.nodes[0];
  const adapter = (LIBRARY_ADAPTERS as Record<string, Adapter | undefined>)[n.op];
  const lib = adapter && find(adapter.library);
  if (!adapter || !lib) return undefined;
  const x = g.values[n.inputs[0]!].type as StaticType;
  if (x.dtype !== 'float32') return undefined;
  const { O, C, F } = sizes(group.space);
  const call = adapter.accept(g, n, O * C, F);
  if (!call) return undefined;
  const built = lib.build(call.shape, 'float32', { chip, ...(call.meta ? { meta: call.meta } : {}) });
  const io = (v: number, shape: readonly number[]): KernelIO => ({
    value: v,
    name: g.values[v].name,
    shape,
    dtype: 'float32',
  });
  // The library's own input specs say how it wants the vectors ([cols] or [1, cols]).
  const specs = built.inputs;
  return {
    kernel: built.kernel,
    inputs: [io(n.inputs[0]!, [O * C, F]), ...call.vectors.map((v, i) => io(v, specs[i + 1]?.shape ?? [F]))],
    outputs: [io(n.outputs[0], [O * C, F])],
    source: `library:${adapter.library}`,
  };
}
