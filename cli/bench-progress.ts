/** A one-line progress bar for long benchmark runs: drawn on an interactive terminal only, silent in CI and pipes. */

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface Progress {
  /** One more step is starting; `label` says what it is. */
  step(label: string): void;
  /** Erase the bar. */
  done(): void;
}

/** An interactive terminal: a TTY, and not CI (`CI` unset, empty, 'false' or '0'). */
export function isInteractive(
  stream: ProgressStream,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const ci = env.CI;
  return stream.isTTY === true && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}

const SILENT: Progress = { step() {}, done() {} };
const WIDTH = 24;

/** A bar of `total` steps on `stream` (default stderr); a no-op unless `enabled` (default: interactive). */
export function progressBar(
  total: number,
  stream: ProgressStream = process.stderr,
  enabled = isInteractive(stream),
): Progress {
  if (!enabled || total <= 0) return SILENT;
  let started = 0;
  let drawn = false;
  return {
    step(label) {
      const done = Math.min(started, total);
      started++;
      const filled = Math.round((WIDTH * done) / total);
      const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${label}`;
      const max = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r${bar.length > max ? `${bar.slice(0, max - 1)}…` : bar}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
