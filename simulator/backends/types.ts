import type { PhysAccess, ProgInstr } from '../../codegen/program.ts';
import type { EvalKernels } from '../../ir/op-def.ts';
import type { Memories } from '../memory.ts';

/**
 * Compute backends of the functional simulator. Each runs the heavy loops (matmul, elementwise ALU ops, dtype
 * conversion, copies) its own way and must give the bytes the `js` reference gives, bit for bit.
 * - `js`: the plain reference (the ops' `evaluate` and ir/dtypes/bulk.ts codecs), the executable spec.
 * - `wasm`: WebAssembly SIMD kernels over memories that live in the module's linear memory (the default).
 * - `gpujs`: matmul through gpu.js (an optional dependency), everything else as `wasm`.
 */
export const BACKEND_NAMES = ['js', 'wasm', 'gpujs'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** Bytes of each memory of one simulation. */
export interface MemorySizes {
  readonly hbm: number;
  readonly sbuf: number;
  readonly psum: number;
}

/** One simulation's storage and compute (one per Memories). */
export interface BackendSession {
  readonly backend: BackendName;
  readonly hbm: Uint8Array;
  readonly sbuf: Uint8Array;
  readonly psum: Uint8Array;
  /** Heavy loops handed to the ops' `evaluate` (EvalArgs.kernels); empty = the reference loops. */
  readonly kernels: EvalKernels;
  /** Decode an access's elements into `out` (row-major fp64); false when not taken (the JS codec runs). */
  read?(mem: Memories, a: PhysAccess, out: Float64Array): boolean;
  /** Encode values into an access's elements; false when not taken. */
  write?(mem: Memories, a: PhysAccess, values: Float64Array): boolean;
  /**
   * Run a whole instruction on the memories without the fp64 round trip (e.g. a matmul straight from the SBUF
   * bytes); false when not taken (the generic read → evaluate → write path runs).
   */
  execute?(mem: Memories, ins: ProgInstr): boolean;
}

export interface ComputeBackend {
  readonly name: BackendName;
  /** Why the backend cannot run in this process, or undefined when it can. */
  unavailable(): string | undefined;
  session(sizes: MemorySizes): BackendSession;
}
