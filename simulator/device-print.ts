import type { ProgInstr, Program } from '../codegen/program.ts';
import type { DType } from '../ir/dtypes.ts';
import { formatLoc, type SourceLoc } from '../ir/loc.ts';
import type { AttrsOf } from '../ir/ops/index.ts';

/** One `nl.devicePrint` as it ran: which program, which instruction, the kernel line, and the values. */
export interface DevicePrint {
  /** SPMD program id (empty without a grid). */
  readonly program: readonly number[];
  /** Instruction id (trace order). */
  readonly instr: number;
  readonly loc: SourceLoc;
  readonly prefix: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Row-major values, exact in `dtype`. */
  readonly values: readonly number[];
}

/** Where prints go; the default writes `formatDevicePrint` lines to stdout. */
export type PrintSink = (p: DevicePrint) => void;

export const stdoutPrintSink: PrintSink = (p) => {
  process.stdout.write(`${formatDevicePrint(p)}\n`);
};

/** Collects prints while instructions execute; `flush` hands them over ordered by program id, then instruction. */
export class PrintCollector {
  private readonly prints: DevicePrint[] = [];
  constructor(private readonly program: Program) {}

  readonly report = (ins: ProgInstr, values: Float64Array): void => {
    const a = ins.ins[0];
    this.prints.push(
      Object.freeze({
        program: this.program.ir.instrs[ins.id].loop.program,
        instr: ins.id,
        loc: ins.loc,
        prefix: (ins.attrs as AttrsOf<'devicePrint'>).prefix,
        dtype: a.dtype,
        shape: a.shape,
        values: Object.freeze(Array.from(values)),
      }),
    );
  };

  flush(sink: PrintSink): readonly DevicePrint[] {
    const sorted = [...this.prints].sort(
      (x, y) => comparePrograms(x.program, y.program) || x.instr - y.instr,
    );
    for (const p of sorted) sink(p);
    return Object.freeze(sorted);
  }
}

function comparePrograms(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** `kernels/x.ts:12:5 [program 1] prefix float32[2, 3]: [[1, 2, 3], [4, 5, 6]]` */
export function formatDevicePrint(p: DevicePrint): string {
  const pid = p.program.length ? ` [program ${p.program.join(', ')}]` : '';
  return `${formatLoc(p.loc)}${pid} ${p.prefix} ${p.dtype}[${p.shape.join(', ')}]: ${nested(p.values, p.shape)}`;
}

function nested(values: readonly number[], shape: readonly number[]): string {
  const walk = (d: number, base: number): string => {
    if (d === shape.length) return String(values[base]);
    let stride = 1;
    for (let k = d + 1; k < shape.length; k++) stride *= shape[k];
    const parts: string[] = [];
    for (let i = 0; i < shape[d]; i++) parts.push(walk(d + 1, base + i * stride));
    return `[${parts.join(', ')}]`;
  };
  return walk(0, 0);
}
