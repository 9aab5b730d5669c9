/**
 * How each elementwise, reduce and row op is written in tilekit's DSL on SBUF tiles: the per-concern lowering table
 * of the fused kernels, typed over the op names so an op the fuser accepts cannot lack one. Operands are fp32 tiles
 * [p, f], per-partition columns [p, 1] or compile-time numbers; results are fp32.
 */

import { allocate } from '../../dsl/alloc.ts';
import type { Tensor } from '../../dsl/index.ts';
import { nisa, nl } from '../../dsl/index.ts';
import type { ActivationFn } from '../../ir/activation.ts';
import type { AluOp } from '../../ir/alu.ts';
import { ndarray } from '../ndarray.ts';
import { clipBounds } from '../ops/elementwise.ts';
import { graphOp, type OpNameOfKind } from '../ops/index.ts';
import { AttrReader } from '../ops/op-def.ts';
import type { Node } from '../types.ts';

export type TileVal = Tensor | number;

export interface TileCtx {
  readonly node: Node;
  readonly attrs: AttrReader;
  readonly opset: number;
  /** Elements of the whole row (the space's F). */
  readonly F: number;
}

export type TileEmitter = (ctx: TileCtx, args: readonly (TileVal | undefined)[]) => TileVal;

const F32 = { dtype: 'float32' } as const;

/** Host evaluation when every operand is a number (constants met in a tile expression). */
function onHost(ctx: TileCtx, args: readonly (TileVal | undefined)[]): number | undefined {
  if (!args.every((a) => a === undefined || typeof a === 'number')) return undefined;
  const inputs = args.map((a) => (a === undefined ? undefined : ndarray([], 'float32', [a as number])));
  const out = graphOp(ctx.node.op).evaluate({
    inputs,
    attrs: ctx.attrs,
    opset: ctx.opset,
    outputTypes: [{ shape: [], dtype: 'float32' }],
  });
  return out[0].data[0];
}

function tile(x: TileVal | undefined, what: string): Tensor {
  if (x === undefined || typeof x === 'number') throw new RangeError(`${what}: expected a tile`);
  return x;
}

function binaryOp(op: AluOp): TileEmitter {
  const fn = {
    add: nl.add,
    subtract: nl.subtract,
    multiply: nl.multiply,
    divide: nl.divide,
    maximum: nl.maximum,
    minimum: nl.minimum,
    equal: nl.equal,
    less: nl.less,
    lessEqual: nl.lessEqual,
    greater: nl.greater,
    greaterEqual: nl.greaterEqual,
    logicalAnd: nl.logicalAnd,
    logicalOr: nl.logicalOr,
  }[op as string];
  if (!fn) throw new RangeError(`no binary emitter for ${op}`);
  return (ctx, args) => onHost(ctx, args) ?? fn(args[0]!, args[1]!, F32);
}

function activation(fn: ActivationFn, opts: { alpha?: number } = {}): TileEmitter {
  return (ctx, [x]) => onHost(ctx, [x]) ?? nisa.activation(fn, tile(x, fn), { ...F32, ...opts });
}

function pow(ctx: TileCtx, args: readonly (TileVal | undefined)[]): TileVal {
  const host = onHost(ctx, args);
  if (host !== undefined) return host;
  const [x, e] = args;
  if (typeof e === 'number' && typeof x !== 'number') {
    const t = tile(x, 'Pow');
    if (e === 1) return t;
    if (e === 2) return nisa.activation('square', t, F32);
    if (e === 0.5) return nisa.activation('sqrt', t, F32);
    if (e === -0.5) return nisa.activation('rsqrt', t, F32);
    if (e === -1) return nisa.reciprocal(t, F32);
    if (e === 3) return nl.multiply(nisa.activation('square', t, F32), t, F32);
  }
  return nl.power(args[0]!, args[1]!, F32);
}

/** max(lo, min(hi, a·x + b)) in two tensorScalar instructions. */
function hardSigmoid(x: Tensor, alpha: number, beta: number): Tensor {
  const lin = nisa.tensorScalar(x, 'multiply', alpha, { ...F32, op1: 'add', operand1: beta });
  return nisa.tensorScalar(lin, 'maximum', 0, { ...F32, op1: 'minimum', operand1: 1 });
}

function where(ctx: TileCtx, args: readonly (TileVal | undefined)[]): TileVal {
  const host = onHost(ctx, args);
  if (host !== undefined) return host;
  const [c, a, b] = args as TileVal[];
  if (typeof c === 'number') return c !== 0 ? a : b;
  const shapeOf = [a, b].find((v): v is Tensor => typeof v !== 'number' && v.shape[1] > c.shape[1]);
  // A per-partition condition against full tiles: widen it to the tile first.
  const cond = shapeOf ? nisa.tensorScalar(nl.ones(shapeOf.shape, 'float32'), 'multiply', c, F32) : c;
  return nl.where(cond, a, b, F32);
}

function cast(ctx: TileCtx, [x]: readonly (TileVal | undefined)[]): TileVal {
  const host = onHost(ctx, [x]);
  if (host !== undefined) return host;
  const t = tile(x, 'Cast');
  const to = ctx.attrs.int('to');
  if (to === 1 || to === 11) return t; // float32, double: fp32 on the device
  if (to === 9) return nl.notEqual(t, 0, F32); // bool
  if (to === 10 || to === 16) {
    const low = nisa.tensorCopy(t, { dtype: to === 10 ? 'float16' : 'bfloat16' });
    return nisa.tensorCopy(low, F32);
  }
  return nl.trunc(t, F32); // integers: truncate toward zero, as onnxruntime's Cast
}

function clip(ctx: TileCtx, args: readonly (TileVal | undefined)[]): TileVal {
  const host = onHost(ctx, [args[0]]);
  const bounds = clipBounds(
    ctx.attrs,
    [undefined, args[1], args[2]].map((v) =>
      typeof v === 'number' ? ndarray([], 'float32', [v]) : undefined,
    ),
  );
  const clamp = (v: number) => Math.min(bounds.hi, Math.max(bounds.lo, v));
  if (host !== undefined) return clamp(host);
  const t = tile(args[0], 'Clip');
  const lo = Number.isFinite(bounds.lo);
  const hi = Number.isFinite(bounds.hi);
  if (lo && hi)
    return nisa.tensorScalar(t, 'maximum', bounds.lo, { ...F32, op1: 'minimum', operand1: bounds.hi });
  if (lo) return nisa.tensorScalar(t, 'maximum', bounds.lo, F32);
  if (hi) return nisa.tensorScalar(t, 'minimum', bounds.hi, F32);
  return t;
}

/** Row ops: the whole row is in the tile. */
function softmax(log: boolean): TileEmitter {
  return (_ctx, [x]) => {
    const t = tile(x, 'Softmax');
    const P = t.shape[0];
    const negMax = nisa.tensorReduce('maximum', t, 1, { negate: true, dtype: 'float32', name: 'neg_max' });
    const sums = allocate([P, 1], 'float32', 'sbuf', 'exp_sum');
    const e = nisa.activation('exp', t, { bias: negMax, reduceRes: sums, dtype: 'float32', name: 'exp' });
    if (!log) return nisa.tensorScalar(e, 'divide', sums, F32);
    // log softmax = x - max - log(sum)
    const logSum = nisa.activation('log', sums, F32);
    return nisa.tensorScalar(t, 'add', negMax, { ...F32, op1: 'subtract', operand1: logSum });
  };
}

/** Scale and bias of a row op are [p, F] tiles (broadcast rows) or numbers. */
function applyAffine(y: Tensor, scale: TileVal | undefined, bias: TileVal | undefined): Tensor {
  let out = y;
  if (scale !== undefined && scale !== 1) out = nl.multiply(out, scale, F32) as Tensor;
  if (bias !== undefined && bias !== 0) out = nl.add(out, bias, F32) as Tensor;
  return out;
}

const layerNorm: TileEmitter = (ctx, [x, scale, bias]) => {
  const t = tile(x, 'LayerNormalization');
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const P = t.shape[0];
  const sum = nisa.tensorReduce('add', t, 1, { dtype: 'float32', name: 'ln_sum' });
  const negMean = nisa.tensorScalar(sum, 'multiply', -1 / ctx.F, F32);
  const centered = nisa.tensorScalar(t, 'add', negMean, F32);
  const ss = allocate([P, 1], 'float32', 'sbuf', 'ln_sumsq');
  nisa.activation('square', centered, { reduceRes: ss, dtype: 'float32' });
  const varEps = nisa.tensorScalar(ss, 'multiply', 1 / ctx.F, { ...F32, op1: 'add', operand1: eps });
  const rstd = nisa.activation('rsqrt', varEps, F32);
  return applyAffine(nisa.tensorScalar(centered, 'multiply', rstd, F32), scale, bias);
};

const rmsNorm: TileEmitter = (ctx, [x, scale]) => {
  const t = tile(x, 'RMSNormalization');
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const ss = allocate([t.shape[0], 1], 'float32', 'sbuf', 'rms_sumsq');
  nisa.activation('square', t, { reduceRes: ss, dtype: 'float32' });
  const meanEps = nisa.tensorScalar(ss, 'multiply', 1 / ctx.F, { ...F32, op1: 'add', operand1: eps });
  const r = nisa.activation('rsqrt', meanEps, F32);
  return applyAffine(nisa.tensorScalar(t, 'multiply', r, F32), scale, undefined);
};

/** Reductions over the whole free dim of a tile: the ALU op, and whether the result is divided by F. */
export const REDUCE_OPS = {
  ReduceSum: { alu: 'add', mean: false },
  ReduceMean: { alu: 'add', mean: true },
  ReduceMax: { alu: 'maximum', mean: false },
  ReduceMin: { alu: 'minimum', mean: false },
  GlobalAveragePool: { alu: 'add', mean: true },
  GlobalMaxPool: { alu: 'maximum', mean: false },
} as const satisfies Record<OpNameOfKind<'reduce'>, { alu: AluOp; mean: boolean }>;

export type ReduceOpName = keyof typeof REDUCE_OPS;

const unsupported =
  (what: string): TileEmitter =>
  () => {
    throw new RangeError(`${what} is rewritten before kernels are generated`);
  };

export const TILE_OPS = {
  Add: binaryOp('add'),
  Sub: binaryOp('subtract'),
  Mul: binaryOp('multiply'),
  Div: binaryOp('divide'),
  Pow: pow,
  Max: binaryOp('maximum'),
  Min: binaryOp('minimum'),
  Equal: binaryOp('equal'),
  Less: binaryOp('less'),
  LessOrEqual: binaryOp('lessEqual'),
  Greater: binaryOp('greater'),
  GreaterOrEqual: binaryOp('greaterEqual'),
  And: binaryOp('logicalAnd'),
  Or: binaryOp('logicalOr'),
  Not: (ctx, [x]) => onHost(ctx, [x]) ?? nl.logicalNot(tile(x, 'Not'), F32),
  Relu: activation('relu'),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
  Exp: activation('exp'),
  Log: activation('log'),
  Sqrt: activation('sqrt'),
  Reciprocal: (ctx, [x]) => onHost(ctx, [x]) ?? nisa.reciprocal(tile(x, 'Reciprocal'), F32),
  Neg: (ctx, [x]) => onHost(ctx, [x]) ?? nl.multiply(tile(x, 'Neg'), -1, F32),
  Abs: activation('abs'),
  Erf: activation('erf'),
  Softplus: activation('softplus'),
  Sin: activation('sin'),
  Cos: (ctx, [x]) => onHost(ctx, [x]) ?? nl.cos(tile(x, 'Cos'), F32),
  Silu: activation('silu'),
  Gelu: (ctx, [x]) =>
    onHost(ctx, [x]) ??
    nisa.activation(
      ctx.attrs.string('approximate', 'none') === 'tanh' ? 'geluApprxTanh' : 'gelu',
      tile(x, 'Gelu'),
      F32,
    ),
  HardSigmoid: (ctx, [x]) =>
    onHost(ctx, [x]) ??
    hardSigmoid(tile(x, 'HardSigmoid'), ctx.attrs.float('alpha', 0.2), ctx.attrs.float('beta', 0.5)),
  HardSwish: (ctx, [x]) => {
    const host = onHost(ctx, [x]);
    if (host !== undefined) return host;
    const t = tile(x, 'HardSwish');
    return nl.multiply(t, hardSigmoid(t, 1 / 6, 0.5), F32);
  },
  LeakyRelu: (ctx, [x]) =>
    onHost(ctx, [x]) ??
    nisa.activation('prelu', tile(x, 'LeakyRelu'), { ...F32, alpha: ctx.attrs.float('alpha', 0.01) }),
  Clip: clip,
  Where: where,
  Cast: cast,
  BatchNormalization: unsupported('BatchNormalization'),
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  LayerNormalization: layerNorm,
  RMSNormalization: rmsNorm,
} as const satisfies Record<OpNameOfKind<'elementwise' | 'row'>, TileEmitter>;

export type TileOpName = keyof typeof TILE_OPS;

export function isTileOp(op: string): op is TileOpName {
  return Object.hasOwn(TILE_OPS, op);
}

export function isReduceOp(op: string): op is ReduceOpName {
  return Object.hasOwn(REDUCE_OPS, op);
}

/** Unary ops a ScalarE activation applies while evacuating PSUM: func(x · scale + bias). */
export function evacuationFunc(n: Node): ActivationFn | undefined {
  const a = new AttrReader(n.attrs);
  switch (n.op) {
    case 'Relu':
      return 'relu';
    case 'Sigmoid':
      return 'sigmoid';
    case 'Tanh':
      return 'tanh';
    case 'Exp':
      return 'exp';
    case 'Erf':
      return 'erf';
    case 'Silu':
      return 'silu';
    case 'Softplus':
      return 'softplus';
    case 'Gelu':
      return a.string('approximate', 'none') === 'tanh' ? 'geluApprxTanh' : 'gelu';
    default:
      return undefined;
  }
}
