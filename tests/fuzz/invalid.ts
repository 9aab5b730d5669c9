/**
 * Random invalid kernels: a valid kernel (valid.ts) with one fault injected before a random step, from a catalogue
 * of mistakes (bad slices, shapes, dtypes, engines, memories, loops, limits, writes to inputs, affine clashes,
 * capacity, out-of-range indirect indices, …) or a random nl/nisa function called with junk arguments. Tracing,
 * compiling and simulating must end in a KernelError located in this folder (the user's code), or succeed; never in
 * another exception, a crash or a hang.
 */
import fc from 'fast-check';
import { type DType, type Kernel, kernel, nisa, nl, type Tensor, type TensorSpec } from '../../index.ts';
import { applySteps, type ValidSpec, validSpecArb } from './valid.ts';

export const FAULTS = [
  'sliceOutOfRange',
  'sliceJunk',
  'reshapeJunk',
  'shapeMismatch',
  'matmulDtype',
  'matmulContraction',
  'psumTooWide',
  'partitionsTooMany',
  'dtypeJunk',
  'engineJunk',
  'writeInput',
  'affineClash',
  'sbufOverflow',
  'indirectOutOfRange',
  'instructionLimit',
  'memoryBudget',
  'returnJunk',
  'uninitialisedRead',
  'leakedTensor',
  'nestedKernel',
  'tileInCondition',
  'loopJunk',
  'gridJunk',
  'apiJunk',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface InvalidSpec {
  readonly base: ValidSpec;
  readonly fault: Fault;
  /** Before which step the fault goes (modulo the step count + 1). */
  readonly at: number;
  /** Fault parameters. */
  readonly p: readonly number[];
}

export const invalidSpecArb: fc.Arbitrary<InvalidSpec> = fc.record({
  base: validSpecArb,
  fault: fc.constantFrom(...FAULTS),
  at: fc.nat(16),
  p: fc.array(fc.nat(1000), { minLength: 6, maxLength: 6 }),
});

const pick = <T>(list: readonly T[], i: number): T => list[i % list.length];

/** Values a careless caller might pass where a tensor, a number, a dtype or an options object belongs. */
function junk(pool: readonly Tensor[], i: number): unknown {
  const x = pool[0];
  const choices: unknown[] = [
    x,
    pick(pool, i >> 5),
    x.get(':', [0, 1]),
    0,
    1,
    -1,
    2.5,
    1e9,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    'add',
    'exp',
    'float64',
    'bfloat16',
    'vector',
    '',
    undefined,
    null,
    {},
    [],
    [1],
    [x.shape[0], 3],
    [-1, 4],
    { dst: x },
    { dtype: 'bfloat16' },
    { dtype: 'nope' },
    { engine: 'tensor' },
    { engine: 'tpu' },
    { axis: 5 },
    true,
    () => 1,
    Symbol('s'),
  ];
  return choices[i % choices.length];
}

/** Every function of nl and nisa (the API surface `apiJunk` calls). */
const API: readonly [string, (...args: unknown[]) => unknown][] = [
  ...Object.entries(nl).map(([k, f]) => [`nl.${k}`, f] as [string, unknown]),
  ...Object.entries(nisa).map(([k, f]) => [`nisa.${k}`, f] as [string, unknown]),
]
  .filter((e): e is [string, (...args: unknown[]) => unknown] => typeof e[1] === 'function')
  .sort((a, b) => (a[0] < b[0] ? -1 : 1));

export function apiName(i: number): string {
  return pick(API, i)[0];
}

let leaked: Tensor | undefined;
const leakKernel = kernel((a: Tensor) => {
  leaked = nl.load(a.get([0, 1], ':'));
  return undefined;
});
const inner = kernel(() => undefined);

/** Inject the fault; returns a value to add to the pool, if any. `ctx` has what some faults need. */
function inject(
  s: InvalidSpec,
  pool: Tensor[],
  ctx: { inputs: readonly Tensor[]; results: readonly Tensor[]; block: number; loopIndex: number },
): Tensor | undefined {
  const [a, b, c, d, e] = s.p;
  const x = pick(pool, a);
  const [p, f] = x.shape;
  switch (s.fault) {
    case 'sliceOutOfRange':
      return c % 2 ? x.get(':', [0, f + 1 + (b % 5)]) : x.get([p - 1, p + 1 + (b % 3)], ':');
    case 'sliceJunk':
      return x.get(junk(pool, b) as never, junk(pool, c) as never);
    case 'reshapeJunk':
      return x.reshape(c % 2 ? [p, f + 1] : (junk(pool, b) as never));
    case 'shapeMismatch': {
      const other = nl.ndarray([p === 128 ? 64 : p + 1, f + (b % 3)], x.dtype);
      nisa.memset(other, 1);
      return c % 2 ? nl.add(x, other) : nisa.tensorTensor(x, other, 'multiply');
    }
    case 'matmulDtype': {
      const ints = nisa.tensorCopy(x, { dtype: pick(['int32', 'uint8', 'int8'] as DType[], b) });
      return nisa.ncMatmul(ints, x);
    }
    case 'matmulContraction': {
      const other = nl.ndarray([p === 1 ? 2 : p - 1, Math.min(f, 512)], x.dtype);
      nisa.memset(other, 1);
      return nisa.ncMatmul(x, other);
    }
    case 'psumTooWide':
      return nl.ndarray([p, 513 + (b % 600)], nl.float32, { buffer: nl.psum });
    case 'partitionsTooMany':
      return nl.zeros([129 + (b % 200), f], nl.float32);
    case 'dtypeJunk':
      return c % 2
        ? nl.ndarray([p, f], junk(pool, b) as DType)
        : nisa.tensorCopy(x, { dtype: junk(pool, b) as DType });
    case 'engineJunk':
      return c % 3 === 0
        ? nl.exp(x, { engine: junk(pool, b) as never })
        : nisa.tensorCopy(x, { engine: pick(['tensor', 'dma', 'sync', 'tpu'], b) as never });
    case 'writeInput':
      nl.store(pick(ctx.inputs, b).get(nl.ds(ctx.block * p, p), ':'), x);
      return undefined;
    case 'affineClash':
      // Every iteration stores to the same rows of the output.
      nl.store(ctx.results[0].get(nl.ds(0, 1), ':'), pool[0].get([0, 1], ':'));
      return undefined;
    case 'sbufOverflow': {
      const big = nl.ndarray([128, 30000 + (b % 20000)], nl.float32, { name: 'big' });
      const bigger = nl.ndarray([128, 30000 + (c % 20000)], nl.float32, { name: 'bigger' });
      nisa.memset(big, 1);
      nisa.memset(bigger, 2);
      return nl.add(big.get(':', [0, f]), bigger.get(':', [0, f]));
    }
    case 'indirectOutOfRange': {
      const table = pick(ctx.inputs, b);
      const rows = table.shape[0];
      const idx = nisa.iota([p, 1], nl.int32, { offset: rows - (c % 3), channelMultiplier: 1 });
      const dst = nl.ndarray([p, f], table.dtype, { name: 'gathered' });
      nisa.dmaCopy(dst, table, { indirect: { index: idx }, oobMode: d % 2 ? 'skip' : 'error' });
      return dst;
    }
    case 'instructionLimit':
    case 'memoryBudget':
    case 'returnJunk':
    case 'gridJunk':
      return undefined; // faults of the kernel as a whole: see buildInvalid
    case 'uninitialisedRead': {
      const t = nl.ndarray([p, f], x.dtype, { name: 'neverWritten' });
      if (f > 1) nisa.memset(t.get(':', [0, 1 + (b % (f - 1))]), 0);
      return nl.add(x, t);
    }
    case 'leakedTensor':
      return nl.exp(leaked!);
    case 'nestedKernel':
      inner.trace([]);
      return undefined;
    case 'tileInCondition': {
      const v = x as unknown as number;
      if (c % 2 ? v > 0 : v + 1) return x;
      return undefined;
    }
    case 'loopJunk': {
      const r = pick([nl.affineRange, nl.sequentialRange, nl.staticRange], b);
      // Huge bounds only test the instruction limit (instructionLimit does that quickly): clamp them.
      const bound = (v: unknown) => (typeof v === 'number' && v > 64 ? 64 : v);
      const args = [junk(pool, c), junk(pool, d), junk(pool, e)].slice(0, 1 + (a % 3)).map(bound);
      for (const _ of (r as (...a: unknown[]) => Iterable<number>)(...args)) nisa.memset(x, 0);
      return undefined;
    }
    case 'apiJunk': {
      const [, fn] = pick(API, b);
      const args = [junk(pool, c), junk(pool, d), junk(pool, e), junk(pool, a)].slice(0, 1 + (a % 4));
      const out = fn(...args);
      return out && typeof out === 'object' && 'view' in out && (out as Tensor).shape?.length === 2
        ? (out as Tensor)
        : undefined;
    }
  }
}

export interface BuiltInvalid {
  readonly kernel: Kernel;
  readonly inputs: readonly TensorSpec[];
  /** The simulation's memory budget (the memoryBudget fault). */
  readonly maxMemoryBytes?: number;
}

export function buildInvalid(s: InvalidSpec): BuiltInvalid {
  const spec = s.base;
  const { P, F } = spec;
  const B = spec.grid.reduce((x, y) => x * y, 1) * spec.loop.extent;
  const inputs = spec.dtypes.map((dtype) => ({ shape: [B * P, F], dtype }));
  if (s.fault === 'leakedTensor') leakKernel.trace([inputs[0]]);
  const at = s.at % (spec.steps.length + 1);
  const range = { affine: nl.affineRange, sequential: nl.sequentialRange, static: nl.staticRange }[
    s.fault === 'affineClash' ? 'affine' : spec.loop.kind
  ];
  const extent = s.fault === 'affineClash' ? Math.max(2, spec.loop.extent) : spec.loop.extent;
  const body = (...ins: Tensor[]) => {
    const results = [nl.ndarray([B * P * Math.max(2, extent), F], ins[0].dtype, { buffer: nl.sharedHbm })];
    for (const i of range(extent)) {
      let program = 0;
      for (let axis = 0; axis < spec.grid.length; axis++)
        program = program * spec.grid[axis] + nl.programId(axis);
      const block = program * extent + i;
      const pool = ins.map((t) => nl.load(t.get(nl.ds((block % B) * P, P), ':')));
      const before = { ...spec, steps: spec.steps.slice(0, at) };
      const after = { ...spec, steps: spec.steps.slice(at) };
      const ctx = { inputs: ins, rows: B * P, ordered: false };
      applySteps(before, pool, ctx, () => true, undefined);
      const extra = inject(s, pool, { inputs: ins, results, block: block % B, loopIndex: i });
      if (extra) pool.push(extra);
      applySteps(after, pool, ctx, () => true, undefined);
      nl.store(results[0].get(nl.ds(block * P, P), ':'), pool[0]);
    }
    if (s.fault === 'returnJunk') return junk(ins, s.p[1]) as Tensor;
    return results;
  };
  const limits = s.fault === 'instructionLimit' ? { maxInstructions: 1 } : undefined;
  let k = kernel(body, { name: 'fuzzInvalid', limits, mutable: s.fault === 'writeInput' ? [] : undefined });
  if (s.fault === 'gridJunk') {
    const dims = [0, -1, 2.5, Number.NaN, 'a', undefined, null, 2, 1];
    k = k.grid(...([pick(dims, s.p[2]), pick(dims, s.p[3])] as number[]));
  } else if (spec.grid.length) k = k.grid(...spec.grid);
  const maxMemoryBytes = s.fault === 'memoryBudget' ? 1 + (s.p[1] % 64) : undefined;
  return { kernel: k, inputs, maxMemoryBytes };
}
