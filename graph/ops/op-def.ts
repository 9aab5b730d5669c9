/**
 * A graph op's facts in one entry: arity, how it fuses, its shape/dtype rule and its reference semantics (fp64 on
 * the host; constant folding and drop-in kernel checks use it). How each op becomes kernel code is a per-concern
 * table in graph/kernels/ typed over the op names.
 */
import type { ErrorCode } from '../../ir/error-codes.ts';
import type { Attrs, AttrValue, GraphDType, NDArray, StaticType } from '../types.ts';

/**
 * How the compiler treats the op:
 * - `elementwise`: broadcasting map; fuses into generated tile kernels and matmul/conv epilogues;
 * - `reduce`: reduction over trailing axes (a row reduction in a fused kernel);
 * - `row`: a whole-row op over trailing axes (Softmax, LayerNormalization, RMSNormalization);
 * - `view`: a new shape for the same row-major data (no kernel);
 * - `anchor`: a TensorE/VectorE kernel of its own (matmul, conv, pooling) that elementwise consumers fuse into;
 * - `kernel`: a kernel of its own (data movement, attention, RoPE);
 * - `host`: only ever computed at compile time (shape arithmetic, Constant).
 */
export type FusionKind = 'elementwise' | 'reduce' | 'row' | 'view' | 'anchor' | 'kernel' | 'host';

/** A rule violation in an op's inputs or attributes; the pass adds the node. */
export class OpError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function opFail(code: ErrorCode, message: string): never {
  throw new OpError(code, message);
}

export interface InferArgs {
  /** Input types (undefined for omitted optional inputs). */
  readonly inputs: readonly (StaticType | undefined)[];
  /** Values of constant inputs (shape tensors, axes, weights). */
  readonly consts: readonly (NDArray | undefined)[];
  readonly attrs: AttrReader;
  readonly opset: number;
  /** Declared number of outputs (ONNX nodes list them). */
  readonly outputs: number;
}

export interface EvalArgs {
  readonly inputs: readonly (NDArray | undefined)[];
  readonly attrs: AttrReader;
  readonly opset: number;
  /** The inferred output types. */
  readonly outputTypes: readonly StaticType[];
}

export interface GraphOpDef {
  readonly summary: string;
  /** [min, max] inputs (max Infinity for variadic ops). */
  readonly arity: readonly [number, number];
  readonly fusion: FusionKind;
  readonly infer: (a: InferArgs) => StaticType[];
  readonly evaluate: (a: EvalArgs) => NDArray[];
  /** Ops whose outputs follow from the input types alone (Shape): their values once the types are static. */
  readonly valueFromTypes?: (a: InferArgs) => NDArray[];
}

/** An op definition that keeps its fusion kind in its type, so tables can be typed over one kind of op. */
export type OpOfKind<F extends FusionKind> = GraphOpDef & { readonly fusion: F };

export function defineGraphOp<const F extends FusionKind>(
  def: GraphOpDef & { readonly fusion: F },
): OpOfKind<F> {
  return Object.freeze(def);
}

/** Typed, validated access to a node's attributes; a wrong type is TK0806. */
export class AttrReader {
  constructor(readonly attrs: Attrs) {}

  has(name: string): boolean {
    return this.attrs[name] !== undefined;
  }

  private get(name: string): AttrValue | undefined {
    return this.attrs[name];
  }

  int(name: string, fallback?: number): number {
    const v = this.get(name);
    if (v === undefined) {
      if (fallback === undefined) opFail('TK0806', `attribute '${name}' is required`);
      return fallback;
    }
    if (typeof v !== 'number' || !Number.isInteger(v))
      opFail('TK0806', `attribute '${name}' must be an integer, got ${JSON.stringify(v)}`);
    return v;
  }

  float(name: string, fallback?: number): number {
    const v = this.get(name);
    if (v === undefined) {
      if (fallback === undefined) opFail('TK0806', `attribute '${name}' is required`);
      return fallback;
    }
    if (typeof v !== 'number')
      opFail('TK0806', `attribute '${name}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  ints(name: string, fallback?: readonly number[]): readonly number[] {
    const v = this.get(name);
    if (v === undefined) {
      if (fallback === undefined) opFail('TK0806', `attribute '${name}' is required`);
      return fallback;
    }
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x)))
      opFail('TK0806', `attribute '${name}' must be a list of integers, got ${JSON.stringify(v)}`);
    return v as readonly number[];
  }

  optionalInts(name: string): readonly number[] | undefined {
    return this.has(name) ? this.ints(name) : undefined;
  }

  string(name: string, fallback?: string): string {
    const v = this.get(name);
    if (v === undefined) {
      if (fallback === undefined) opFail('TK0806', `attribute '${name}' is required`);
      return fallback;
    }
    if (typeof v !== 'string')
      opFail('TK0806', `attribute '${name}' must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  tensor(name: string): NDArray | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || !('data' in v)) opFail('TK0806', `attribute '${name}' must be a tensor`);
    return v as NDArray;
  }
}

/** A required input type (its absence is an arity error the pass reports first). */
export function inType(a: InferArgs, i: number, what = `input ${i}`): StaticType {
  const t = a.inputs[i];
  if (!t) opFail('TK0804', `${what} is missing`);
  return t;
}

/** A constant input's values (axes, shapes): TK0806 when the input is computed at run time. */
export function constInput(a: InferArgs, i: number, what: string): NDArray {
  const c = a.consts[i];
  if (!c) opFail('TK0806', `${what} (input ${i}) must be a constant known at compile time`);
  return c;
}

export const FLOAT_DTYPES: ReadonlySet<GraphDType> = new Set([
  'float32',
  'float16',
  'bfloat16',
  'float64',
  'tfloat32',
]);

export function isFloatType(d: GraphDType): boolean {
  return FLOAT_DTYPES.has(d);
}
