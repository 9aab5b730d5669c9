import type { OpDef } from '../op-def.ts';
import { activation, activationReduce } from './activation.ts';
import { devicePrint } from './device-print.ts';
import { dmaCopy } from './dma.ts';
import { dmaTranspose } from './dma-transpose.ts';
import { iota, memset, reciprocal, tensorCopy, tensorScalar, tensorTensor } from './elementwise.ts';
import { scalarTensorTensor, tensorScalarReduce } from './fused.ts';
import { localGather, ncNGather, ncStreamShuffle, nonzeroWithCount, sequenceBounds } from './gather.ts';
import { ncMatmul, ncTranspose } from './matmul.ts';
import { dropout, rand2, randGetState, randSetState, rng, setRngSeed } from './random.ts';
import { tensorPartitionReduce, tensorReduce } from './reduce.ts';
import { tensorScalarCumulative, tensorTensorScan } from './scan.ts';
import { affineSelect, rangeSelect, selectReduce, tensorCopyPredicated } from './select.ts';
import { bnAggr, bnStats } from './stats.ts';
import { max8, ncFindIndex8, ncMatchReplace8 } from './top8.ts';

/** The op registry: every ISA op tilekit knows, one entry each. Per-concern tables are typed over `OpName`. */
export const OPS = {
  ncMatmul,
  ncTranspose,
  activation,
  activationReduce,
  tensorTensor,
  tensorScalar,
  scalarTensorTensor,
  tensorScalarReduce,
  tensorScalarCumulative,
  tensorTensorScan,
  tensorReduce,
  tensorPartitionReduce,
  tensorCopy,
  tensorCopyPredicated,
  reciprocal,
  memset,
  iota,
  affineSelect,
  rangeSelect,
  selectReduce,
  bnStats,
  bnAggr,
  dropout,
  rng,
  rand2,
  setRngSeed,
  randGetState,
  randSetState,
  max8,
  ncFindIndex8,
  ncMatchReplace8,
  localGather,
  ncNGather,
  ncStreamShuffle,
  nonzeroWithCount,
  sequenceBounds,
  dmaCopy,
  dmaTranspose,
  devicePrint,
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
