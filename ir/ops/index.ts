import type { OpDef } from '../op-def.ts';
import { dmaCopy } from './dma.ts';
import { activation, iota, memset, tensorCopy, tensorScalar, tensorTensor } from './elementwise.ts';
import { ncMatmul, ncTranspose } from './matmul.ts';
import { tensorReduce } from './reduce.ts';

/** The op registry: every ISA op tilekit knows, one entry each. Per-concern tables are typed over `OpName`. */
export const OPS = {
  ncMatmul,
  ncTranspose,
  activation,
  tensorTensor,
  tensorScalar,
  tensorReduce,
  tensorCopy,
  memset,
  iota,
  dmaCopy,
} as const;

export type OpName = keyof typeof OPS;
export type AttrsOf<K extends OpName> = (typeof OPS)[K] extends OpDef<infer A> ? A : never;

export function isOpName(s: string): s is OpName {
  return Object.hasOwn(OPS, s);
}

export function opDef(name: string): OpDef<unknown> {
  if (!isOpName(name)) throw new Error(`internal: unknown op '${name}'`);
  return OPS[name] as OpDef<unknown>;
}
