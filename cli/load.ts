/**
 * Loading a user's kernel file: a TypeScript module anywhere on disk that imports from 'tilekit'.
 *
 * Two loaders make that work (cli/register.js). tsx compiles TypeScript on import; `cli/resolve-hook.js`, a Node resolve hook,
 * maps the bare specifier `tilekit` to this repository's `index.ts`, so the user's file and the CLI share one copy
 * of the DSL (a `Kernel` made in the file is `instanceof Kernel` here). Any failure to load becomes TK0701.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KernelError } from '../ir/errors.ts';
import type { SourceLoc } from '../ir/loc.ts';
import { displayPath } from '../tracer/location.ts';

/** A loaded kernel file: its absolute path and its module namespace. */
export interface KernelModule {
  readonly file: string;
  readonly exports: Readonly<Record<string, unknown>>;
}

/** Register tsx (unless this process already runs under it) and the `tilekit` resolve hook, once. */
export async function ensureLoaders(): Promise<void> {
  await import('./register.js');
}

/** Import a kernel file (TypeScript, may import 'tilekit'); TK0701 naming the file and the cause if it fails. */
export async function loadKernelModule(file: string): Promise<KernelModule> {
  const path = resolve(file);
  const shown = displayPath(path);
  if (!existsSync(path)) throw new KernelError('TK0701', `cannot load ${shown}: no such file`);
  if (!statSync(path).isFile()) throw new KernelError('TK0701', `cannot load ${shown}: not a file`);
  await ensureLoaders();
  try {
    const exports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    return { file: path, exports };
  } catch (err) {
    // A diagnostic raised while the file ran (e.g. `kernel(...).grid(0)` at top level) already names its line.
    if (err instanceof KernelError) throw err;
    throw loadError(path, err);
  }
}

/** TK0701 for an import failure: the cause's message, located at the syntax error or the throwing line if known. */
function loadError(file: string, err: unknown): KernelError {
  const shown = displayPath(file);
  const message = err instanceof Error ? err.message : String(err);
  const syntax = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (syntax) {
    const loc = location(syntax[1], syntax[2], syntax[3]);
    return new KernelError('TK0701', `cannot load ${shown}: syntax error: ${syntax[4]}`, loc);
  }
  const loc = err instanceof Error ? throwingUserLine(err.stack ?? '', file) : undefined;
  const name = err instanceof Error && err.name !== 'Error' ? `${err.name}: ` : '';
  return new KernelError('TK0701', `cannot load ${shown}: ${name}${firstLine(message)}`, loc);
}

function location(file: string, line: string, column: string): SourceLoc {
  return { file: displayPath(resolve(file)), line: Number(line), column: Number(column) };
}

function firstLine(s: string): string {
  return s.split('\n', 1)[0];
}

/** Where the error was thrown: the innermost frame in the loaded file, else in another file outside tilekit. */
function throwingUserLine(stack: string, file: string): SourceLoc | undefined {
  const frames = stack
    .split('\n')
    .slice(1)
    .map((line) => /\(?(?:file:\/\/)?(\/[^():]+):(\d+):(\d+)\)?\s*$/.exec(line.trim()))
    .filter((m) => m !== null);
  const repo = fileURLToPath(new URL('../', import.meta.url));
  const own = frames.find((m) => m[1] === file);
  const other = frames.find((m) => !m[1].includes('/node_modules/') && !m[1].startsWith(repo));
  const m = own ?? other;
  return m ? location(m[1], m[2], m[3]) : undefined;
}
