/**
 * The kernel's source with each line's share of each engine's time. Every Timeline entry carries the user's source
 * line (`loc`); durations are summed per line and engine (compute engines: start to end; DMA: the time the DMA
 * engines spent on the transfer). ts-morph finds the kernel function: the function passed to the `kernel(...)`
 * call at the kernel's location, else the smallest function holding every costed line of the file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Node as TsNode } from 'ts-morph';
import type { SourceLoc } from '../../ir/loc.ts';
import { REPORTED_ENGINES, type ReportedEngine } from '../../simulator/timing/metrics.ts';
import type { Timeline } from '../../simulator/timing/timeline.ts';

export type EngineNs = Record<ReportedEngine, number>;

export interface SourceLine {
  readonly line: number;
  readonly text: string;
  readonly ns: EngineNs;
}

export interface SourceView {
  /** The kernel's file, as instructions name it (relative to the working directory when inside it). */
  readonly file: string;
  /** The kernel function's lines (inclusive); empty when the file could not be read. */
  readonly lines: readonly SourceLine[];
  /** Costed lines outside the function: helpers in the same file, and other files. */
  readonly elsewhere: readonly { readonly loc: string; readonly text: string; readonly ns: EngineNs }[];
  /** Each engine's total time over all lines: the denominators of the shares. */
  readonly totals: EngineNs;
  /** Why the source is missing or partial, if it is. */
  readonly note?: string;
}

const zero = (): EngineNs => ({ tensor: 0, vector: 0, scalar: 0, gpsimd: 0, dma: 0 });

/** Engine time per file and line. */
export function costByLine(tl: Timeline): { byLine: Map<string, Map<number, EngineNs>>; totals: EngineNs } {
  const { program } = tl;
  const byLine = new Map<string, Map<number, EngineNs>>();
  const totals = zero();
  const add = (loc: SourceLoc, engine: ReportedEngine, ns: number) => {
    let lines = byLine.get(loc.file);
    if (!lines) byLine.set(loc.file, (lines = new Map()));
    let c = lines.get(loc.line);
    if (!c) lines.set(loc.line, (c = zero()));
    c[engine] += ns;
    totals[engine] += ns;
  };
  for (const e of tl.entries) {
    const engine = program.instrs[e.id].engine;
    if (engine === 'dma' || engine === 'sync') continue;
    add(e.loc, engine, e.end - e.start);
  }
  for (const s of tl.dma) add(program.instrs[s.id].loc, 'dma', s.end - s.start);
  return { byLine, totals };
}

/** [first, last] line of the kernel function in `text` (see the module comment), or undefined. */
export async function kernelFunctionRange(
  text: string,
  kernelLoc: SourceLoc | undefined,
  costed: readonly number[],
): Promise<[number, number] | undefined> {
  const { Node, Project } = await import('ts-morph');
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const sf = project.createSourceFile('kernel.ts', text);
  const isFunction = (n: TsNode): boolean =>
    Node.isFunctionDeclaration(n) ||
    Node.isFunctionExpression(n) ||
    Node.isArrowFunction(n) ||
    Node.isMethodDeclaration(n);
  const functions = sf.getDescendants().filter(isFunction);
  const range = (n: (typeof functions)[number]): [number, number] => [
    n.getStartLineNumber(),
    n.getEndLineNumber(),
  ];
  if (kernelLoc) {
    const pos = sf.compilerNode.getPositionOfLineAndCharacter(
      kernelLoc.line - 1,
      Math.max(0, kernelLoc.column - 1),
    );
    const calls = sf
      .getDescendants()
      .filter(
        (n) =>
          Node.isCallExpression(n) &&
          ((n.getStart() <= pos && pos < n.getEnd()) || n.getStartLineNumber() === kernelLoc.line),
      )
      .sort((a, b) => a.getWidth() - b.getWidth());
    for (const call of calls) {
      if (!Node.isCallExpression(call)) continue;
      const fn = call.getArguments().find(isFunction);
      if (fn) return range(fn);
    }
  }
  if (costed.length === 0) return undefined;
  const lo = Math.min(...costed);
  const hi = Math.max(...costed);
  const holding = functions
    .map(range)
    .filter(([a, b]) => a <= lo && hi <= b)
    .sort((p, q) => p[1] - p[0] - (q[1] - q[0]));
  return holding[0] ?? [lo, hi];
}

/** The source view of a run whose kernel was defined at `kernelLoc`. */
export async function sourceView(tl: Timeline, kernelLoc: SourceLoc): Promise<SourceView> {
  const { byLine, totals } = costByLine(tl);
  const files = [...byLine.keys()];
  const weight = (f: string) =>
    [...byLine.get(f)!.values()].reduce((s, c) => s + REPORTED_ENGINES.reduce((t, e) => t + c[e], 0), 0);
  const file =
    kernelLoc.file !== '<unknown>' && existsSync(resolve(kernelLoc.file))
      ? kernelLoc.file
      : ([...files].sort((a, b) => weight(b) - weight(a))[0] ?? kernelLoc.file);
  const texts = new Map<string, string[] | undefined>();
  const linesOf = (f: string) => {
    if (!texts.has(f)) {
      const path = resolve(f);
      texts.set(f, existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/) : undefined);
    }
    return texts.get(f);
  };
  const src = linesOf(file);
  const own = byLine.get(file) ?? new Map<number, EngineNs>();
  let lines: SourceLine[] = [];
  let note: string | undefined;
  let inRange = (_line: number) => false;
  if (!src) {
    note = `the kernel's source file ${file} could not be read; costs are listed by line below`;
  } else {
    const r = await kernelFunctionRange(src.join('\n'), kernelLoc.file === file ? kernelLoc : undefined, [
      ...own.keys(),
    ]);
    const [a, b] = r ?? [1, src.length];
    inRange = (line) => line >= a && line <= b;
    lines = [];
    for (let n = a; n <= b; n++) lines.push({ line: n, text: src[n - 1] ?? '', ns: own.get(n) ?? zero() });
    if (!r) note = 'no kernel function found; showing the whole file';
  }
  const elsewhere: SourceView['elsewhere'][number][] = [];
  for (const f of files) {
    for (const [line, ns] of [...byLine.get(f)!].sort((p, q) => p[0] - q[0])) {
      if (f === file && inRange(line)) continue;
      elsewhere.push({ loc: `${f}:${line}`, text: (linesOf(f)?.[line - 1] ?? '').trim(), ns });
    }
  }
  return { file, lines, elsewhere, totals, ...(note ? { note } : {}) };
}
