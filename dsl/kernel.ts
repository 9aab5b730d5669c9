import { type DType, isDType } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import type { SourceLoc } from '../ir/loc.ts';
import type { BufferDecl, KernelIR } from '../ir/types.ts';
import { TraceContext, withTrace } from '../tracer/context.ts';
import { type KernelLimits, traceLimits } from '../tracer/limits.ts';
import { userLocation } from '../tracer/location.ts';
import { fullTensor } from './alloc.ts';
import { Tensor } from './tensor.ts';

/** What a kernel is called with: shapes and dtypes (values are not needed to trace). */
export interface TensorSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export interface KernelOptions {
  /** The kernel's name (default: the function's name). */
  readonly name?: string;
  /** Inputs the kernel may write, by parameter name or position (NKI's `mutable_tensor`). */
  readonly mutable?: readonly (string | number)[];
  /** SPMD launch grid; also set with `kernel.grid(...)`. */
  readonly grid?: readonly number[];
  /** Trace limits (the instruction count); unset fields keep the defaults (`setDefaultLimits`). */
  readonly limits?: Partial<KernelLimits>;
}

// biome-ignore lint/suspicious/noExplicitAny: kernel parameters are traced tensors of any arity
export type KernelFn = (...inputs: any[]) => Tensor | readonly Tensor[] | undefined;

/** A kernel: a TypeScript function over traced tensors, traced into IR on demand. */
export class Kernel<F extends KernelFn = KernelFn> {
  readonly name: string;
  readonly params: readonly string[];
  /** The function takes `...rest` parameters, so any number of inputs is accepted. */
  readonly variadic: boolean;
  readonly gridDims: readonly number[];

  constructor(
    readonly fn: F,
    readonly options: KernelOptions,
    readonly loc: SourceLoc,
  ) {
    this.name = options.name ?? (fn.name || 'kernel');
    const { names, variadic } = parameterNames(fn);
    this.params = names;
    this.variadic = variadic;
    this.gridDims = Object.freeze([...(options.grid ?? [])]);
  }

  /** The same kernel launched on an SPMD grid: `k.grid(2, 2)`. */
  grid(...dims: number[]): Kernel<F> {
    if (dims.length === 0 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      throw new KernelError('TK0408', `grid dims must be positive integers, got [${dims}]`, userLocation());
    }
    return new Kernel(this.fn, { ...this.options, grid: dims }, this.loc);
  }

  /** Trace the kernel for inputs of these shapes and dtypes. */
  trace(inputs: readonly TensorSpec[]): KernelIR {
    return traceKernel(this, inputs);
  }
}

/** Define a kernel. Inputs are HBM tensors; outputs are allocated with `nl.ndarray(..., { buffer: nl.sharedHbm })` and returned. */
export function kernel<F extends KernelFn>(fn: F, options: KernelOptions = {}): Kernel<F> {
  if (typeof fn !== 'function') throw new KernelError('TK0406', 'kernel() takes a function', userLocation());
  return new Kernel(fn, options, userLocation());
}

/** Parameter names of a (compiled) JS function, for readable IR; positional names where they cannot be read. */
function parameterNames(fn: KernelFn): { names: string[]; variadic: boolean } {
  const src = Function.prototype.toString.call(fn);
  const m =
    /^(?:async\s*)?(?:function\b[^(]*)?\(([^)]*)\)/.exec(src) ??
    /^(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(src);
  if (!m) return { names: [], variadic: false };
  const parts = m[1].split(',').map((p) => p.trim());
  const names = parts
    .filter((p) => !p.startsWith('...'))
    .map((p) => p.replace(/[=:].*$/s, '').trim())
    .filter((p) => /^[A-Za-z_$][\w$]*$/.test(p));
  return { names, variadic: parts.some((p) => p.startsWith('...')) };
}

function gridPoints(grid: readonly number[]): number[][] {
  let points: number[][] = [[]];
  for (const n of grid) points = points.flatMap((p) => Array.from({ length: n }, (_, i) => [...p, i]));
  return points;
}

function traceKernel(k: Kernel, inputs: readonly TensorSpec[]): KernelIR {
  const ctx = new TraceContext(k.name, k.gridDims, traceLimits(k.options.limits, k.loc));
  const arity = k.fn.length;
  if (!k.variadic && inputs.length !== arity && k.params.length !== inputs.length) {
    throw new KernelError(
      'TK0406',
      `kernel '${k.name}' takes ${arity} inputs, called with ${inputs.length}`,
      k.loc,
    );
  }
  const mutable = new Set(k.options.mutable ?? []);
  const inputIds = inputs.map((spec, i) => {
    if (!spec || !Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new KernelError('TK0406', `input ${i} of '${k.name}' needs a shape of positive integers`, k.loc);
    }
    if (typeof spec.dtype !== 'string' || !isDType(spec.dtype)) {
      throw new KernelError(
        'TK0406',
        `input ${i} of '${k.name}' has unknown dtype ${JSON.stringify(spec.dtype)}`,
        k.loc,
      );
    }
    const name = k.params[i] ?? `in${i}`;
    const isMutable = mutable.has(i) || mutable.has(name);
    return ctx.addBuffer({
      name,
      space: 'hbm',
      shape: [...spec.shape],
      dtype: spec.dtype,
      role: 'input',
      mutable: isMutable,
      loc: k.loc,
    }).id;
  });
  let outputIds: number[] | undefined;
  for (const pid of gridPoints(k.gridDims)) {
    ctx.setProgram(pid);
    const returned = withTrace(ctx, () => {
      const args = inputIds.map((id) => fullTensor(id));
      return k.fn(...args);
    });
    const ids = returnedBuffers(ctx, k, returned);
    if (outputIds && outputIds.join() !== ids.join()) {
      throw new KernelError('TK0405', `program [${pid}] returns different tensors than program 0`, k.loc);
    }
    outputIds = ids;
  }
  const outs = outputIds ?? [];
  for (const id of outs) {
    const b = ctx.buffers[id];
    if (!ctx.written.has(id)) {
      throw new KernelError('TK0407', `output '${b.name}' is returned but never written`, b.loc);
    }
    if (b.role === 'temp') b.role = 'output';
  }
  for (const b of ctx.buffers) {
    if (b.role === 'input' && b.mutable && ctx.written.has(b.id) && !outs.includes(b.id)) {
      throw new KernelError(
        'TK0410',
        `mutable input '${b.name}' is written but not returned; return it`,
        k.loc,
      );
    }
  }
  const buffers: readonly BufferDecl[] = ctx.freezeBuffers();
  return Object.freeze({
    name: k.name,
    grid: k.gridDims,
    buffers,
    instrs: Object.freeze([...ctx.instrs]),
    inputs: Object.freeze(inputIds),
    outputs: Object.freeze(outs),
    loc: k.loc,
  });
}

function returnedBuffers(ctx: TraceContext, k: Kernel, returned: unknown): number[] {
  if (returned === undefined) return [];
  if (returned instanceof Promise)
    throw new KernelError('TK0405', `kernel '${k.name}' must be synchronous`, k.loc);
  const list = Array.isArray(returned) ? returned : [returned];
  return list.map((t, i) => {
    if (!(t instanceof Tensor) || t.ctx !== ctx) {
      throw new KernelError(
        'TK0405',
        `kernel '${k.name}' returned ${i === 0 && list.length === 1 ? 'a non-tensor' : `a non-tensor at position ${i}`}; return the HBM tensors it allocated`,
        k.loc,
      );
    }
    const b = ctx.buffers[t.view.buffer];
    const isOutput = b.space === 'hbm' && (ctx.sharedHbm.includes(b.id) || (b.role === 'input' && b.mutable));
    if (!isOutput) {
      throw new KernelError(
        'TK0405',
        `kernel '${k.name}' returns '${b.name}' in ${b.space}; outputs are HBM tensors made with nl.ndarray(shape, dtype, { buffer: nl.sharedHbm })`,
        k.loc,
        [{ message: `'${b.name}' was created here`, loc: b.loc }],
      );
    }
    return b.id;
  });
}
