import type { Kernel, TensorSpec } from '../dsl/kernel.ts';
import type { DType } from '../ir/dtypes.ts';
import type { HostArray, Tolerance } from '../ir/host.ts';

/** Named shape parameters, e.g. { M: 64, K: 128, N: 512 } or { rows: 250, cols: 512 }. */
export type ShapeParams = Readonly<Record<string, number>>;

/** How `build` specialises a kernel beyond its shape and dtype. */
export interface BuildOptions {
  /** The chip the kernel is built for ('trn1', 'trn2'): picks the meta-parameter defaults. Default 'trn1'. */
  readonly chip?: string;
  /** Meta-parameter overrides (tile and block sizes) by name; unnamed ones keep the chip's defaults. */
  readonly meta?: ShapeParams;
}

/** A kernel of the library: how to build it for a shape and dtype, its plain-TS reference, its tolerance. */
export interface LibraryKernel {
  /** CLI name, kebab-case: 'add', 'matmul', 'matmul-tiled', 'softmax'. */
  readonly name: string;
  readonly description: string;
  /** Shape parameter names, in the order `--shape` lists them. */
  readonly shapeParams: readonly string[];
  /** The shape the main job and the CLI use when none is given. */
  readonly defaultShape: ShapeParams;
  /** The shapes the numerics tests run (kernels.md). */
  readonly testShapes: readonly ShapeParams[];
  /** kernels.md shapes too slow for `npm test`; the numerics tests run them with TILEKIT_FULL=1. */
  readonly fullTestShapes?: readonly ShapeParams[];
  /** Dtypes the kernel is tested in; the first is the default. */
  readonly dtypes: readonly DType[];
  /** Meta-parameters (tile and block sizes) `build` accepts in `opts.meta`, in the order `--sweep` lists them. */
  readonly metaParams?: readonly string[];
  /** The meta-parameter values `build` uses on a chip when none are given (names as `metaParams`). */
  defaultMeta?(chip: string): ShapeParams;
  /** The kernel (with its launch grid) and its input specs for a shape and dtype. */
  build(
    shape: ShapeParams,
    dtype: DType,
    opts?: BuildOptions,
  ): { readonly kernel: Kernel; readonly inputs: readonly TensorSpec[] };
  /**
   * Seeded inputs for a shape and dtype when uniform [−1, 1) does not suit the kernel (kernels.md: "unless a kernel
   * needs otherwise"); without it, `randomInputs(build(...).inputs, seed)`.
   */
  inputs?(shape: ShapeParams, dtype: DType, seed: number): readonly HostArray[];
  /** Expected outputs computed on the host in fp64 from the same (rounded) inputs, one array per output. */
  reference(shape: ShapeParams, inputs: readonly HostArray[]): readonly Float64Array[];
  tolerance(dtype: DType): Tolerance;
}
