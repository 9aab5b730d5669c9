import { add } from './add.ts';
import type { LibraryKernel } from './library.ts';
import { matmul, matmulTiled } from './matmul.ts';
import { matmulBlocked, matmulHoisted, matmulOptimized } from './matmul-ladder.ts';
import { softmax } from './softmax.ts';

export type { LibraryKernel, ShapeParams } from './library.ts';
export { add, matmul, matmulBlocked, matmulHoisted, matmulOptimized, matmulTiled, softmax };

/** The kernel library, in the order the CLI lists it. */
export const LIBRARY: readonly LibraryKernel[] = [
  add,
  matmul,
  matmulTiled,
  matmulHoisted,
  matmulBlocked,
  matmulOptimized,
  softmax,
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
