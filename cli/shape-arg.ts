import { InvalidArgumentError } from 'commander';

/** `--shape M=4096,K=8192,N=8192` → { M: 4096, K: 8192, N: 8192 }. */
export function parseShapeArg(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',').filter(Boolean)) {
    const m = /^\s*([A-Za-z_]\w*)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new InvalidArgumentError(`expected name=integer pairs separated by commas, got '${part}'`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}
