import {
  type HostArray,
  hostArray,
  nisa,
  nl,
  type OpName,
  randomArray,
  roundTo,
  type Tensor,
} from '../index.ts';
import type { DType } from '../ir/dtypes.ts';

/**
 * Registry-driven cases for the data-movement and debug ops (run by tests/ops.test.ts on trn1 and trn2, shaped like
 * its OpCase). The body gets the inputs in SBUF; cases that need an HBM side write a scratch copy to private HBM.
 * Expected values are computed here on the host.
 */
export interface DmaCase {
  readonly name: string;
  readonly op: OpName;
  readonly inputs: readonly HostArray[];
  readonly outShape: readonly number[];
  readonly outDType: DType;
  readonly body: (...tiles: Tensor[]) => Tensor;
  readonly expected: (i: number, x: readonly HostArray[]) => number;
}

const ROWS = 12;
const F = 8;
const P = 6;
const IDS = [11, 0, 5, 5, 3, 7];

/** The SBUF tile written to a private HBM tensor, for ops that index or read HBM. */
function toHbm(t: Tensor): Tensor {
  const h = nl.ndarray(t.shape, t.dtype, { buffer: nl.hbm, name: 'scratch' });
  nisa.dmaCopy(h, t);
  return h;
}

export const DMA_CASES: DmaCase[] = [
  {
    name: 'dmaCopy indirect gather of HBM rows, bf16 → fp32 cast',
    op: 'dmaCopy',
    inputs: [randomArray([ROWS, F], 'bfloat16', 40), hostArray([P, 1], 'uint32', IDS)],
    outShape: [P, F],
    outDType: 'float32',
    body: (table, ids) => {
      const rows = nl.ndarray([P, F], nl.float32);
      return nisa.dmaCopy(rows, toHbm(table), { indirect: { index: ids } });
    },
    expected: (i, [t]) => t.data[IDS[Math.floor(i / F)] * F + (i % F)],
  },
  {
    name: 'dmaCopy indirect scatter-add into HBM rows (repeated index accumulates)',
    op: 'dmaCopy',
    inputs: [
      randomArray([ROWS, F], 'float32', 41),
      randomArray([P, F], 'float32', 42),
      hostArray([P, 1], 'int32', IDS),
    ],
    outShape: [ROWS, F],
    outDType: 'float32',
    body: (table, vals, ids) => {
      const h = toHbm(table);
      nisa.dmaCopy(h, vals, { indirect: { index: ids }, dstRmwOp: 'add' });
      return nl.load(h);
    },
    expected: (i, [t, v]) => {
      const [r, c] = [Math.floor(i / F), i % F];
      let acc = t.data[i];
      IDS.forEach((id, p) => {
        if (id === r) acc = Math.fround(acc + v.data[p * F + c]);
      });
      return acc;
    },
  },
  {
    name: 'dmaTranspose SBUF → SBUF 2-D',
    op: 'dmaTranspose',
    inputs: [randomArray([P, F], 'float16', 43)],
    outShape: [F, P],
    outDType: 'float16',
    body: (x) => nisa.dmaTranspose(x),
    expected: (i, [x]) => x.data[(i % P) * F + Math.floor(i / P)],
  },
  {
    name: 'dmaTranspose HBM → SBUF 3-D [2, 1, 0]',
    op: 'dmaTranspose',
    inputs: [randomArray([4, 3, 2], 'int32', 44, -100, 100)],
    outShape: [2, 3, 4],
    outDType: 'int32',
    body: (x) => nisa.dmaTranspose(toHbm(x), { axes: [2, 1, 0] }),
    expected: (i, [x]) => {
      const [a, b, c] = [Math.floor(i / 12), Math.floor(i / 4) % 3, i % 4];
      return roundTo('int32', x.data[c * 6 + b * 2 + a]);
    },
  },
  {
    name: 'devicePrint writes no memory (the tile passes through unchanged)',
    op: 'devicePrint',
    inputs: [hostArray([1, 2], 'float32', [0.5, -2])],
    outShape: [1, 2],
    outDType: 'float32',
    body: (x) => {
      nl.devicePrint('ops.test', x);
      return x;
    },
    expected: (i, [x]) => x.data[i],
  },
];
