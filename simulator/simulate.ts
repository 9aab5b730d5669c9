import type { Program } from '../codegen/program.ts';
import { DTYPES } from '../ir/dtypes.ts';
import { KernelError } from '../ir/errors.ts';
import { type HostArray, typedArrayFor } from '../ir/host.ts';
import { numel } from '../ir/types.ts';
import type { BackendName } from './backends/index.ts';
import { checkMemoryBudget } from './checks/budget.ts';
import { createSimChecks, type SimChecksSetting } from './checks/index.ts';
import { type DevicePrint, PrintCollector, type PrintSink, stdoutPrintSink } from './device-print.ts';
import { executeInstr } from './execute.ts';
import { Memories } from './memory.ts';
import { schedule } from './timing/schedule.ts';
import type { Timeline } from './timing/timeline.ts';

export interface SimulateResult {
  /** The kernel's returned tensors, in order. */
  readonly outputs: readonly HostArray[];
  /** The same outputs as the stored bytes (for bit-exact comparisons). */
  readonly outputBytes: readonly Uint8Array[];
  /** Instructions executed. */
  readonly instructions: number;
  /** When each instruction ran on which engine: the simulated time. */
  readonly timeline: Timeline;
  /** What `nl.devicePrint` printed, ordered by program id, then instruction. */
  readonly prints: readonly DevicePrint[];
  /** What the simulator's checks found (reads of unwritten memory, races, …), each at the user's line. */
  readonly diagnostics: readonly KernelError[];
}

export interface SimulateOptions {
  /** Where `nl.devicePrint` output goes (default: formatted lines on stdout). */
  readonly print?: PrintSink;
  /** The run-time checks: 'report' (default) collects diagnostics, 'error' throws the first, 'off' skips them. */
  readonly checks?: SimChecksSetting;
  /** Memory budget of the simulation in bytes (default: `setDefaultLimits`, 2 GiB); TK0416 when exceeded. */
  readonly maxMemoryBytes?: number;
  /** The compute backend (simulator/backends): 'wasm' (default), 'js' (the reference) or 'gpujs'; env TILEKIT_BACKEND. */
  readonly backend?: BackendName;
}

/** Timing only (like `nki.benchmark`): no values are computed, the Timeline is the same as in functional mode. */
export function timeProgram(program: Program): Timeline {
  return schedule(program);
}

/** Run a compiled Program on fresh memories with these inputs and return its outputs. */
export function simulate(
  program: Program,
  inputs: readonly HostArray[],
  opts: SimulateOptions = {},
): SimulateResult {
  const { ir } = program;
  if (inputs.length !== ir.inputs.length) {
    throw new KernelError(
      'TK0602',
      `kernel '${ir.name}' takes ${ir.inputs.length} inputs, got ${inputs.length}`,
      ir.loc,
    );
  }
  const used = { sbuf: 0, psum: 0 };
  for (const p of program.placements) {
    if (p && p.space !== 'hbm') used[p.space] = Math.max(used[p.space], p.byteOffset + p.bytes);
  }
  checkMemoryBudget(program, used, opts.maxMemoryBytes);
  const mem = new Memories(program.chip, program.hbmBytes, used, opts.backend);
  /** Inputs and constants: values into the buffer's HBM placement (unplaced buffers are never touched). */
  const writeHbm = (data: ArrayLike<number>, id: number) => {
    const b = ir.buffers[id];
    const p = program.placements[id];
    if (!p) return;
    mem.writeHbm(b.dtype, p.byteOffset, new Float64Array(data));
  };
  ir.inputs.forEach((id, i) => {
    const b = ir.buffers[id];
    const x = inputs[i];
    if (x.dtype !== b.dtype || x.shape.join() !== b.shape.join()) {
      throw new KernelError(
        'TK0602',
        `input ${i} ('${b.name}') must be [${b.shape}] ${b.dtype}, got [${x.shape}] ${x.dtype}`,
        ir.loc,
      );
    }
    if (x.data.length !== numel(b.shape)) {
      throw new KernelError(
        'TK0602',
        `input ${i} ('${b.name}') has ${x.data.length} values for shape [${b.shape}]`,
        ir.loc,
      );
    }
    writeHbm(x.data, id);
  });
  for (const b of ir.buffers) if (b.init) writeHbm(b.init, b.id);
  const prints = new PrintCollector(program);
  const sink = opts.print ?? stdoutPrintSink;
  let timeline: Timeline;
  let diagnostics: readonly KernelError[];
  try {
    const checks = createSimChecks(program, mem, opts.checks);
    timeline = schedule(program, (ins) => {
      checks?.instruction(ins);
      executeInstr(mem, ins, prints.report);
    });
    checks?.finish();
    diagnostics = checks?.diagnostics ?? [];
  } catch (e) {
    prints.flush(sink);
    throw e;
  }
  const outputs: HostArray[] = [];
  const outputBytes: Uint8Array[] = [];
  for (const id of ir.outputs) {
    const b = ir.buffers[id];
    const p = program.placements[id]!;
    const n = numel(b.shape);
    const bytes = DTYPES[b.dtype].bytes;
    const data = typedArrayFor(b.dtype, n);
    data.set(mem.readHbm(b.dtype, p.byteOffset, n));
    outputs.push(Object.freeze({ shape: b.shape, dtype: b.dtype, data }));
    outputBytes.push(mem.hbm.slice(p.byteOffset, p.byteOffset + n * bytes));
  }
  const printed = prints.flush(sink);
  return {
    outputs,
    outputBytes,
    instructions: program.instrs.length,
    timeline,
    prints: printed,
    diagnostics,
  };
}
