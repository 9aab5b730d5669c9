/** `tilekit ir`: the kernel IR of a kernel file's kernel, traced for the file's inputs. */
import { type KernelIR, printIR } from '../index.ts';
import { inputsFor, pickKernel } from './kernel-file.ts';
import { loadKernelModule } from './load.ts';

export interface IrFileOptions {
  /** Export name of the kernel; needed when the file exports several. */
  readonly kernel?: string;
  /** Seed passed to an `inputs(seed)` function (shapes are all that tracing needs). */
  readonly seed?: number;
}

/** Trace a kernel file's kernel for its inputs' shapes and dtypes. */
export async function traceKernelFile(file: string, opts: IrFileOptions = {}): Promise<KernelIR> {
  const mod = await loadKernelModule(file);
  const entry = pickKernel(mod, opts.kernel);
  return entry.kernel.trace(inputsFor(mod, entry, opts.seed ?? 0));
}

/** The printed IR (`printIR`): a `kernel name(...)` header, buffers, then one line per instruction. */
export async function kernelFileIR(file: string, opts: IrFileOptions = {}): Promise<string> {
  return printIR(await traceKernelFile(file, opts));
}
