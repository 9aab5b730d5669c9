import type { ProgInstr } from '../codegen/program.ts';
import { opDef } from '../ir/ops/index.ts';
import { count, type Memories } from './memory.ts';

/** Run one instruction's reference semantics on the memories: read operands, evaluate in fp32, write results. */
export function executeInstr(mem: Memories, ins: ProgInstr): void {
  const def = opDef(ins.op);
  const inputs = ins.ins.map((a) => mem.read(a));
  const readsOut = def.readsOutputs?.(ins.attrs) ?? false;
  const outputs = ins.outs.map((a) => (readsOut ? mem.read(a) : new Float64Array(count(a))));
  def.evaluate({
    ins: inputs,
    inShapes: ins.ins.map((a) => a.shape),
    outs: outputs,
    outShapes: ins.outs.map((a) => a.shape),
    attrs: ins.attrs,
  });
  for (let i = 0; i < ins.outs.length; i++) mem.write(ins.outs[i], outputs[i]);
}
