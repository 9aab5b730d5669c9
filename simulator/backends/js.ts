import type { BackendSession, ComputeBackend, MemorySizes } from './types.ts';

/** The reference: plain typed arrays, the ops' own loops, the JS codecs of ir/dtypes/bulk.ts. */
export const jsBackend: ComputeBackend = {
  name: 'js',
  unavailable: () => undefined,
  session(sizes: MemorySizes): BackendSession {
    return {
      backend: 'js',
      hbm: new Uint8Array(sizes.hbm),
      sbuf: new Uint8Array(sizes.sbuf),
      psum: new Uint8Array(sizes.psum),
      kernels: {},
    };
  },
};
