/**
 * tilekit: write NeuronCore kernels in TypeScript, trace them into IR, compile them to per-engine programs and
 * run them on a simulated NeuronCore.
 */
import { compile } from './codegen/compile.ts';
import type { Program } from './codegen/program.ts';
import type { Kernel, TensorSpec } from './dsl/kernel.ts';
import { type Comparison, compareArrays, type HostArray, randomArray, type Tolerance } from './ir/host.ts';
import type { KernelIR } from './ir/types.ts';
import type { BackendName } from './simulator/backends/index.ts';
import type { SimChecksSetting } from './simulator/checks/index.ts';
import { getChip } from './simulator/chips/index.ts';
import type { ChipConfig } from './simulator/chips/types.ts';
import type { PrintSink } from './simulator/device-print.ts';
import { type SimulateResult, simulate } from './simulator/simulate.ts';

export { compile } from './codegen/compile.ts';
export type { PhysAccess, Placement, ProgInstr, Program, QueueId, Wait } from './codegen/program.ts';
export {
  Kernel,
  type KernelFn,
  type KernelOptions,
  kernel,
  nisa,
  nl,
  Tensor,
  type TensorSpec,
} from './dsl/index.ts';
export { ACTIVATIONS, type ActivationFn } from './ir/activation.ts';
export { ALU_OPS, type AluOp } from './ir/alu.ts';
export { DTYPES, type DType, fromBits, roundTo, toBits } from './ir/dtypes.ts';
export { ERROR_CODES, type ErrorCode } from './ir/error-codes.ts';
export { KernelError } from './ir/errors.ts';
export {
  type Comparison,
  compareArrays,
  type HostArray,
  hostArray,
  randomArray,
  rng,
  type Tolerance,
} from './ir/host.ts';
export { formatLoc, type SourceLoc } from './ir/loc.ts';
export { OPS, type OpName } from './ir/ops/index.ts';
export { printIR } from './ir/printer.ts';
export type { BufferDecl, Engine, Instr, KernelIR, MemSpace, View } from './ir/types.ts';
export { verifyIR } from './ir/verifier.ts';
export { BACKEND_NAMES, type BackendName } from './simulator/backends/index.ts';
export type { SimCheckName, SimCheckOptions, SimChecksSetting } from './simulator/checks/index.ts';
export { CHIPS, getChip } from './simulator/chips/index.ts';
export type { ChipConfig } from './simulator/chips/types.ts';
export {
  type DevicePrint,
  formatDevicePrint,
  type PrintSink,
} from './simulator/device-print.ts';
export { type SimulateOptions, type SimulateResult, simulate } from './simulator/simulate.ts';
export {
  DEFAULT_LIMITS,
  defaultLimits,
  type KernelLimits,
  type Limits,
  setDefaultLimits,
} from './tracer/limits.ts';

export interface RunOptions {
  /** A chip name ('trn1', 'trn2') or a config; default trn1. */
  readonly chip?: string | ChipConfig;
  /** Where `nl.devicePrint` output goes (default: formatted lines on stdout). */
  readonly print?: PrintSink;
  /** The functional simulator's compute backend: 'wasm' (default), 'js' or 'gpujs'; env TILEKIT_BACKEND. */
  readonly backend?: BackendName;
  /** The simulator's checks: 'report' (default; diagnostics in the result), 'error' (throw the first), 'off'. */
  readonly checks?: SimChecksSetting;
}

export interface RunResult extends SimulateResult {
  readonly ir: KernelIR;
  readonly program: Program;
}

function chipOf(chip: RunOptions['chip']): ChipConfig {
  return typeof chip === 'object' ? chip : getChip(chip ?? 'trn1');
}

/** Trace, compile and simulate a kernel on inputs; returns its outputs as typed arrays. */
export function run(k: Kernel, inputs: readonly HostArray[], opts: RunOptions = {}): RunResult {
  const ir = k.trace(inputs);
  const program = compile(ir, chipOf(opts.chip));
  return {
    ir,
    program,
    ...simulate(program, inputs, { print: opts.print, backend: opts.backend, checks: opts.checks }),
  };
}

/** Seeded inputs for a kernel's input specs (uniform in [-1, 1), rounded to each dtype). */
export function randomInputs(specs: readonly TensorSpec[], seed = 0): HostArray[] {
  return specs.map((s, i) => randomArray(s.shape, s.dtype, seed * 1000 + i));
}

export interface CheckResult extends RunResult {
  readonly comparisons: readonly Comparison[];
  readonly ok: boolean;
}

/** Run a kernel and compare each output with a reference computed on the host from the same inputs. */
export function checkKernel(
  k: Kernel,
  inputs: readonly HostArray[],
  reference: (...inputs: HostArray[]) => ArrayLike<number> | readonly ArrayLike<number>[],
  tol: Tolerance,
  opts: RunOptions = {},
): CheckResult {
  const result = run(k, inputs, opts);
  const ref = reference(...inputs);
  const expected =
    result.outputs.length === 1 && !isListOfArrays(ref)
      ? [ref as ArrayLike<number>]
      : (ref as readonly ArrayLike<number>[]);
  if (expected.length !== result.outputs.length) {
    throw new RangeError(`reference returned ${expected.length} arrays for ${result.outputs.length} outputs`);
  }
  const comparisons = result.outputs.map((o, i) => compareArrays(o.data, expected[i], o.shape, tol));
  return { ...result, comparisons, ok: comparisons.every((c) => c.ok) };
}

function isListOfArrays(x: unknown): boolean {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === 'object';
}
