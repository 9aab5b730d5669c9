/**
 * Random valid kernels, as data: a tile shape, inputs, an SPMD grid, a block loop of some kind, and a list of steps
 * over a pool of tiles (elementwise on each engine, casts, reductions, matmul and accumulation groups, transposes,
 * partial writes from two engines, HBM round trips, DMA copies, in-place updates, views). `buildValid` turns a spec
 * into a Kernel; every step is valid by construction, and one the tracer rejects anyway is dropped (found by tracing
 * a probe first), so any spec gives a kernel that traces.
 */
import fc from 'fast-check';
import {
  type DType,
  type Kernel,
  KernelError,
  kernel,
  nisa,
  nl,
  type Tensor,
  type TensorSpec,
} from '../../index.ts';

export const FLOAT_DTYPES = ['float32', 'bfloat16', 'float16'] as const;
const CAST_DTYPES: readonly DType[] = ['float32', 'bfloat16', 'float16', 'float8_e4m3', 'float8_e5m2'];
const UNARY = [
  'exp',
  'abs',
  'relu',
  'square',
  'sigmoid',
  'tanh',
  'gelu',
  'silu',
  'sign',
  'softplus',
] as const;
const BINARY = ['add', 'subtract', 'multiply', 'maximum', 'minimum'] as const;
const REDUCE = ['sum', 'max', 'min'] as const;
const IMMEDIATES = [0, 1, -1, 0.5, 3, -2.25, 1e-3];
const EW_ENGINES = [undefined, 'vector', 'gpsimd'] as const;
const TS_ENGINES = [undefined, 'vector', 'scalar', 'gpsimd'] as const;
const PSUM_READERS = ['vector', 'scalar'] as const;
export const LOOP_KINDS = ['affine', 'sequential', 'static'] as const;

export const STEP_KINDS = [
  'unary',
  'binary',
  'scalarImm',
  'reduce',
  'broadcast',
  'matmul',
  'transpose',
  'cast',
  'splitFill',
  'hbmRoundTrip',
  'accumulate',
  'inPlace',
  'memset',
  'dmaCopy',
  'view',
  'carry',
  'accumulateState',
  'gather',
  'scatter',
  'dmaAdd',
  'dmaTranspose',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface Step {
  readonly kind: StepKind;
  /** Operand choices (indices into the pool, modulo its size) and option choices; meaning depends on the kind. */
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

export interface ValidSpec {
  readonly P: number;
  readonly F: number;
  readonly dtypes: readonly (typeof FLOAT_DTYPES)[number][];
  readonly grid: readonly number[];
  readonly loop: { readonly kind: (typeof LOOP_KINDS)[number]; readonly extent: number };
  readonly steps: readonly Step[];
  /** Pool values stored as outputs (indices modulo the pool size), with a store dtype choice each. */
  readonly outputs: readonly { readonly value: number; readonly dtype: number }[];
}

const stepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom(...STEP_KINDS),
  a: fc.nat(63),
  b: fc.nat(63),
  c: fc.nat(63),
  d: fc.nat(63),
});

/** Tile sizes: mostly small (fast to simulate), sometimes full-size. */
const sizeArb = (small: readonly number[], large: readonly number[], full: boolean) =>
  full
    ? fc.oneof(
        { arbitrary: fc.constantFrom(...small), weight: 4 },
        { arbitrary: fc.constantFrom(...large), weight: 1 },
      )
    : fc.constantFrom(...small);

/** Random valid kernel specs; `full` adds full-size tiles (128 partitions, 512 elements) now and then. */
export function validSpecs(full = true): fc.Arbitrary<ValidSpec> {
  return fc.record({
    P: sizeArb([1, 2, 16, 32], [64, 100, 128], full),
    F: sizeArb([1, 2, 5, 32, 64], [128, 200, 512], full),
    dtypes: fc.array(fc.constantFrom(...FLOAT_DTYPES), { minLength: 1, maxLength: 3 }),
    grid: fc.oneof(fc.constant([]), fc.tuple(fc.integer({ min: 1, max: 3 })), fc.constant([2, 2])),
    loop: fc.record({ kind: fc.constantFrom(...LOOP_KINDS), extent: fc.integer({ min: 1, max: 3 }) }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
    outputs: fc.array(fc.record({ value: fc.nat(63), dtype: fc.nat(7) }), { minLength: 1, maxLength: 2 }),
  });
}

export const validSpecArb: fc.Arbitrary<ValidSpec> = validSpecs(true);

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];
const range = { affine: nl.affineRange, sequential: nl.sequentialRange, static: nl.staticRange } as const;

/** What steps see besides the pool: the kernel's inputs, the previous iteration's pool, a loop-carried state. */
export interface StepContext {
  readonly inputs: readonly Tensor[];
  /** Rows of each input (all blocks). */
  readonly rows: number;
  /** The loop runs in order (sequential or static): steps may carry values across iterations. */
  readonly ordered: boolean;
  /** The previous iteration's pool (ordered loops), same shapes as this one. */
  readonly prev?: readonly Tensor[];
  /** A [P, F] fp32 tile allocated before the loop (ordered loops). */
  readonly state?: Tensor;
}

/** Apply the steps to a pool of tiles; `accept` says which steps to run (all when probing). */
export function applySteps(
  spec: ValidSpec,
  pool: Tensor[],
  ctx: StepContext,
  accept: (i: number) => boolean,
  accepted: boolean[] | undefined,
): void {
  spec.steps.forEach((s, i) => {
    if (!accept(i)) return;
    const size = pool.length;
    try {
      const out = step(s, pool, ctx);
      if (out) pool.push(out);
      accepted?.push(true);
    } catch (e) {
      if (!(e instanceof KernelError) || !accepted) throw e;
      pool.length = size;
      accepted.push(false);
    }
  });
}

function sameShape(x: Tensor, y: Tensor): boolean {
  return x.shape.join() === y.shape.join();
}

/** Rows [start, start + n) of a table, in order or reversed, as an int32 [n, 1] index tile. */
function rowIndex(n: number, start: number, reversed: boolean): Tensor {
  return nisa.iota([n, 1], nl.int32, {
    offset: reversed ? start + n - 1 : start,
    channelMultiplier: reversed ? -1 : 1,
  });
}

/** One step on the pool; returns the new value, if any. */
function step(s: Step, pool: Tensor[], ctx: StepContext): Tensor | undefined {
  const x = pick(pool, s.a);
  const y = pick(pool, s.b);
  const [p, f] = x.shape;
  switch (s.kind) {
    case 'unary':
      return nl[pick(UNARY, s.c)](x, { dtype: s.d % 3 === 0 ? pick(FLOAT_DTYPES, s.d) : undefined });
    case 'binary': {
      if (!sameShape(x, y)) return nl.exp(x);
      return nl[pick(BINARY, s.c)](x, y, {
        engine: pick(EW_ENGINES, s.d),
        dtype: pick(FLOAT_DTYPES, s.d >> 2),
      });
    }
    case 'scalarImm':
      return nl[s.c % 2 ? 'multiply' : 'add'](x, pick(IMMEDIATES, s.c >> 1), {
        engine: pick(TS_ENGINES, s.d),
      });
    case 'reduce':
      return nl[pick(REDUCE, s.c)](x, 1, { keepdims: true });
    case 'broadcast': {
      // A [p, 1] column against a [p, f] tile: tensorScalar with a vector operand.
      const col = nl.max(x, 1, { keepdims: true, dtype: 'float32' });
      return nl[pick(BINARY, s.c)](x, col, {
        engine: pick(TS_ENGINES, s.d) === 'scalar' ? undefined : 'vector',
      });
    }
    case 'matmul': {
      const mov = y.shape[0] === p && y.shape[1] <= 512 ? y : x;
      if (f > 128 || mov.shape[1] > 512) return undefined;
      const fp32 = (t: Tensor) => t.dtype === 'float32';
      const m = fp32(x) === fp32(mov) ? mov : x;
      const acc = nisa.ncMatmul(x, m);
      return nisa.tensorCopy(acc, { engine: pick(PSUM_READERS, s.c), dtype: pick(FLOAT_DTYPES, s.d) });
    }
    case 'transpose': {
      if (f > 128) return undefined;
      if (s.c % 2 === 0 && p <= 32 && f <= 32) return nisa.ncTranspose(x, { engine: 'vector' });
      const t = nisa.ncTranspose(x);
      return nisa.tensorCopy(t, { engine: pick(PSUM_READERS, s.d) });
    }
    case 'cast':
      return nisa.tensorCopy(x, { dtype: pick(CAST_DTYPES, s.c), engine: pick(TS_ENGINES, s.d) });
    case 'splitFill': {
      // Two engines write the two halves of one tile; the whole tile is read afterwards.
      const t = nl.ndarray([p, f], x.dtype, { name: 'halves' });
      if (f < 2) return nisa.tensorCopy(x, { dst: t, engine: pick(TS_ENGINES, s.c) });
      const h = 1 + (s.c % (f - 1));
      nisa.tensorCopy(x.get(':', [0, h]), { dst: t.get(':', [0, h]), engine: pick(TS_ENGINES, s.d) });
      nisa.tensorScalar(x.get(':', [h, f]), 'multiply', 2, {
        dst: t.get(':', [h, f]),
        engine: pick(TS_ENGINES, s.d >> 2),
      });
      return t;
    }
    case 'hbmRoundTrip': {
      const scratch = nl.ndarray([p, f], x.dtype, { buffer: nl.hbm, name: 'scratch' });
      nl.store(scratch, x);
      if (s.c % 2 === 0) return nl.load(scratch);
      // Read back in two DMAs (column halves), so two transfers depend on one.
      const t = nl.ndarray([p, f], x.dtype, { name: 'reload' });
      const h = Math.max(1, f >> 1);
      nisa.dmaCopy(t.get(':', [0, h]), scratch.get(':', [0, h]));
      if (h < f) nisa.dmaCopy(t.get(':', [h, f]), scratch.get(':', [h, f]));
      return t;
    }
    case 'accumulate': {
      const mov =
        y.shape[0] === p && y.shape[1] <= 512 && (y.dtype === 'float32') === (x.dtype === 'float32') ? y : x;
      if (f > 128 || mov.shape[1] > 512) return undefined;
      const acc = nl.ndarray([f, mov.shape[1]], nl.float32, { buffer: nl.psum, name: 'acc' });
      const steps = 1 + (s.c % 3);
      for (const k of range[pick(LOOP_KINDS, s.d)](steps))
        nisa.ncMatmul(x, mov, { dst: acc, accumulate: k > 0 });
      return nisa.tensorCopy(acc, { engine: pick(PSUM_READERS, s.d >> 2) });
    }
    case 'inPlace': {
      if (!sameShape(x, y) || x === y || x.buffer !== 'sbuf') return undefined;
      nisa.tensorTensor(x, y, pick(BINARY, s.c), { dst: x, engine: pick(EW_ENGINES, s.d) ?? 'vector' });
      return undefined;
    }
    case 'memset': {
      const t = nl.ndarray([p, f], pick(FLOAT_DTYPES, s.c), { name: 'filled' });
      return nisa.memset(t, pick(IMMEDIATES, s.d), undefined, { engine: s.d % 2 ? 'gpsimd' : 'vector' });
    }
    case 'dmaCopy': {
      const t = nl.ndarray([p, f], pick(FLOAT_DTYPES, s.c), { name: 'dmacopy' });
      nisa.dmaCopy(t, x);
      return t;
    }
    case 'view': {
      // A sub-view: partitions from an allowed start, a window of free elements.
      const starts = p > 64 ? [0] : p > 32 ? [0, 64] : [0, 32, 64, 96];
      const p0 = pick(starts, s.c);
      if (p0 >= p) return x.get(':', [s.d % f, f]);
      const pn = Math.min(p - p0, 1 + (s.d % 32));
      const f0 = s.c % f;
      return x.get([p0, p0 + pn], [f0, f0 + 1 + ((s.d >> 2) % (f - f0))]);
    }
    case 'carry': {
      // The same value of the previous iteration (a tile allocated there, still live here).
      const before = ctx.prev?.[s.a % pool.length];
      if (!ctx.ordered) return undefined;
      return before && sameShape(before, x) && before.dtype === x.dtype ? nl.add(x, before) : nl.exp(x);
    }
    case 'accumulateState': {
      const st = ctx.state;
      if (!ctx.ordered || !st || !sameShape(st, x)) return undefined;
      nisa.tensorTensor(st, x, pick(BINARY, s.c), { dst: st, engine: pick(EW_ENGINES, s.d) ?? 'vector' });
      return undefined;
    }
    case 'gather': {
      // Rows of an input table through an index tile (indirect DMA), in order or reversed.
      const table = pick(ctx.inputs, s.c);
      const n = Math.min(p, ctx.rows);
      const idx = rowIndex(n, (s.d * 7) % (ctx.rows - n + 1), s.d % 2 === 1);
      const t = nl.ndarray([n, table.shape[1]], table.dtype, { name: 'gathered' });
      nisa.dmaCopy(t, table, { indirect: { index: idx } });
      return t;
    }
    case 'scatter': {
      // Scatter the rows of x to HBM in reverse order (every row once), then load them back.
      const scratch = nl.ndarray([p, f], x.dtype, { buffer: nl.hbm, name: 'scattered' });
      nisa.dmaCopy(scratch, x, { indirect: { index: rowIndex(p, 0, true) } });
      return nl.load(scratch);
    }
    case 'dmaAdd': {
      // HBM read-modify-write: scratch = x, scratch += y (in the DMA), reload.
      const other = sameShape(x, y) ? y : x;
      const scratch = nl.ndarray([p, f], x.dtype, { buffer: nl.hbm, name: 'summed' });
      nl.store(scratch, x);
      nisa.dmaCopy(scratch, other, { dstRmwOp: 'add' });
      return nl.load(scratch);
    }
    case 'dmaTranspose': {
      if (f > 128 || x.dtype === 'float8_e4m3' || x.dtype === 'float8_e5m2') return undefined;
      return nisa.dmaTranspose(x);
    }
  }
}

export interface BuiltKernel {
  readonly kernel: Kernel;
  readonly inputs: readonly TensorSpec[];
}

function blocks(spec: ValidSpec): number {
  return spec.grid.reduce((a, b) => a * b, 1) * spec.loop.extent;
}

/** The kernel a spec describes (deterministic), and its input specs. */
export function buildValid(spec: ValidSpec): BuiltKernel {
  const { P, F } = spec;
  const B = blocks(spec);
  const inputs = spec.dtypes.map((dtype) => ({ shape: [B * P, F], dtype }));
  const ordered = spec.loop.kind !== 'affine';
  const rows = B * P;
  const usesState = ordered && spec.steps.some((st) => st.kind === 'accumulateState');
  // Probe: run the steps on one block's tiles to learn which steps trace and the shapes of the pool.
  const accepted: boolean[] = [];
  let shapes: { shape: readonly number[]; dtype: DType }[] = [];
  kernel((...ins: Tensor[]) => {
    const pool = ins.map((t) => nl.load(t.get([0, P], ':')));
    const state = usesState ? nl.zeros([P, F], nl.float32, { name: 'state' }) : undefined;
    applySteps(spec, pool, { inputs: ins, rows, ordered, state }, () => true, accepted);
    shapes = pool.map((t) => ({ shape: t.shape, dtype: t.dtype }));
    return undefined;
  }).trace(inputs);
  const outs = spec.outputs.map((o) => {
    const v = o.value % shapes.length;
    const { shape, dtype } = shapes[v];
    const stored = o.dtype < 5 ? dtype : pick(FLOAT_DTYPES, o.dtype);
    return { v, rows: shape[0], shape: [B * shape[0], ...shape.slice(1)], dtype: stored };
  });
  const programs = spec.grid.reduce((a, b) => a * b, 1);
  const body = (...ins: Tensor[]) => {
    const results = outs.map((o) => nl.ndarray(o.shape, o.dtype, { buffer: nl.sharedHbm, name: 'result' }));
    const stateOut = usesState
      ? nl.ndarray([programs * P, F], nl.float32, { buffer: nl.sharedHbm, name: 'stateOut' })
      : undefined;
    const grid = spec.grid;
    let program = 0;
    for (let axis = 0; axis < grid.length; axis++) program = program * grid[axis] + nl.programId(axis);
    const state = usesState ? nl.zeros([P, F], nl.float32, { name: 'state' }) : undefined;
    let prev: Tensor[] | undefined;
    for (const i of range[spec.loop.kind](spec.loop.extent)) {
      const block = program * spec.loop.extent + i;
      const pool = ins.map((t) => nl.load(t.get(nl.ds(block * P, P), ':')));
      applySteps(spec, pool, { inputs: ins, rows, ordered, prev, state }, (k) => accepted[k], undefined);
      outs.forEach((o, k) => {
        const value = pool[o.v];
        nl.store(results[k].get(nl.ds(block * o.rows, o.rows), ':'), value);
      });
      prev = pool;
    }
    if (stateOut && state) nl.store(stateOut.get(nl.ds(program * P, P), ':'), state);
    return stateOut ? [...results, stateOut] : results;
  };
  const k = kernel(body, { name: 'fuzzValid' });
  return { kernel: spec.grid.length ? k.grid(...spec.grid) : k, inputs };
}
