import { jsBackend } from '../js.ts';
import type { BackendSession, ComputeBackend, MemorySizes } from '../types.ts';
import { WasmSession, type WasmSessionOptions, wasmPages, wasmUnavailable } from './session.ts';
import { threadPool } from './threads.ts';

/**
 * A wasm session for these memory sizes, or a js session when they do not fit 32-bit WebAssembly memory (4 GiB) or
 * the engine cannot allocate it: the results are the same, only slower.
 */
export function wasmSession(
  sizes: MemorySizes,
  opts: Omit<WasmSessionOptions, 'threads'> = {},
): BackendSession {
  const pages = wasmPages(sizes);
  if (pages === undefined) return jsBackend.session(sizes);
  try {
    return new WasmSession(sizes, pages, { ...opts, threads: threadPool() });
  } catch (e) {
    // the engine could not reserve that much linear memory
    if (e instanceof RangeError) return jsBackend.session(sizes);
    throw e;
  }
}

/** WebAssembly SIMD kernels on memories inside the module's linear memory; matmuls split over worker threads. */
export const wasmBackend: ComputeBackend = {
  name: 'wasm',
  unavailable: wasmUnavailable,
  session: (sizes) => wasmSession(sizes),
};
