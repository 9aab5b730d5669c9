import { KernelError } from '../ir/errors.ts';
import type { OpDef } from '../ir/op-def.ts';
import { OPS, type OpName } from '../ir/ops/index.ts';
import type { Engine, Instr, View } from '../ir/types.ts';
import { AffineWrites } from './affine-writes.ts';
import type { TraceContext } from './context.ts';
import { userLocation } from './location.ts';
import { controlDeps } from './order.ts';
import { checkComputeOperand } from './rules.ts';

const affineWrites = new WeakMap<TraceContext, AffineWrites>();

export interface RecordArgs {
  readonly op: OpName;
  readonly ins: readonly View[];
  readonly outs: readonly View[];
  readonly attrs: unknown;
  readonly engine?: Engine;
}

/**
 * Validate one instruction against its op's rules and append it to the trace, located at the user's line.
 * This is the only place user input to an instruction is checked.
 */
export function record(ctx: TraceContext, args: RecordArgs): Instr {
  const loc = userLocation();
  ctx.meter.instruction(ctx.instrs.length, loc, ctx.loopContext().loops);
  const def = OPS[args.op] as OpDef<unknown>;
  const engine = args.engine ?? def.engines[0];
  const located = (e: unknown): never => {
    if (e instanceof KernelError && !e.loc) throw new KernelError(e.code, e.detail, loc, e.notes);
    throw e;
  };
  if (!def.engines.includes(engine)) {
    throw new KernelError(
      'TK0208',
      `${args.op} cannot run on the ${engine} engine; it runs on ${def.engines.join(', ')}`,
      loc,
    );
  }
  // Access-pattern rules are about the compute engines' datapaths; DMA queues and the sync engine have none.
  if (engine !== 'dma' && engine !== 'sync') {
    for (const [i, v] of [...args.ins, ...args.outs].entries()) {
      const what = i < args.ins.length ? `${args.op} input ${i}` : `${args.op} output`;
      const bad = checkComputeOperand(v, ctx.buffers[v.buffer].shape, what);
      if (bad) throw new KernelError(bad.code, bad.message, loc, bad.notes);
    }
  }
  for (const v of args.outs) {
    const b = ctx.buffers[v.buffer];
    if (b.role === 'input' && !b.mutable) {
      throw new KernelError(
        'TK0403',
        `cannot write to input '${b.name}': it is not declared mutable (kernel option mutable: ['${b.name}'])`,
        loc,
        [{ message: `'${b.name}' is a parameter of kernel '${ctx.kernelName}'`, loc: b.loc }],
      );
    }
    if (b.role === 'constant') {
      throw new KernelError(
        'TK0412',
        `cannot write to '${b.name}': it is a shared constant; copy it into a tile or an HBM tensor you allocate`,
        loc,
        [{ message: `'${b.name}' was created here`, loc: b.loc }],
      );
    }
  }
  try {
    def.check({ ins: args.ins, outs: args.outs, attrs: args.attrs, engine });
  } catch (e) {
    located(e);
  }
  for (const v of args.outs) ctx.written.add(v.buffer);
  const instr: Instr = Object.freeze({
    id: ctx.instrs.length,
    op: args.op,
    ins: Object.freeze([...args.ins]),
    outs: Object.freeze([...args.outs]),
    attrs: Object.freeze(args.attrs),
    engine: args.engine,
    after: controlDeps(ctx, ctx.instrs.length),
    loc,
    loop: ctx.loopContext(),
  });
  let writes = affineWrites.get(ctx);
  if (!writes) affineWrites.set(ctx, (writes = new AffineWrites()));
  const clash = writes.check(instr, def.readsOutputs?.(args.attrs) ?? false, (id) => ctx.buffers[id].name);
  if (clash) throw new KernelError(clash.code, clash.message, loc, clash.notes);
  ctx.instrs.push(instr);
  for (const v of instr.ins) ctx.lastTouch.set(v.buffer, instr);
  for (const v of instr.outs) ctx.lastTouch.set(v.buffer, instr);
  return instr;
}
