/** How the CLI reports a failure: KernelErrors with their source excerpt (exit 2), anything else briefly (exit 3). */
import { KernelError } from '../ir/errors.ts';

export const EXIT = { ok: 0, checkFailed: 1, kernelError: 2, otherError: 3 } as const;

export interface FailureReport {
  readonly exitCode: 2 | 3;
  /** Text diagnostics go to stderr; `--json` diagnostics to stdout, where a script reads the result. */
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface FailureOptions {
  readonly json?: boolean;
  /** Print the stack of errors that are not KernelErrors (TILEKIT_DEBUG=1). */
  readonly debug?: boolean;
}

export function describeFailure(err: unknown, opts: FailureOptions = {}): FailureReport {
  if (err instanceof KernelError) {
    return opts.json
      ? { exitCode: 2, stream: 'stdout', text: `${JSON.stringify({ error: err.toJSON() }, null, 2)}\n` }
      : { exitCode: 2, stream: 'stderr', text: `${err.format()}\n` };
  }
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.name : 'Error';
  if (opts.json) {
    const error: Record<string, unknown> = { name, message };
    if (opts.debug && err instanceof Error) error.stack = err.stack;
    return { exitCode: 3, stream: 'stdout', text: `${JSON.stringify({ error }, null, 2)}\n` };
  }
  const text = opts.debug && err instanceof Error && err.stack ? err.stack : `error: ${message}`;
  return { exitCode: 3, stream: 'stderr', text: `${text}\n` };
}
