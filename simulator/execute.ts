import type { ProgInstr, Program, QueueId } from '../codegen/program.ts';
import { KernelError } from '../ir/errors.ts';
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

/**
 * Execute a Program as the hardware would: every queue runs in order; an instruction issues when its semaphore
 * waits are satisfied. Queues are visited round-robin in a fixed order, so runs are deterministic. A state where no
 * queue can issue is a deadlock and names the waiting instruction and what it waits for.
 */
export function runQueues(program: Program, onIssue: (ins: ProgInstr) => void): void {
  const queueIds = Object.keys(program.queues) as QueueId[];
  const heads = new Map<QueueId, number>(queueIds.map((q) => [q, 0]));
  const done = new Map<QueueId, number>(queueIds.map((q) => [q, 0]));
  let remaining = program.instrs.length;
  while (remaining > 0) {
    let progressed = false;
    for (const q of queueIds) {
      const list = program.queues[q]!;
      let h = heads.get(q)!;
      while (h < list.length) {
        const ins = program.instrs[list[h]];
        if (!ins.waits.every((w) => (done.get(w.queue) ?? 0) >= w.count)) break;
        onIssue(ins);
        h++;
        done.set(q, h);
        remaining--;
        progressed = true;
      }
      heads.set(q, h);
    }
    if (!progressed) throw deadlock(program, heads, done);
  }
}

function deadlock(program: Program, heads: Map<QueueId, number>, done: Map<QueueId, number>): KernelError {
  for (const [q, h] of heads) {
    const list = program.queues[q]!;
    if (h >= list.length) continue;
    const ins = program.instrs[list[h]];
    const w = ins.waits.find((x) => (done.get(x.queue) ?? 0) < x.count)!;
    const other = program.instrs[w.on];
    return new KernelError(
      'TK0601',
      `${ins.op} #${ins.id} on ${q} waits for ${w.queue} to reach ${w.count} (it is at ${done.get(w.queue) ?? 0}) and nothing can run`,
      ins.loc,
      [{ message: `it waits (${w.kind}) on ${other.op} #${other.id}`, loc: other.loc }],
    );
  }
  return new KernelError('TK0601', 'no queue can issue', program.ir.loc);
}
