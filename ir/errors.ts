import { readFileSync } from 'node:fs';
import { ERROR_CODES, type ErrorCode } from './error-codes.ts';
import { formatLoc, type SourceLoc } from './loc.ts';

export interface DiagnosticNote {
  readonly message: string;
  readonly loc?: SourceLoc;
}

/** A diagnostic about the user's kernel: stable code, message, the user's source line, related notes. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly loc?: SourceLoc,
    readonly notes: readonly DiagnosticNote[] = [],
  ) {
    super(`${loc ? `${formatLoc(loc)}  ` : ''}${code} ${detail}`);
  }

  get title(): string {
    return ERROR_CODES[this.code].title;
  }

  /** The diagnostic as data, for `--json`. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.detail,
      file: this.loc?.file,
      line: this.loc?.line,
      column: this.loc?.column,
      notes: this.notes.map((n) => ({
        message: n.message,
        file: n.loc?.file,
        line: n.loc?.line,
        column: n.loc?.column,
      })),
    };
  }

  /** `file:line:col  CODE message`, the source line with a caret, then the notes. */
  format(): string {
    const lines = [this.message];
    if (this.loc) lines.push(...excerpt(this.loc));
    for (const n of this.notes) lines.push(`  note: ${n.message}${n.loc ? ` (${formatLoc(n.loc)})` : ''}`);
    return lines.join('\n');
  }
}

const sourceCache = new Map<string, readonly string[] | null>();

function sourceLines(file: string): readonly string[] | null {
  let lines = sourceCache.get(file);
  if (lines === undefined) {
    try {
      lines = readFileSync(file, 'utf8').split(/\r?\n/);
    } catch {
      lines = null;
    }
    sourceCache.set(file, lines);
  }
  return lines;
}

/** The source line of `loc` with a caret under its column, or nothing if the file cannot be read. */
export function excerpt(loc: SourceLoc): string[] {
  const lines = sourceLines(loc.file);
  const text = lines?.[loc.line - 1];
  if (text === undefined) return [];
  const gutter = String(loc.line);
  const pad = ' '.repeat(gutter.length);
  return [`  ${gutter} | ${text}`, `  ${pad} | ${' '.repeat(Math.max(0, loc.column - 1))}^`];
}

export function isKernelError(e: unknown): e is KernelError {
  return e instanceof KernelError;
}
