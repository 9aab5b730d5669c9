import type { ProgInstr } from '../codegen/program.ts';
import { KernelError } from '../ir/errors.ts';
import { opDef } from '../ir/ops/index.ts';
import { count, type Memories } from './memory.ts';

/** Where ops that report to the host (devicePrint) send their values. */
export type ReportSink = (ins: ProgInstr, values: Float64Array) => void;

/**
 * Run one instruction's reference semantics on the memories: read operands, evaluate in fp32, write results. A
 * run-time KernelError from the op (e.g. an indirect DMA index out of bounds) is located at the instruction's line.
 */
export function executeInstr(mem: Memories, ins: ProgInstr, report?: ReportSink): void {
  // the backend may run the whole instruction on the memory bytes (same bytes as the path below)
  if (mem.session.execute?.(mem, ins)) return;
  const def = opDef(ins.op);
  const inputs = ins.ins.map((a) => mem.read(a));
  const readsOut = def.readsOutputs?.(ins.attrs) ?? false;
  const outputs = ins.outs.map((a) => (readsOut ? mem.read(a) : new Float64Array(count(a))));
  try {
    def.evaluate({
      ins: inputs,
      inShapes: ins.ins.map((a) => a.shape),
      outs: outputs,
      outShapes: ins.outs.map((a) => a.shape),
      attrs: ins.attrs,
      report: report && ((values) => report(ins, values)),
      kernels: mem.session.kernels,
    });
  } catch (e) {
    if (e instanceof KernelError && !e.loc) {
      throw new KernelError(e.code, `${ins.op} #${ins.id}: ${e.detail}`, ins.loc, e.notes);
    }
    throw e;
  }
  for (let i = 0; i < ins.outs.length; i++) mem.write(ins.outs[i], outputs[i]);
}
