import { createRequire } from 'node:module';
import { matmulRows } from '../../ir/ops/matmul.ts';
import type { ComputeBackend } from './types.ts';
import { wasmSession } from './wasm/index.ts';
import { productsExact } from './wasm/session.ts';

/**
 * gpu.js (optional dependency) for ncMatmul; memories, copies and elementwise ops as in the wasm backend. gpu.js
 * picks its mode: a GPU through headless-gl or WebGPU when the machine has one, else its own WebAssembly or CPU
 * kernels. Its kernels compute in fp32, so it takes only matmuls whose products are exact in fp32 (every
 * bf16/fp16/fp8 tile in range): there fp32 accumulation in order is the reference's arithmetic. Other matmuls use
 * the reference loop. (GPUs that flush subnormal sums to zero would break bit-exactness; none is used here.)
 */

interface GpuKernel {
  (a: Float32Array, b: Float32Array, R: number, M: number, N: number): Float32Array | Float32Array[];
  setOutput(o: number[]): GpuKernel;
}
interface Gpu {
  readonly mode: string;
  createKernel(
    fn: (this: { thread: { x: number; y: number } }, ...args: never[]) => number,
    opts: object,
  ): GpuKernel;
}
interface GpuModule {
  GPU: new (opts?: object) => Gpu;
}

let loaded: { gpu: Gpu } | string | undefined;

function load(): { gpu: Gpu } | string {
  if (loaded === undefined) {
    try {
      const mod = createRequire(import.meta.url)('gpu.js') as GpuModule;
      loaded = { gpu: new mod.GPU() };
    } catch (e) {
      loaded = `gpu.js is not installed or does not load (it is an optional dependency): ${(e as Error).message.split('\n')[0]}`;
    }
  }
  return loaded;
}

/** gpu.js's mode in this process ('gpu', 'webgpu', 'headlessgl', 'webasm', 'cpu'), or undefined without gpu.js. */
export function gpujsMode(): string | undefined {
  const l = load();
  return typeof l === 'string' ? undefined : l.gpu.mode;
}

const kernels = new Map<string, GpuKernel>();

function kernelFor(gpu: Gpu, R: number, M: number, N: number): GpuKernel {
  const key = `${R}x${M}x${N}`;
  let k = kernels.get(key);
  if (!k) {
    k = gpu.createKernel(
      function (
        this: { thread: { x: number; y: number } },
        a: Float32Array,
        b: Float32Array,
        r: number,
        m: number,
        n: number,
      ) {
        let s = 0;
        for (let i = 0; i < r; i++) s = Math.fround(s + a[i * m + this.thread.y] * b[i * n + this.thread.x]);
        return s;
      } as never,
      { output: [N, M], loopMaxIterations: 256, precision: 'single' },
    );
    kernels.set(key, k);
  }
  return k;
}

/** Summary as the wasm `classify` kernel computes it: [OR of low 12 mantissa bits, max exp, min nonzero exp]. */
function classify(v: Float32Array): [number, number, number] {
  const bits = new Int32Array(v.buffer, v.byteOffset, v.length);
  let low = 0;
  let max = 0;
  let min = 255;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    low |= b & 0xfff;
    const e = (b >>> 23) & 0xff;
    if (e > max) max = e;
    if ((b & 0x7fffffff) !== 0 && e < min) min = e;
  }
  return [low, max, min];
}

function gpuMatmul(
  stat: Float64Array,
  mov: Float64Array,
  out: Float64Array,
  R: number,
  M: number,
  N: number,
  accumulate: boolean,
): void {
  const l = load();
  const a = Float32Array.from(stat);
  const b = Float32Array.from(mov);
  const exact =
    typeof l !== 'string' &&
    R <= 256 &&
    a.every((x, i) => x === stat[i] || Number.isNaN(x)) &&
    b.every((x, i) => x === mov[i] || Number.isNaN(x)) &&
    productsExact(...classify(a), ...classify(b));
  if (!exact) {
    matmulRows(stat, mov, out, R, M, N, accumulate);
    return;
  }
  const res = kernelFor(l.gpu, R, M, N)(a, b, R, M, N);
  // gpu.js returns one Float32Array per output row for 2-D outputs
  const rows = Array.isArray(res) ? res : [res];
  for (let m = 0; m < M; m++) {
    const row = rows.length === M ? rows[m] : rows[0].subarray(m * N, (m + 1) * N);
    const o = m * N;
    if (accumulate) for (let n = 0; n < N; n++) out[o + n] = Math.fround(out[o + n] + row[n]);
    else for (let n = 0; n < N; n++) out[o + n] = row[n];
  }
}

export const gpujsBackend: ComputeBackend = {
  name: 'gpujs',
  unavailable() {
    const l = load();
    return typeof l === 'string' ? l : undefined;
  },
  session: (sizes) => wasmSession(sizes, { name: 'gpujs', matmul: gpuMatmul }),
};
