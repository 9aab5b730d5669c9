import { existsSync } from 'node:fs';
import { compile } from '../codegen/compile.ts';
import type { DType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { timeProgram } from '../simulator/simulate.ts';
import { type ChromeTrace, toChromeTrace } from '../simulator/timing/chrome-trace.ts';
import { summarize, type TimelineSummary } from '../simulator/timing/metrics.ts';
import type { Timeline } from '../simulator/timing/timeline.ts';
import { inputsFor, pickKernel } from './kernel-file.ts';
import { loadKernelModule } from './load.ts';

export interface TraceTargetOptions {
  readonly kernel?: string;
  readonly shape?: Readonly<Record<string, number>>;
  readonly dtype?: DType;
  readonly seed?: number;
  readonly chip: ChipConfig;
}

export interface TimedKernel {
  readonly title: string;
  readonly timeline: Timeline;
  readonly summary: TimelineSummary;
}

function isFile(target: string): boolean {
  return /\.[cm]?[jt]s$/.test(target) || existsSync(target);
}

/**
 * Time a kernel without computing values (like `nki.benchmark`): a kernel file (its inputs' shapes) or a library
 * kernel by name at `--shape` over its default shape.
 */
export async function timeTarget(target: string, opts: TraceTargetOptions): Promise<TimedKernel> {
  if (isFile(target)) {
    const mod = await loadKernelModule(target);
    const entry = pickKernel(mod, opts.kernel);
    const inputs = inputsFor(mod, entry, opts.seed ?? 0);
    const timeline = timeProgram(compile(entry.kernel.trace(inputs), opts.chip));
    return { title: entry.kernel.name, timeline, summary: summarize(timeline) };
  }
  const { LIBRARY } = await import('../kernels/index.ts');
  const lib = LIBRARY.find((l) => l.name === target);
  if (!lib) {
    throw new KernelError(
      'TK0702',
      `'${target}' is neither a kernel file nor a library kernel (${LIBRARY.map((l) => l.name).join(', ')})`,
    );
  }
  const shape = { ...lib.defaultShape, ...opts.shape };
  const { kernel, inputs } = lib.build(shape, opts.dtype ?? lib.dtypes[0]);
  const timeline = timeProgram(compile(kernel.trace(inputs), opts.chip));
  return {
    title: `${lib.name} ${Object.entries(shape)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`,
    timeline,
    summary: summarize(timeline),
  };
}

export function chromeTraceOf(t: TimedKernel): ChromeTrace {
  return toChromeTrace(t.timeline, t.title);
}
