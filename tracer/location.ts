import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SourceLoc, UNKNOWN_LOC } from '../ir/loc.ts';

/** tilekit's own source folders: their frames are never the user's line. `kernels/` and tests are user code. */
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const INTERNAL = ['ir', 'dsl', 'tracer', 'codegen', 'simulator', 'cli', 'graph', 'benchmarks'].map(
  (d) => resolve(ROOT, d) + sep,
);
const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

function isInternal(file: string): boolean {
  if (file.endsWith('.test.ts')) return false;
  return (
    file.startsWith('node:') ||
    file.includes(`${sep}node_modules${sep}`) ||
    INTERNAL.some((d) => file.startsWith(d)) ||
    !isAbsolute(file)
  );
}

/** Display form: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/** The innermost stack frame that is the user's code (not tilekit, not node, not a dependency). */
export function userLocation(): SourceLoc {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i].trim());
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (isInternal(file)) continue;
    return Object.freeze({ file: displayPath(file), line: Number(m[2]), column: Number(m[3]) });
  }
  return UNKNOWN_LOC;
}
