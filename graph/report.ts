/**
 * What a graph run reports: a per-kernel table of the ops each kernel serves (simulated latency, HBM traffic,
 * instructions) and the total, as text and as JSON, and one Perfetto / Chrome trace of the whole graph: the kernels'
 * timelines laid end to end, with a track of graph ops above the engine tracks.
 */
import { renderTable } from '../cli/table.ts';
import { formatLoc } from '../ir/loc.ts';
import { type ChromeTrace, type TraceEvent, toChromeTrace } from '../simulator/timing/chrome-trace.ts';
import type { CompiledGraph } from './compile.ts';
import { describeNode, originLoc } from './errors.ts';
import type { GraphRun, StepRun } from './execute.ts';
import type { StaticType } from './types.ts';

export interface StepRow {
  readonly index: number;
  readonly kernel: string;
  /** 'generated', 'library:<name>', 'user:<name>' or 'view'. */
  readonly source: string;
  readonly ops: readonly string[];
  readonly nodes: readonly string[];
  readonly shape: readonly number[];
  readonly latencyNs: number;
  readonly hbmBytes: number;
  readonly instructions: number;
  /** Each op of the kernel: its output shape and the engine / DMA time of the instructions emitted for it. */
  readonly opTimes: readonly {
    readonly op: string;
    readonly node: string;
    readonly shape: readonly number[];
    readonly busyNs: number;
    /** Computed by the instructions of the kernel's first op (e.g. a bias row or activation folded into a matmul). */
    readonly folded: boolean;
  }[];
}

export interface GraphReport {
  readonly graph: string;
  readonly chip: string;
  readonly inputs: Readonly<Record<string, readonly number[]>>;
  readonly steps: readonly StepRow[];
  readonly latencyNs: number;
  readonly hbmBytes: number;
  /** Source nodes computed at compile time (constants, shape arithmetic): op → count. */
  readonly folded: Readonly<Record<string, number>>;
  readonly plan: {
    readonly activationBytes: number;
    readonly unsharedBytes: number;
    readonly weightBytes: number;
  };
  readonly dropIns: CompiledGraph['dropIns'];
  readonly passes: CompiledGraph['passes'];
  readonly outputs: Readonly<
    Record<string, { readonly shape: readonly number[]; readonly head: readonly number[] }>
  >;
}

function row(cg: CompiledGraph, r: StepRun): StepRow {
  const s = r.step;
  const out = s.kind === 'view' ? s.output : s.built.outputs[0]?.value;
  const t = out === undefined ? undefined : (cg.graph.values[out].type as StaticType);
  return {
    index: s.index,
    kernel: s.kind === 'view' ? '-' : s.name,
    source: s.kind === 'view' ? 'view' : s.built.source,
    ops: s.nodes.map((n) => n.op),
    nodes: s.nodes.map((n) => n.name),
    shape: t?.shape ?? [],
    latencyNs: r.latencyNs,
    hbmBytes: r.hbmBytes,
    instructions: r.instructions,
    opTimes: s.nodes.map((n) => ({
      op: n.op,
      node: n.name,
      shape: (cg.graph.values[n.outputs[0]].type as StaticType).shape,
      busyNs: r.busyByNode.get(n.id) ?? 0,
      folded: s.kind === 'kernel' && (s.built.absorbed?.has(n.id) ?? false),
    })),
  };
}

/** Nodes of the source graph that no step runs: folded at compile time. */
function foldedOps(cg: CompiledGraph): Record<string, number> {
  const kept = new Set(cg.graph.nodes.map((n) => n.id));
  const out: Record<string, number> = {};
  for (const n of cg.source.nodes)
    if (!kept.has(n.id) && !rewritten(cg, n.id)) out[n.op] = (out[n.op] ?? 0) + 1;
  return out;
}

/** Nodes replaced by canonical ones (Gemm, BatchNormalization, global pools) count as run, not folded. */
function rewritten(cg: CompiledGraph, id: number): boolean {
  const src = cg.source.nodes.find((n) => n.id === id)!;
  return cg.graph.nodes.some((n) => n.origin.kind === 'pass' && sameOrigin(n.origin.from, src.origin));
}

function sameOrigin(a: CompiledGraph['graph']['nodes'][number]['origin'], b: typeof a): boolean {
  if (a.kind === 'onnx' && b.kind === 'onnx') return a.index === b.index && a.file === b.file;
  if (a.kind === 'ts' && b.kind === 'ts') return a.loc === b.loc;
  return false;
}

export function graphReport(cg: CompiledGraph, run: GraphRun): GraphReport {
  const g = cg.graph;
  return {
    graph: g.name,
    chip: cg.chip.name,
    inputs: Object.fromEntries(
      g.inputs.map((id) => [g.values[id].name, (g.values[id].type as StaticType).shape]),
    ),
    steps: run.steps.map((r) => row(cg, r)),
    latencyNs: run.latencyNs,
    hbmBytes: run.hbmBytes,
    folded: foldedOps(cg),
    plan: {
      activationBytes: cg.plan.activationBytes,
      unsharedBytes: cg.plan.unsharedBytes,
      weightBytes: cg.plan.weightBytes,
    },
    dropIns: cg.dropIns,
    passes: cg.passes,
    outputs: Object.fromEntries(
      [...run.outputs].map(([name, h]) => [
        name,
        { shape: h.shape, head: Array.from(h.data.subarray(0, 6)) },
      ]),
    ),
  };
}

const us = (ns: number) => (ns / 1000).toFixed(2);
const kib = (b: number) => (b / 1024).toFixed(1);

function opsCell(ops: readonly string[]): string {
  const s = ops.join('+');
  return s.length > 48 ? `${s.slice(0, 45)}...` : s;
}

interface OpRow {
  readonly step: StepRow;
  readonly first: boolean;
  readonly op: StepRow['opTimes'][number];
}

/** One row per op: the kernel serving it, its output shape and its instructions' engine time; kernel totals once. */
function perOpTable(steps: readonly StepRow[]): string {
  const rows: OpRow[] = steps.flatMap((step) => step.opTimes.map((op, k) => ({ step, first: k === 0, op })));
  const view = (r: OpRow) => r.step.source === 'view';
  return renderTable<OpRow>(
    [
      { header: '#', align: 'right', cell: (r) => (r.first ? String(r.step.index) : '') },
      { header: 'op', cell: (r) => r.op.op },
      { header: 'node', cell: (r) => r.op.node },
      {
        header: 'kernel',
        cell: (r) => (view(r) ? 'view (no kernel)' : r.first ? `${r.step.kernel} (${r.step.source})` : '  "'),
      },
      { header: 'shape', cell: (r) => `[${r.op.shape.join(', ')}]` },
      {
        header: 'op busy us',
        align: 'right',
        cell: (r) => (view(r) ? '-' : r.op.folded ? `in ${r.step.opTimes[0].op}` : us(r.op.busyNs)),
      },
      {
        header: 'kernel us',
        align: 'right',
        cell: (r) => (view(r) ? '-' : r.first ? us(r.step.latencyNs) : ''),
      },
      {
        header: 'HBM KiB',
        align: 'right',
        cell: (r) => (view(r) ? '-' : r.first ? kib(r.step.hbmBytes) : ''),
      },
    ],
    rows,
  ).trimEnd();
}

/**
 * The terminal table: one row per kernel (and per view), or with `perOp` one row per op (engine time of the
 * instructions emitted for it; concurrent engines overlap, so an op's time is not a share of the kernel's), then the
 * total.
 */
export function formatGraphReport(r: GraphReport, opts: { perOp?: boolean } = {}): string {
  const lines: string[] = [];
  const inputs = Object.entries(r.inputs)
    .map(([k, v]) => `${k} [${v.join(', ')}]`)
    .join(', ');
  lines.push(`graph  ${r.graph}  on ${r.chip}  inputs ${inputs}`, '');
  if (opts.perOp) lines.push(perOpTable(r.steps));
  else
    lines.push(
      renderTable<StepRow>(
        [
          { header: '#', align: 'right', cell: (s) => String(s.index) },
          { header: 'op', cell: (s) => opsCell(s.ops) },
          {
            header: 'node',
            cell: (s) => (s.nodes.length > 1 ? `${s.nodes[0]} (+${s.nodes.length - 1})` : s.nodes[0]),
          },
          { header: 'kernel', cell: (s) => (s.source === 'view' ? 'view (no kernel)' : s.source) },
          { header: 'shape', cell: (s) => `[${s.shape.join(', ')}]` },
          { header: 'sim us', align: 'right', cell: (s) => (s.source === 'view' ? '-' : us(s.latencyNs)) },
          { header: 'HBM KiB', align: 'right', cell: (s) => (s.source === 'view' ? '-' : kib(s.hbmBytes)) },
          {
            header: 'instrs',
            align: 'right',
            cell: (s) => (s.source === 'view' ? '-' : String(s.instructions)),
          },
        ],
        r.steps,
      ).trimEnd(),
    );
  const kernels = r.steps.filter((s) => s.source !== 'view').length;
  const ops = r.steps.reduce((n, s) => n + s.ops.length, 0);
  lines.push(
    '',
    `total  ${us(r.latencyNs)} us simulated, ${kib(r.hbmBytes)} KiB HBM traffic, ${ops} ops in ${kernels} kernels (run back to back)`,
  );
  const folded = Object.entries(r.folded);
  if (folded.length) {
    lines.push(`folded at compile time  ${folded.map(([op, n]) => `${op} x${n}`).join(', ')}`);
  }
  lines.push(
    `HBM plan  activations ${kib(r.plan.activationBytes)} KiB with reuse (${kib(r.plan.unsharedBytes)} KiB without), weights ${kib(r.plan.weightBytes)} KiB`,
  );
  for (const d of r.dropIns) {
    lines.push(
      d.accepted
        ? `drop-in  ${d.kernel} serves ${d.ops} (${d.nodes.join(', ')}) on ${d.shape}: checked, max abs error ${d.maxAbsError?.toExponential(2)}`
        : `drop-in  ${d.kernel} declined ${d.ops} (${d.nodes.join(', ')}) on ${d.shape}: ${d.reason}`,
    );
  }
  for (const [name, o] of Object.entries(r.outputs)) {
    const more = o.shape.reduce((a, b) => a * b, 1) > o.head.length ? ' ...' : '';
    lines.push(
      `output ${name} [${o.shape.join(', ')}]  ${o.head.map((v) => Number(v.toPrecision(4))).join(' ')}${more}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The whole graph as one Chrome / Perfetto trace: kernel timelines end to end, plus a "graph ops" track. */
export function graphTrace(cg: CompiledGraph, run: GraphRun): ChromeTrace {
  const GRAPH_TID = 0;
  const events: TraceEvent[] = [];
  const meta = new Map<string, TraceEvent>();
  const title = `${cg.graph.name} on ${cg.chip.name} (${cg.chip.core})`;
  meta.set('process', { name: 'process_name', ph: 'M', pid: 0, tid: 0, args: { name: title } });
  meta.set('graph', { name: 'thread_name', ph: 'M', pid: 0, tid: GRAPH_TID, args: { name: 'graph ops' } });
  meta.set('graph-sort', {
    name: 'thread_sort_index',
    ph: 'M',
    pid: 0,
    tid: GRAPH_TID,
    args: { sort_index: -1 },
  });
  let offsetUs = 0;
  const byId = new Map(cg.graph.nodes.map((n) => [n.id, n]));
  for (const r of run.steps) {
    if (!r.timeline || r.step.kind === 'view') continue;
    const s = r.step;
    const durUs = r.latencyNs / 1000;
    events.push({
      name: s.nodes.map((n) => n.op).join('+'),
      cat: 'graph',
      ph: 'X',
      pid: 0,
      tid: GRAPH_TID,
      ts: offsetUs,
      dur: durUs,
      args: {
        kernel: s.name,
        source: s.built.source,
        nodes: s.nodes.map((n) => n.name),
        hbmBytes: r.hbmBytes,
      },
    });
    const t = toChromeTrace(r.timeline, s.name);
    for (const e of t.traceEvents) {
      if (e.ph === 'M') {
        if (e.name !== 'process_name') meta.set(`${e.name}:${e.tid}`, e);
        continue;
      }
      // The graph node each instruction serves, and where that node came from (its TS line or ONNX node).
      const id = e.args?.id as number | undefined;
      const node = byId.get((id !== undefined && s.built.attribution?.get(id)) || s.nodes[0].id)!;
      const loc = originLoc(node.origin);
      const where = loc && loc.line > 0 ? formatLoc(loc) : describeNode(node);
      const source = e.args?.source === '<unknown>:0:0' ? where : e.args?.source;
      events.push({
        ...e,
        ts: (e.ts ?? 0) + offsetUs,
        args: { ...e.args, source, kernel: s.name, op: node.op, node: node.name },
      });
    }
    offsetUs += durUs;
  }
  return {
    traceEvents: [...meta.values(), ...events],
    displayTimeUnit: 'ns',
    otherData: {
      graph: cg.graph.name,
      chip: cg.chip.name,
      latencyNs: run.latencyNs,
      kernels: run.steps.filter((r) => r.timeline).length,
    },
  };
}
