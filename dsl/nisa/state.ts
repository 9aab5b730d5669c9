import type { AluOp } from '../../ir/alu.ts';
import type { AccumulatorAttrs, ReduceCmd } from '../../ir/ops/accumulator.ts';
import { RNG_STATE_WORDS } from '../../ir/ops/random.ts';
import type { View } from '../../ir/types.ts';
import { activeTrace, type TraceContext } from '../../tracer/context.ts';
import { PARTITIONS } from '../../tracer/rules.ts';
import { allocate } from '../alloc.ts';
import { emit, tensorArg } from '../operands.ts';
import type { Tensor } from '../tensor.ts';

/**
 * Engine state that outlives one instruction, modeled as SBUF tiles created on first use in a trace: the random
 * generators' state (`rng_state`, uint32 [128, 4], seeded with 0 when created) and the ACT / DVE accumulator
 * registers (`act_accumulators` / `dve_accumulators`, float32 [128, 1]). Instructions that use the state read and write
 * these tiles, so the dependency analysis orders them.
 */
const STATE = new WeakMap<TraceContext, Map<string, Tensor>>();

function stateTile(key: string, make: () => Tensor): Tensor {
  const ctx = activeTrace();
  let m = STATE.get(ctx);
  if (!m) STATE.set(ctx, (m = new Map()));
  let t = m.get(key);
  if (!t) {
    t = make();
    m.set(key, t);
  }
  return t;
}

/** The first `P` lanes of the random generator state. */
export function rngState(P: number): Tensor {
  const t = stateTile('rng', () => {
    const s = allocate([PARTITIONS, RNG_STATE_WORDS], 'uint32', 'sbuf', 'rng_state');
    emit('setRngSeed', [], [s.view], { seed: { kind: 'imm', value: 0 } });
    return s;
  });
  return t.get([0, P], ':');
}

/** The first `P` lanes of an engine's accumulator registers. */
export function accumulatorState(engine: 'scalar' | 'vector', P: number): Tensor {
  const name = engine === 'scalar' ? 'act_accumulators' : 'dve_accumulators';
  return stateTile(name, () => allocate([PARTITIONS, 1], 'float32', 'sbuf', name)).get([0, P], ':');
}

export interface ReduceOptionsBase {
  /** A [P, 1] tile that receives the reduction of the results along the free axes. */
  readonly reduceRes?: Tensor;
  readonly reduceOp?: AluOp;
  /**
   * Accumulator command (idle, reset, reduce, resetReduce, loadReduce). Given explicitly, the engine's accumulator
   * registers are modeled across instructions; omitted, the instruction resets and reduces on its own.
   */
  readonly reduceCmd?: ReduceCmd;
  /** loadReduce's starting value. */
  readonly reduceInit?: number;
}

/** Accumulator attrs for an instruction, appending the reduce result and state operands. */
export function accumulatorAttrs(
  engine: 'scalar' | 'vector',
  P: number,
  ins: View[],
  outs: View[],
  opts: ReduceOptionsBase | undefined,
  defaultOp: AluOp,
): AccumulatorAttrs | undefined {
  if (opts?.reduceRes === undefined && opts?.reduceCmd === undefined) return undefined;
  let reduceRes: number | undefined;
  if (opts.reduceRes !== undefined) {
    outs.push(tensorArg(opts.reduceRes, 'reduceRes').view);
    reduceRes = outs.length - 1;
  }
  let state: AccumulatorAttrs['state'];
  if (opts.reduceCmd !== undefined) {
    const s = accumulatorState(engine, P).view;
    ins.push(s);
    outs.push(s);
    state = { in: ins.length - 1, out: outs.length - 1 };
  }
  return defined({
    reduceOp: opts.reduceOp ?? defaultOp,
    reduceCmd: opts.reduceCmd ?? 'resetReduce',
    reduceInit: opts.reduceInit,
    reduceRes,
    state,
  }) as AccumulatorAttrs;
}

/** The object without its undefined fields (attrs stay minimal in the IR). */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
