export type { BufferKind } from './alloc.ts';
export type { DynSlice, Index } from './indexing.ts';
export { Kernel, type KernelFn, type KernelOptions, kernel, type TensorSpec } from './kernel.ts';
export * as nisa from './nisa.ts';
export * as nl from './nl.ts';
export type { InstrOptions } from './operands.ts';
export { Tensor } from './tensor.ts';
