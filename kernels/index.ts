import { add } from './add.ts';
import { flashAttention } from './flash-attention.ts';
import { layernorm, layernormV1 } from './layernorm.ts';
import type { LibraryKernel } from './library.ts';
import { matmul, matmulTiled } from './matmul.ts';
import { matmulBlocked, matmulHoisted, matmulOptimized } from './matmul-ladder.ts';
import { matmulPipelined } from './matmul-pipelined.ts';
import { rmsnorm } from './rmsnorm.ts';
import { rope } from './rope.ts';
import { sdAttention } from './sd-attention.ts';
import { softmax } from './softmax.ts';
import { swigluMlp } from './swiglu-mlp.ts';
import { transpose2d } from './transpose2d.ts';

export type { BuildOptions, LibraryKernel, ShapeParams } from './library.ts';
export {
  add,
  flashAttention,
  layernorm,
  layernormV1,
  matmul,
  matmulBlocked,
  matmulHoisted,
  matmulOptimized,
  matmulPipelined,
  matmulTiled,
  rmsnorm,
  rope,
  sdAttention,
  softmax,
  swigluMlp,
  transpose2d,
};

/** The kernel library, in the order the CLI lists it. */
export const LIBRARY: readonly LibraryKernel[] = [
  add,
  matmul,
  matmulTiled,
  matmulHoisted,
  matmulBlocked,
  matmulOptimized,
  matmulPipelined,
  transpose2d,
  softmax,
  layernorm,
  layernormV1,
  rmsnorm,
  rope,
  sdAttention,
  flashAttention,
  swigluMlp,
];

/** A library kernel by its CLI name. */
export function libraryKernel(name: string): LibraryKernel {
  const k = LIBRARY.find((l) => l.name === name);
  if (!k) {
    throw new Error(
      `unknown library kernel '${name}'; known kernels: ${LIBRARY.map((l) => l.name).join(', ')}`,
    );
  }
  return k;
}
