/**
 * `tilekit errors`: the diagnostic catalogue, generated from ERROR_CODES. Each code's example is a wrong kernel from
 * tests/fixtures/ whose offending line carries a `// @TKxxxx` marker; the fixture tests pin code, file and line, so an
 * example with a marker is a tested one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from '../ir/error-codes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = 'tests/fixtures';

export interface ErrorExample {
  /** Repository-relative path of the fixture. */
  readonly file: string;
  /** The line the diagnostic points at. */
  readonly line: number;
  /** The fixture from its first line through the marked one (marker comments removed). */
  readonly source: readonly string[];
}

export interface CatalogueEntry {
  readonly code: ErrorCode;
  readonly title: string;
  readonly stage: ErrorCodeInfo['stage'];
  /** The legacy NKI error name, where one corresponds. */
  readonly nki?: string;
  /** A marked fixture that raises the code (absent for codes only the host or a broken Program can raise). */
  readonly example?: ErrorExample;
  /** What the diagnostic says, for codes without a kernel example. */
  readonly message?: string;
  /** A test pins the code, file and line (the example is a marked fixture). */
  readonly tested: boolean;
}

/** Codes that no kernel source can raise on its own; their example is the message. */
const MESSAGE_EXAMPLES: Partial<Record<ErrorCode, string>> = {
  TK0601:
    'matmul #12 on tensor waits for dma1 to complete 3 instructions, which can never happen (a Program whose semaphores were edited by hand)',
  TK0701: 'cannot load kernels/mine.ts: syntax error: Expected ")" but found "a"',
  TK0702: 'two.ts exports 2 kernels (addK, subK); pick one by name (--kernel NAME)',
};

const MAX_SNIPPET = 10;
const MARKER = /\s*\/\/ @(TK\d{4})\s*$/;

/** Marked lines of every fixture file: code → example. The first marker of a code wins. */
export function fixtureExamples(dir = FIXTURES): Map<string, ErrorExample> {
  const examples = new Map<string, ErrorExample>();
  const abs = `${ROOT}${dir}`;
  if (!existsSync(abs)) return examples;
  for (const name of readdirSync(abs)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const file = `${dir}/${name}`;
    const lines = readFileSync(`${abs}/${name}`, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const m = MARKER.exec(text);
      if (!m || examples.has(m[1])) return;
      let start = i;
      while (start > 0 && i - start < MAX_SNIPPET - 1 && !/^(export|const|let|function)\b/.test(lines[start]))
        start--;
      if (/^\/\/ @TK\d{4}$/.test(lines[start].trim())) start++;
      const source = lines.slice(start, i + 1).map((l) => l.replace(MARKER, ''));
      examples.set(m[1], { file, line: i + 1, source });
    });
  }
  return examples;
}

/** Every code with its title, stage, NKI name and example, in code order. */
export function errorCatalogue(): CatalogueEntry[] {
  const examples = fixtureExamples();
  return (Object.keys(ERROR_CODES) as ErrorCode[]).sort().map((code) => {
    const info: ErrorCodeInfo = ERROR_CODES[code];
    const example = examples.get(code);
    return {
      code,
      title: info.title,
      stage: info.stage,
      ...(info.nki ? { nki: info.nki } : {}),
      ...(example ? { example } : {}),
      ...(!example && MESSAGE_EXAMPLES[code] ? { message: MESSAGE_EXAMPLES[code] } : {}),
      tested: example !== undefined,
    };
  });
}

/** One block per code: `TK0413  trace  title  (NKI err_…)`, then the example with `>` on the line it points at. */
export function formatErrorCatalogue(entries: readonly CatalogueEntry[]): string {
  const out: string[] = [];
  for (const e of entries) {
    out.push(`${e.code}  ${e.stage.padEnd(8)}  ${e.title}${e.nki ? `  (NKI ${e.nki})` : ''}`);
    if (e.example) {
      const { file, line, source } = e.example;
      out.push(`    ${file}:${line}`);
      source.forEach((text, i) => {
        const at = line - source.length + 1 + i;
        out.push(`    ${at === line ? '>' : ' '} ${text}`);
      });
    } else if (e.message) {
      out.push(`    e.g. ${e.message}`);
    }
  }
  const tested = entries.filter((e) => e.tested).length;
  out.push('', `${entries.length} codes, ${tested} with a tested example (code, file and line pinned)`);
  return `${out.join('\n')}\n`;
}

export function errorCatalogueJSON(entries: readonly CatalogueEntry[]): string {
  return `${JSON.stringify({ codes: entries }, null, 2)}\n`;
}
