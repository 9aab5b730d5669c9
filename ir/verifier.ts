import { isOpName } from './ops/index.ts';
import { type KernelIR, numel, type View } from './types.ts';

/** The lowest and highest flat element index a view touches. */
export function viewExtent(v: View): [number, number] {
  let lo = v.offset;
  let hi = v.offset;
  for (let d = 0; d < v.shape.length; d++) {
    const span = (v.shape[d] - 1) * v.strides[d];
    if (span < 0) lo += span;
    else hi += span;
  }
  return [lo, hi];
}

/**
 * Structural invariants of a traced kernel. User input was validated at trace time; a failure here is a tilekit bug,
 * so the verifier returns messages instead of KernelErrors.
 */
export function verifyIR(ir: KernelIR): string[] {
  const problems: string[] = [];
  const nbuf = ir.buffers.length;
  ir.buffers.forEach((b, i) => {
    if (b.id !== i) problems.push(`buffer ${b.name} has id ${b.id} at position ${i}`);
  });
  for (const id of ir.inputs)
    if (ir.buffers[id]?.role !== 'input') problems.push(`input ${id} is not an input buffer`);
  for (const id of ir.outputs) {
    const b = ir.buffers[id];
    if (b?.role !== 'output' || b.space !== 'hbm') problems.push(`output ${id} is not an HBM output buffer`);
  }
  let prev = -1;
  for (const ins of ir.instrs) {
    const where = `#${ins.id} ${ins.op}`;
    if (ins.id <= prev) problems.push(`${where}: ids not increasing`);
    prev = ins.id;
    if (!isOpName(ins.op)) problems.push(`${where}: unknown op`);
    if (!ins.loc || ins.loc.line <= 0) problems.push(`${where}: no source location`);
    for (const v of [...ins.ins, ...ins.outs]) {
      if (v.buffer < 0 || v.buffer >= nbuf) {
        problems.push(`${where}: view of unknown buffer ${v.buffer}`);
        continue;
      }
      const b = ir.buffers[v.buffer];
      const [lo, hi] = viewExtent(v);
      if (lo < 0 || hi >= numel(b.shape))
        problems.push(`${where}: view [${lo}, ${hi}] outside ${b.name} (${numel(b.shape)} elements)`);
      if (v.space !== b.space || v.dtype !== b.dtype)
        problems.push(`${where}: view space/dtype differ from ${b.name}`);
      if (v.shape.length !== v.strides.length) problems.push(`${where}: view rank mismatch`);
    }
  }
  return problems;
}
