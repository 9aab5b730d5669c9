/**
 * Running a compiled graph on the simulator: each step's kernel is traced and compiled once, then simulated in
 * order on its inputs; values pass between steps as host arrays (views are free re-labellings). Every kernel's
 * Timeline gives its simulated latency and HBM traffic; kernels run back to back, so the graph's latency is their
 * sum. `timeGraph` gives the same timing without computing values (timing-only mode).
 */
import { compile } from '../codegen/compile.ts';
import type { Program } from '../codegen/program.ts';
import type { TensorSpec } from '../dsl/kernel.ts';
import { KernelError } from '../ir/errors.ts';
import { type HostArray, hostArray, randomArray } from '../ir/host.ts';
import { simulate, timeProgram } from '../simulator/simulate.ts';
import { summarize } from '../simulator/timing/metrics.ts';
import type { Timeline } from '../simulator/timing/timeline.ts';
import type { CompiledGraph } from './compile.ts';
import { graphError, nodeError } from './errors.ts';
import type { KernelStep, Step } from './passes/select.ts';
import { deviceDType } from './space.ts';
import type { Graph, NDArray, StaticType } from './types.ts';
import { fmtShape, numelOf } from './types.ts';

export type GraphInputValue =
  | HostArray
  | NDArray
  | { readonly shape: readonly number[]; readonly data: ArrayLike<number> };
export type GraphInputs = Readonly<Record<string, GraphInputValue>>;

export interface StepRun {
  readonly step: Step;
  /** Simulated latency of the kernel (0 for views). */
  readonly latencyNs: number;
  /** Bytes the kernel moved between HBM and the chip. */
  readonly hbmBytes: number;
  readonly instructions: number;
  readonly timeline?: Timeline;
  /**
   * How long each node's instructions were running (node id → ns): the union of their intervals on the engines and
   * DMA queues, so at most the kernel's latency; ops of one kernel overlap.
   */
  readonly busyByNode: ReadonlyMap<number, number>;
}

/** Busy time per node: the union of the intervals of the instructions emitted for it. */
function busyByNode(step: KernelStep, tl: Timeline): Map<number, number> {
  const spans = new Map<number, [number, number][]>(step.nodes.map((n) => [n.id, []]));
  for (const e of tl.entries) {
    const node = step.built.attribution?.get(e.id) ?? step.nodes[0].id;
    const list = spans.get(node) ?? [];
    list.push([e.start, e.end]);
    spans.set(node, list);
  }
  const out = new Map<number, number>();
  for (const [node, list] of spans) {
    list.sort((x, y) => x[0] - y[0]);
    let total = 0;
    let [s, e] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const [a, b] of list) {
      if (a > e) {
        if (e > s) total += e - s;
        [s, e] = [a, b];
      } else e = Math.max(e, b);
    }
    if (e > s) total += e - s;
    out.set(node, total);
  }
  return out;
}

export interface GraphRun {
  /** Outputs by graph output name (device dtypes: fp32, int32 for int64, uint8 for bool). */
  readonly outputs: ReadonlyMap<string, HostArray>;
  /** The inputs used, by name. */
  readonly inputs: ReadonlyMap<string, HostArray>;
  readonly steps: readonly StepRun[];
  readonly latencyNs: number;
  readonly hbmBytes: number;
}

const programs = new WeakMap<KernelStep, Program>();

/** The step's Program (traced and compiled on first use). */
export function stepProgram(cg: CompiledGraph, step: KernelStep): Program {
  let p = programs.get(step);
  if (!p) {
    const specs: TensorSpec[] = step.built.inputs.map((io) => ({ shape: io.shape, dtype: io.dtype }));
    try {
      p = compile(step.built.kernel.trace(specs), cg.chip);
    } catch (e) {
      if (step.built.source.startsWith('user:')) throw e;
      // A generated or library kernel that fails is tilekit's bug: say which node and keep the cause.
      if (e instanceof KernelError) {
        const notes = [...(e.loc ? [{ message: 'raised here', loc: e.loc }] : []), ...e.notes];
        throw nodeError(e.code, step.nodes[0], `kernel ${step.name} failed to compile: ${e.detail}`, notes);
      }
      throw nodeError(
        'TK0802',
        step.nodes[0],
        `kernel ${step.name} failed to compile: ${(e as Error).message}`,
      );
    }
    programs.set(step, p);
  }
  return p;
}

/** Seeded inputs for a graph: uniform in [-1, 1), per input (seed · 1000 + position). */
export function randomGraphInputs(g: Graph, seed = 0): Map<string, HostArray> {
  return new Map(
    g.inputs.map((id, i) => {
      const t = g.values[id].type as StaticType;
      return [g.values[id].name, randomArray(t.shape, deviceDType(t.dtype), seed * 1000 + i)];
    }),
  );
}

function asHost(
  v: GraphInputValue,
  shape: readonly number[],
  dtype: ReturnType<typeof deviceDType>,
  name: string,
): HostArray {
  if (
    numelOf(v.shape) !== numelOf(shape) ||
    v.shape.length !== shape.length ||
    v.shape.some((d, i) => d !== shape[i])
  ) {
    throw graphError('TK0809', `input '${name}' must be ${fmtShape(shape)}, got ${fmtShape(v.shape)}`);
  }
  if (v.data.length !== numelOf(shape)) {
    throw graphError('TK0809', `input '${name}' has ${v.data.length} values for ${fmtShape(shape)}`);
  }
  return hostArray(shape, dtype, v.data);
}

const reshaped = (a: HostArray, shape: readonly number[]): HostArray => ({
  shape,
  dtype: a.dtype,
  data: a.data,
});

/** Run the graph functionally; missing inputs are seeded random values. */
export function runGraph(
  cg: CompiledGraph,
  inputs: GraphInputs = {},
  opts: { seed?: number } = {},
): GraphRun {
  const g = cg.graph;
  const names = g.inputs.map((id) => g.values[id].name);
  for (const k of Object.keys(inputs)) {
    if (!names.includes(k))
      throw graphError('TK0809', `no graph input is named '${k}' (inputs: ${names.join(', ')})`);
  }
  const random = randomGraphInputs(g, opts.seed ?? 0);
  const store = new Map<number, HostArray>();
  const used = new Map<string, HostArray>();
  for (const id of g.inputs) {
    const v = g.values[id];
    const t = v.type as StaticType;
    const given = inputs[v.name];
    const host = given ? asHost(given, t.shape, deviceDType(t.dtype), v.name) : random.get(v.name)!;
    store.set(id, host);
    used.set(v.name, host);
  }
  const constCache = new Map<unknown, HostArray>();
  const valueAt = (
    id: number,
    shape: readonly number[],
    dtype: ReturnType<typeof deviceDType>,
    data?: NDArray,
  ): HostArray => {
    const d = data ?? g.values[id]?.data;
    if (d) {
      let h = constCache.get(d);
      if (!h) constCache.set(d, (h = hostArray(shape, dtype, d.data)));
      return reshaped(h, shape);
    }
    const h = store.get(id);
    if (!h) throw graphError('TK0804', `value '${g.values[id].name}' is read before it is computed`);
    return reshaped(h, shape);
  };
  const runs: StepRun[] = [];
  for (const step of cg.steps) {
    if (step.kind === 'view') {
      const t = g.values[step.output].type as StaticType;
      const src = g.values[step.input].data
        ? valueAt(step.input, t.shape, deviceDType(t.dtype))
        : store.get(step.input)!;
      store.set(step.output, reshaped(src, t.shape));
      runs.push({ step, latencyNs: 0, hbmBytes: 0, instructions: 0, busyByNode: new Map() });
      continue;
    }
    const program = stepProgram(cg, step);
    const args = step.built.inputs.map((io) => valueAt(io.value, io.shape, io.dtype, io.data));
    const result = simulate(program, args, { print: () => {} });
    step.built.outputs.forEach((io, i) => {
      const t = g.values[io.value].type as StaticType;
      store.set(io.value, reshaped(result.outputs[i], t.shape));
    });
    const s = summarize(result.timeline);
    runs.push({
      step,
      latencyNs: s.latencyNs,
      hbmBytes: s.hbmBytes,
      instructions: s.instructions,
      timeline: result.timeline,
      busyByNode: busyByNode(step, result.timeline),
    });
  }
  const outputs = new Map(
    g.outputs.map((id) => {
      const t = g.values[id].type as StaticType;
      return [g.values[id].name, store.get(id) ?? valueAt(id, t.shape, deviceDType(t.dtype))];
    }),
  );
  return {
    outputs,
    inputs: used,
    steps: runs,
    latencyNs: runs.reduce((s, r) => s + r.latencyNs, 0),
    hbmBytes: runs.reduce((s, r) => s + r.hbmBytes, 0),
  };
}

/** Timing only: every step's Timeline without computing values. */
export function timeGraph(cg: CompiledGraph): GraphRun {
  const runs: StepRun[] = cg.steps.map((step) => {
    if (step.kind === 'view')
      return { step, latencyNs: 0, hbmBytes: 0, instructions: 0, busyByNode: new Map() };
    const tl = timeProgram(stepProgram(cg, step));
    const s = summarize(tl);
    return {
      step,
      latencyNs: s.latencyNs,
      hbmBytes: s.hbmBytes,
      instructions: s.instructions,
      timeline: tl,
      busyByNode: busyByNode(step, tl),
    };
  });
  return {
    outputs: new Map(),
    inputs: new Map(),
    steps: runs,
    latencyNs: runs.reduce((s, r) => s + r.latencyNs, 0),
    hbmBytes: runs.reduce((s, r) => s + r.hbmBytes, 0),
  };
}
