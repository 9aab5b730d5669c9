// The part of WebAssembly's JS API the backend uses. Node provides it; the tsconfig's ES libs do not declare it (it
// lives in lib.dom), so it is typed here rather than by adding DOM types to the whole project.

export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (m: WasmModule, imports: object) => WasmInstance;
  readonly Memory: new (d: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export const WebAssemblyApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
