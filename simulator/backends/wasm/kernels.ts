// The WebAssembly module of the wasm backend, generated from TypeScript on first use (no build step): dtype codecs
// between memory bytes and fp32/fp64 scratch and the canonicalising copy (codec-kernels.ts), the matmul kernels
// (matmul-kernels.ts) and the elementwise ALU kernel (alu-kernels.ts). Every function reproduces the JS reference bit
// for bit (ir/dtypes/float-codec.ts, ir/ops/matmul.ts, ir/alu.ts); simulator/backends/backends.test.ts compares
// them exhaustively or on random data.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aluFuncs } from './alu-kernels.ts';
import { type WasmModule, WebAssemblyApi } from './api.ts';
import { assemble, type FuncDef } from './asm.ts';
import { codecFuncs } from './codec-kernels.ts';
import { matmulFuncs } from './matmul-kernels.ts';

export { ALU_BINARY, type AluBinary } from './alu-kernels.ts';
export {
  FLOAT_KINDS,
  type FloatKind,
  INT_KINDS,
  type IntKind,
  type Kind,
  LIST_WORDS,
  MR,
  NW,
  TABLE_E4M3,
  TABLE_E4M3FN,
  TABLE_E5M2,
  TABLE_F16,
  TABLES_END,
} from './kernel-parts.ts';

/** Every function of the module, codecs first (others call the encoders by index). */
function buildFuncs(): FuncDef[] {
  return [...codecFuncs(), ...matmulFuncs(), ...aluFuncs()];
}

export interface KernelExports {
  readonly [name: string]: (...args: number[]) => void;
}

const cache = new Map<boolean, WasmModule>();

/** The generator's sources: the cached module is keyed by their hash. */
const SOURCES = [
  './asm.ts',
  './kernel-parts.ts',
  './codec-kernels.ts',
  './matmul-kernels.ts',
  './alu-kernels.ts',
  './kernels.ts',
];

/** The compiled module for a shared (threads) or unshared memory; built once per process. */
export function kernelModule(shared: boolean): WasmModule {
  let m = cache.get(shared);
  if (!m) {
    if (!WebAssemblyApi) throw new Error('WebAssembly is not available in this JavaScript runtime');
    m = new WebAssemblyApi.Module(cachedBytes(shared));
    cache.set(shared, m);
  }
  return m;
}

/** The module bytes (for tests and tools). */
export function kernelModuleBytes(shared: boolean): Uint8Array {
  return assemble({ memory: { shared, minPages: 1, maxPages: 65536 }, funcs: buildFuncs() });
}

/**
 * The module bytes, from node_modules/.cache/tilekit when an earlier process built them from the same generator
 * source (the file name is a hash of the generator's sources), else built now and cached: generating takes a good
 * fraction of a second per process, reading takes none. Any file-system problem just means building.
 */
function cachedBytes(shared: boolean): Uint8Array {
  let file: string | undefined;
  try {
    const h = createHash('sha256');
    for (const f of SOURCES) h.update(readFileSync(new URL(f, import.meta.url)));
    h.update(shared ? 'shared' : 'unshared');
    const dir = fileURLToPath(new URL('../../../node_modules/.cache/tilekit/', import.meta.url));
    file = join(dir, `kernels-${h.digest('hex').slice(0, 20)}.wasm`);
    if (existsSync(file)) {
      const bytes = new Uint8Array(readFileSync(file));
      if (WebAssemblyApi?.validate(bytes)) return bytes;
    }
  } catch {
    file = undefined;
  }
  const bytes = kernelModuleBytes(shared);
  if (file) {
    try {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
    } catch {
      // read-only install: build each time
    }
  }
  return bytes;
}
