/**
 * `tilekit ops`: the op table, generated from the registry (ir/ops/index.ts). Test counts and dtypes come from the
 * test sources, read statically: a test of an op is a registry-driven case object (`{ op: 'name', ... }`) or an
 * `it`/`test` block whose body calls `nisa.<name>(` or names the op in a string; the dtypes are those such cases
 * mention. Nothing is counted that does not name the op.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ts } from 'ts-morph';
import { DTYPE_NAMES, type DType } from '../ir/dtypes.ts';
import { OPS, type OpName } from '../ir/ops/index.ts';
import type { Engine } from '../ir/types.ts';
import { renderTable } from './table.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', 'fixtures']);

export interface OpRow {
  readonly op: OpName;
  readonly summary: string;
  /** Engines that can run it; the first is the default. */
  readonly engines: readonly Engine[];
  /** The dtypes its tests exercise. */
  readonly dtypes: readonly DType[];
  /** Every registry op is implemented: reference semantics, operand rules, cost rule. */
  readonly status: 'implemented';
  /** Test cases that name the op. */
  readonly tests: number;
  /** Where those tests are (repository-relative files). */
  readonly testFiles: readonly string[];
}

/** Test sources: every *.test.ts, and the case tables under tests/ (fixtures excluded: they are wrong on purpose). */
export function testSources(root = ROOT): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(join(dir, e.name));
      } else if (e.name.endsWith('.test.ts') || (e.name.endsWith('.ts') && relative(root, dir) === 'tests')) {
        files.push(join(dir, e.name));
      }
    }
  };
  walk(root);
  return files.sort();
}

interface Coverage {
  tests: number;
  dtypes: Set<DType>;
  files: Set<string>;
}

const DTYPE_SET: ReadonlySet<string> = new Set(DTYPE_NAMES);
const TEST_CALLS = new Set(['it', 'test']);

/** The callee's base name for `it(...)`, `it.each(...)(...)`, `test.only(...)`; skipped tests do not count. */
function testCallName(call: ts.CallExpression): string | undefined {
  let e: ts.Expression = call.expression;
  if (ts.isCallExpression(e)) e = e.expression;
  while (ts.isPropertyAccessExpression(e)) {
    if (e.name.text === 'skip' || e.name.text === 'todo') return undefined;
    e = e.expression;
  }
  return ts.isIdentifier(e) && TEST_CALLS.has(e.text) ? e.text : undefined;
}

/** Dtype names a node mentions: string literals ('bfloat16') and nl constants (nl.bfloat16). */
function dtypesIn(node: ts.Node, into: Set<DType>): void {
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteralLike(n) && DTYPE_SET.has(n.text)) into.add(n.text as DType);
    if (ts.isPropertyAccessExpression(n) && DTYPE_SET.has(n.name.text)) into.add(n.name.text as DType);
    ts.forEachChild(n, visit);
  };
  visit(node);
}

/** Ops a test body names: `nisa.<op>(` calls and string literals equal to an op name. */
function opsIn(node: ts.Node, ops: ReadonlySet<string>): Set<OpName> {
  const found = new Set<OpName>();
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteralLike(n) && ops.has(n.text)) found.add(n.text as OpName);
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === 'nisa' &&
      ops.has(n.expression.name.text)
    ) {
      found.add(n.expression.name.text as OpName);
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return found;
}

/** Registry-driven case objects: an object literal with `op: '<name>'`. */
function caseOp(n: ts.ObjectLiteralExpression, ops: ReadonlySet<string>): OpName | undefined {
  for (const p of n.properties) {
    if (
      ts.isPropertyAssignment(p) &&
      ts.isIdentifier(p.name) &&
      p.name.text === 'op' &&
      ts.isStringLiteralLike(p.initializer) &&
      ops.has(p.initializer.text)
    ) {
      return p.initializer.text as OpName;
    }
  }
  return undefined;
}

export function opCoverage(files = testSources(), root = ROOT): Map<OpName, Coverage> {
  const ops = new Set(Object.keys(OPS));
  const cov = new Map<OpName, Coverage>();
  const add = (op: OpName, file: string, node: ts.Node) => {
    let c = cov.get(op);
    if (!c) cov.set(op, (c = { tests: 0, dtypes: new Set(), files: new Set() }));
    c.tests++;
    c.files.add(relative(root, file));
    dtypesIn(node, c.dtypes);
  };
  for (const file of files) {
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      if (ts.isObjectLiteralExpression(n)) {
        const op = caseOp(n, ops);
        if (op) {
          add(op, file, n);
          return;
        }
      }
      if (ts.isCallExpression(n) && testCallName(n)) {
        const body = n.arguments[n.arguments.length - 1];
        if (body) for (const op of opsIn(body, ops)) add(op, file, body);
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return cov;
}

/** One row per registry op, in registry order. */
export function opsTable(files?: readonly string[]): OpRow[] {
  const cov = opCoverage(files ? [...files] : undefined);
  return (Object.keys(OPS) as OpName[]).map((op) => {
    const c = cov.get(op);
    return {
      op,
      summary: OPS[op].summary,
      engines: OPS[op].engines,
      dtypes: DTYPE_NAMES.filter((d) => c?.dtypes.has(d)),
      status: 'implemented',
      tests: c?.tests ?? 0,
      testFiles: c ? [...c.files].sort() : [],
    };
  });
}

export function formatOpsTable(rows: readonly OpRow[]): string {
  const table = renderTable<OpRow>(
    [
      { header: 'op', cell: (r) => r.op },
      { header: 'engines', cell: (r) => r.engines.join(',') },
      { header: 'status', cell: (r) => r.status },
      { header: 'tests', align: 'right', cell: (r) => String(r.tests) },
      { header: 'dtypes tested', cell: (r) => r.dtypes.join(',') || '-' },
    ],
    rows,
  );
  const untested = rows.filter((r) => r.tests === 0).length;
  return `${table}\n${rows.length} ops${untested ? `, ${untested} without a test` : ', each with at least one test'}\n`;
}

export function opsTableJSON(rows: readonly OpRow[]): string {
  return `${JSON.stringify({ ops: rows }, null, 2)}\n`;
}
