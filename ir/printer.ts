import { formatLoc } from './loc.ts';
import { opDef } from './ops/index.ts';
import {
  type BufferDecl,
  type Instr,
  type KernelIR,
  type LoopContext,
  rowMajorStrides,
  type View,
} from './types.ts';

/** A stable text form of a kernel's IR: one line per buffer and per instruction, with the user's location. */
export function printIR(ir: KernelIR): string {
  const names = ir.buffers.map((b) => `%${b.name}`);
  const sig = ir.inputs.map((id) => `${names[id]}: ${bufferType(ir.buffers[id])}`).join(', ');
  const out: string[] = [`kernel ${ir.name}(${sig}) -> (${ir.outputs.map((id) => names[id]).join(', ')})`];
  if (ir.grid.length > 0) out.push(`  grid [${ir.grid.join(', ')}]`);
  for (const b of ir.buffers) {
    if (b.role === 'input') continue;
    out.push(`  ${names[b.id]} = ${bufferType(b)} ${b.role}  @ ${formatLoc(b.loc)}`);
  }
  for (const ins of ir.instrs) out.push(`  ${printInstr(ins, names)}`);
  return `${out.join('\n')}\n`;
}

function bufferType(b: BufferDecl): string {
  return `${b.space} ${b.dtype}[${b.shape.join(', ')}]${b.mutable ? ' mutable' : ''}`;
}

export function printInstr(ins: Instr, names: readonly string[]): string {
  const def = opDef(ins.op);
  const attrs = def.describe ? def.describe(ins.attrs as never) : '';
  const head = `#${ins.id} ${ins.op}${attrs ? `(${attrs})` : ''}`;
  const outs = ins.outs.map((v) => printView(v, names)).join(', ');
  const inputs = ins.ins.map((v) => printView(v, names)).join(', ');
  const engine = `${ins.engine ? ` on ${ins.engine}` : ''}${ins.after?.length ? ` after ${ins.after.map((a) => `#${a}`).join(',')}` : ''}`;
  return `${head} ${outs} <- ${inputs}${engine}  @ ${formatLoc(ins.loc)}${printLoop(ins.loop)}`;
}

export function printView(v: View, names: readonly string[]): string {
  const name = names[v.buffer];
  const contiguous = v.strides.every((s, i) => s === rowMajorStrides(v.shape)[i]);
  const pattern = contiguous
    ? `[${v.shape.join('x')}]`
    : `[${v.shape.map((n, i) => `${n}:${v.strides[i]}`).join(', ')}]`;
  return `${name}${v.offset ? `+${v.offset}` : ''}${pattern}`;
}

function printLoop(l: LoopContext): string {
  const parts: string[] = [];
  if (l.program.length) parts.push(`pid=${l.program.join(',')}`);
  for (const f of l.loops) parts.push(`${f.kind[0]}${f.index}/${f.extent}`);
  return parts.length ? `  [${parts.join(' ')}]` : '';
}
