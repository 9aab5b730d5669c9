import { gpujsBackend } from './gpujs.ts';
import { jsBackend } from './js.ts';
import { BACKEND_NAMES, type BackendName, type ComputeBackend } from './types.ts';
import { wasmBackend } from './wasm/index.ts';

export { BACKEND_NAMES, type BackendName, type BackendSession, type ComputeBackend } from './types.ts';

export const BACKENDS: Readonly<Record<BackendName, ComputeBackend>> = {
  js: jsBackend,
  wasm: wasmBackend,
  gpujs: gpujsBackend,
};

export const DEFAULT_BACKEND: BackendName = 'wasm';

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/**
 * The backend to simulate with: the one given, else the TILEKIT_BACKEND environment variable, else wasm. A backend
 * asked for by name that cannot run here is an error; the default falls back to js when WebAssembly is missing.
 */
export function resolveBackend(b?: BackendName | ComputeBackend): ComputeBackend {
  if (typeof b === 'object') return b;
  const env = process.env.TILEKIT_BACKEND || undefined;
  const name = b ?? env ?? DEFAULT_BACKEND;
  if (!isBackendName(name)) {
    throw new RangeError(
      `unknown tilekit backend '${name}'${b ? '' : ' (from TILEKIT_BACKEND)'}; use one of ${BACKEND_NAMES.join(', ')}`,
    );
  }
  const backend = BACKENDS[name];
  const why = backend.unavailable();
  if (why === undefined) return backend;
  if (b === undefined && env === undefined) return jsBackend;
  throw new Error(`tilekit backend '${name}' cannot run here: ${why}`);
}
