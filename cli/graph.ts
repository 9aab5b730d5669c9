/**
 * `tilekit graph <model.onnx | graph.ts>`: load a model (ONNX, or a TypeScript file exporting `graph`), drop in
 * kernels from the user's files (`--kernel Softmax=./my_softmax.ts`), compile, run on the simulated chip and report
 * the per-kernel table, the total and the outputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Kernel } from '../dsl/kernel.ts';
import { Kernel as KernelClass } from '../dsl/kernel.ts';
import { GraphBuilder } from '../graph/builder.ts';
import { type CompiledGraph, compileGraph } from '../graph/compile.ts';
import { graphError } from '../graph/errors.ts';
import { type GraphInputs, type GraphRun, runGraph } from '../graph/execute.ts';
import { loadOnnx } from '../graph/onnx/import.ts';
import { KernelRegistry, type ShapeRule } from '../graph/registry.ts';
import { formatGraphReport, type GraphReport, graphReport, graphTrace } from '../graph/report.ts';
import type { Graph } from '../graph/types.ts';
import type { Tolerance } from '../ir/host.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { displayPath } from '../tracer/location.ts';
import { loadKernelModule } from './load.ts';

export interface GraphFileOptions {
  readonly chip?: string | ChipConfig;
  /** `x=1,3,48,320`, one per dynamic input. */
  readonly inputShape?: readonly string[];
  /** `Softmax=./my_softmax.ts`, `MatMul+Add=./f.ts#fused`. */
  readonly kernel?: readonly string[];
  /** A JSON file of named inputs: { name: { shape, data } }. */
  readonly inputs?: string;
  /** Write the outputs there, in the same format. */
  readonly outputs?: string;
  /** Write the whole graph's Perfetto trace there. */
  readonly trace?: string;
  /** Seed of the random inputs (default 0). */
  readonly seed?: number;
  /** One table row per op instead of per kernel. */
  readonly perOp?: boolean;
}

export interface GraphFileResult {
  readonly report: GraphReport;
  readonly compiled: CompiledGraph;
  readonly run: GraphRun;
}

/** `x=1,3,48,320` → ['x', [1, 3, 48, 320]]. */
export function parseInputShape(arg: string): [string, number[]] {
  const m = /^([^=]+)=(\d+(?:,\d+)*)$/.exec(arg.trim());
  if (!m) throw graphError('TK0809', `--input-shape '${arg}' must look like name=1,3,48,320`);
  return [m[1], m[2].split(',').map(Number)];
}

/** Load a graph: an .onnx model, or a TypeScript module exporting `graph` (a Graph, GraphBuilder or function). */
export async function loadGraphFile(file: string): Promise<{ graph: Graph; registry?: KernelRegistry }> {
  if (!/\.[cm]?[jt]s$/.test(file)) return { graph: loadOnnx(file) }; // .onnx, or any other model file
  const mod = await loadKernelModule(file);
  let g = mod.exports.graph;
  if (typeof g === 'function') g = (g as () => unknown)();
  if (g instanceof GraphBuilder) g = g.build();
  const isGraph = (x: unknown): x is Graph =>
    typeof x === 'object' && x !== null && 'nodes' in x && 'values' in x;
  if (!isGraph(g)) {
    throw graphError(
      'TK0810',
      `${displayPath(mod.file)} exports no graph: export const graph = builder.build() (or the builder, or a function returning the graph)`,
    );
  }
  const registry = mod.exports.registry instanceof KernelRegistry ? mod.exports.registry : undefined;
  return { graph: g, registry };
}

/** `Op=file.ts[#export]` → a registration from the user's file (its kernel, `shapeRule`, `tolerance`). */
export async function registerFromFile(registry: KernelRegistry, arg: string): Promise<void> {
  const m = /^([A-Za-z][\w+]*)=(.+?)(?:#([\w$]+))?$/.exec(arg.trim());
  if (!m)
    throw graphError(
      'TK0808',
      `--kernel '${arg}' must look like Softmax=./my_softmax.ts (or MatMul+Add=./f.ts#name)`,
    );
  const [, target, file, exportName] = m;
  const mod = await loadKernelModule(file);
  const kernels = Object.entries(mod.exports).filter(([, v]) => v instanceof KernelClass) as [
    string,
    Kernel,
  ][];
  let chosen: [string, Kernel] | undefined;
  if (exportName) chosen = kernels.find(([k]) => k === exportName);
  else if (kernels.length === 1) chosen = kernels[0];
  else chosen = kernels.find(([k]) => k === 'default');
  if (!chosen) {
    const names = kernels.map(([k]) => k).join(', ') || 'none';
    throw graphError(
      'TK0808',
      exportName
        ? `${displayPath(mod.file)} exports no kernel named '${exportName}' (kernels: ${names})`
        : `${displayPath(mod.file)} exports ${kernels.length} kernels (${names}); pick one with ${target}=${file}#name`,
    );
  }
  const shapeRule =
    typeof mod.exports.shapeRule === 'function' ? (mod.exports.shapeRule as ShapeRule) : undefined;
  const tolerance = mod.exports.tolerance as Tolerance | undefined;
  const name = chosen[0] === 'default' ? chosen[1].name : chosen[0];
  registry.register(target.split('+'), chosen[1], { shapeRule, tolerance, name });
}

/** Read `{ name: { shape, data } }`. */
export function readInputsFile(path: string): Record<string, { shape: number[]; data: number[] }> {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw graphError('TK0809', `cannot read inputs from ${displayPath(path)}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw graphError('TK0809', `${displayPath(path)} must be an object { name: { shape, data } }`);
  }
  const out: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const e = v as { shape?: unknown; data?: unknown };
    const ok =
      Array.isArray(e?.shape) &&
      e.shape.every((d) => Number.isInteger(d) && d > 0) &&
      Array.isArray(e.data) &&
      e.data.every((x) => typeof x === 'number');
    if (!ok)
      throw graphError(
        'TK0809',
        `input '${k}' in ${displayPath(path)} needs { "shape": [...], "data": [numbers, flat row-major] }`,
      );
    out[k] = { shape: e.shape as number[], data: e.data as number[] };
  }
  return out;
}

export async function runGraphFile(file: string, opts: GraphFileOptions = {}): Promise<GraphFileResult> {
  const { graph, registry: fromFile } = await loadGraphFile(file);
  const registry = fromFile ?? new KernelRegistry();
  for (const k of opts.kernel ?? []) await registerFromFile(registry, k);
  const inputs: GraphInputs = opts.inputs ? readInputsFile(opts.inputs) : {};
  // Shapes of the given inputs fix dynamic dims too; --input-shape wins.
  const inputShapes: Record<string, number[]> = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, [...v.shape]]),
  );
  for (const a of opts.inputShape ?? []) {
    const [name, shape] = parseInputShape(a);
    inputShapes[name] = shape;
  }
  const compiled = compileGraph(graph, { chip: opts.chip, inputShapes, registry });
  const run = runGraph(compiled, inputs, { seed: opts.seed ?? 0 });
  if (opts.outputs) {
    const doc = Object.fromEntries(
      [...run.outputs].map(([k, h]) => [k, { shape: h.shape, data: Array.from(h.data) }]),
    );
    writeFileSync(opts.outputs, `${JSON.stringify(doc)}\n`);
  }
  if (opts.trace) writeFileSync(opts.trace, JSON.stringify(graphTrace(compiled, run)));
  return { report: graphReport(compiled, run), compiled, run };
}

export function formatGraphFileReport(r: GraphFileResult, opts: GraphFileOptions = {}): string {
  const extra: string[] = [];
  if (opts.outputs) extra.push(`outputs written to ${opts.outputs}`);
  if (opts.trace) extra.push(`trace written to ${opts.trace} (open it in ui.perfetto.dev)`);
  return formatGraphReport(r.report, { perOp: opts.perOp }) + (extra.length ? `${extra.join('\n')}\n` : '');
}
