import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SourceLoc, UNKNOWN_LOC } from '../ir/loc.ts';

/** tilekit's own source folders: their frames are never the user's line. `kernels/` and tests are user code. */
const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const INTERNAL = ['ir', 'dsl', 'tracer', 'codegen', 'simulator', 'cli', 'graph', 'benchmarks'].map(
  (d) => resolve(ROOT, d) + sep,
);
const FRAME = /\(?((?:file:\/\/)?[^()\s]+?):(\d+):(\d+)\)?$/;

const EXAMPLES = resolve(ROOT, 'graph', 'examples') + sep;

function isInternal(file: string): boolean {
  if (file.endsWith('.test.ts') || file.startsWith(EXAMPLES)) return false;
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

function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** The user frame from a formatted (source-mapped) stack: the slow path, once per call site. */
function mappedUserLocation(): SourceLoc {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const m = FRAME.exec(lines[i].trim());
    if (!m) continue;
    const file = toPath(m[1]);
    if (isInternal(file)) continue;
    return Object.freeze({ file: displayPath(file), line: Number(m[2]), column: Number(m[3]) });
  }
  return UNKNOWN_LOC;
}

const rawFrames = (_e: Error, frames: NodeJS.CallSite[]): NodeJS.CallSite[] => frames;
const internalFile = new Map<string, boolean>();
/** Source-mapped location per raw (generated-code) call site: formatting a mapped stack is the expensive part. */
const byCallSite = new Map<string, SourceLoc>();

/**
 * The innermost stack frame that is the user's code (not tilekit, not node, not a dependency). The raw call sites
 * identify the user frame cheaply; its source-mapped line is computed once per distinct call site and cached.
 */
export function userLocation(): SourceLoc {
  return userFrame(6) ?? userFrame(24) ?? userFrame(128) ?? UNKNOWN_LOC;
}

/** Look for the user frame among the innermost `depth` frames (most are found within a dozen). */
function userFrame(depth: number): SourceLoc | undefined {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  Error.prepareStackTrace = rawFrames;
  Error.stackTraceLimit = depth;
  const holder: { stack?: unknown } = {};
  Error.captureStackTrace(holder, userFrame);
  const frames = holder.stack as NodeJS.CallSite[] | undefined;
  Error.prepareStackTrace = savedPrepare;
  Error.stackTraceLimit = savedLimit;
  if (!Array.isArray(frames)) return mappedUserLocation();
  for (const f of frames) {
    const name = f.getFileName();
    if (!name) continue;
    let internal = internalFile.get(name);
    if (internal === undefined) internalFile.set(name, (internal = isInternal(toPath(name))));
    if (internal) continue;
    const key = `${name}:${f.getLineNumber()}:${f.getColumnNumber()}`;
    let loc = byCallSite.get(key);
    if (!loc) byCallSite.set(key, (loc = mappedUserLocation()));
    return loc;
  }
  return depth >= 128 ? UNKNOWN_LOC : undefined;
}
