/** Helpers for the CLI tests: run `node cli/bin.js` as a subprocess, write kernel files, read README sections. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../', import.meta.url));
export const BIN = join(REPO, 'cli', 'bin.js');
export const REGISTER = join(REPO, 'cli', 'register.js');

export interface Exec {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run a command to completion; never rejects on a non-zero exit. */
export function exec(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Exec> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      [...args],
      { cwd: opts.cwd ?? REPO, env: { ...process.env, ...opts.env }, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `tilekit <args>`, as `node cli/bin.js <args>`. */
export function tilekit(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return exec(process.execPath, [BIN, ...args], opts);
}

const tempDirs: string[] = [];

/** A fresh temporary folder outside the repository, holding these files; removed by `removeTempDirs`. */
export function tempFiles(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tilekit-cli-'));
  tempDirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function readme(): string {
  return readFileSync(join(REPO, 'README.md'), 'utf8');
}

/** The text under a `## heading` of a markdown document, up to the next `## ` heading. */
export function section(md: string, heading: string): string {
  const lines = md.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`README has no '## ${heading}' section`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The contents of the fenced code blocks of language `lang` in `text`, in order. */
export function codeBlocks(text: string, lang: string): string[] {
  const re = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...text.matchAll(re)].map((m) => m[1]);
}

/** `kernel | shape | dtype | result` of each row of a printed suite table (the columns that do not vary). */
export function suiteCases(table: string): string[] {
  return table
    .split('\n')
    .filter((l) => / (PASS|FAIL|ERROR) /.test(l))
    .map((l) => {
      const cols = l.split(/ {2,}/).map((c) => c.trim());
      return [cols[0], cols[1], cols[2], cols.find((c) => /^(PASS|FAIL|ERROR)$/.test(c))].join(' | ');
    });
}
