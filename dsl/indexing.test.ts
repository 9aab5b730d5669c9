import { describe, expect, it } from 'vitest';
import { KernelError } from '../ir/errors.ts';
import { rowMajorStrides, type View } from '../ir/types.ts';
import { type Index, reshapeView, sliceView } from './indexing.ts';

const view = (space: View['space'], shape: number[]): View => ({
  buffer: 0,
  space,
  dtype: 'float32',
  offset: 0,
  shape,
  strides: rowMajorStrides(shape),
});
const ds = (start: number, size: number, step = 1) => ({ kind: 'ds' as const, start, size, step });

describe('sliceView', () => {
  const cases: [string, View, Index[], { offset: number; shape: number[]; strides: number[] }][] = [
    ['whole', view('sbuf', [128, 512]), [], { offset: 0, shape: [128, 512], strides: [512, 1] }],
    [
      'ds on both dims',
      view('hbm', [256, 1024]),
      [ds(128, 128), ds(512, 512)],
      { offset: 128 * 1024 + 512, shape: [128, 512], strides: [1024, 1] },
    ],
    [
      'python slice with step',
      view('sbuf', [128, 512]),
      [':', [0, 512, 2]],
      { offset: 0, shape: [128, 256], strides: [512, 2] },
    ],
    [
      'negative bounds',
      view('hbm', [10, 20]),
      [
        [-3, 10],
        [-5, -1],
      ],
      { offset: 7 * 20 + 15, shape: [3, 4], strides: [20, 1] },
    ],
    [
      'integer drops an HBM dim',
      view('hbm', [4, 8, 16]),
      [2],
      { offset: 2 * 128, shape: [8, 16], strides: [16, 1] },
    ],
    [
      'integer keeps the partition dim on chip',
      view('sbuf', [128, 512]),
      [5],
      { offset: 5 * 512, shape: [1, 512], strides: [512, 1] },
    ],
    [
      'on-chip stays 2-D',
      view('sbuf', [128, 512]),
      [':', 7],
      { offset: 7, shape: [128, 1], strides: [512, 1] },
    ],
    [
      '3-D free pattern',
      view('sbuf', [64, 8, 32]),
      [[0, 32], ':', ds(1, 8, 4)],
      { offset: 1, shape: [32, 8, 8], strides: [256, 32, 4] },
    ],
    ['ds with step', view('hbm', [100]), [ds(3, 5, 7)], { offset: 3, shape: [5], strides: [7] }],
  ];
  it.each(cases)('%s', (_name, v, idx, want) => {
    const got = sliceView(v, idx);
    expect({ offset: got.offset, shape: [...got.shape], strides: [...got.strides] }).toEqual(want);
  });

  const errors: [string, View, Index[], string][] = [
    ['out of bounds index', view('hbm', [4, 4]), [4], 'TK0301'],
    ['out of bounds slice', view('hbm', [4, 4]), [[0, 5]], 'TK0301'],
    ['ds past the end', view('sbuf', [128, 512]), [ds(0, 129)], 'TK0301'],
    ['zero step', view('hbm', [4, 4]), [[0, 4, 0]], 'TK0302'],
    ['empty slice', view('hbm', [4, 4]), [[2, 2]], 'TK0302'],
    ['strided partitions', view('sbuf', [128, 4]), [[0, 128, 2]], 'TK0302'],
    ['too many indices', view('sbuf', [128, 4]), [0, 0, 0], 'TK0303'],
    ['fractional index', view('hbm', [4]), [1.5], 'TK0302'],
  ];
  it.each(errors)('%s -> %s', (_name, v, idx, code) => {
    expect(() => sliceView(v, idx)).toThrow(expect.objectContaining({ code }));
  });
});

describe('reshapeView', () => {
  it('splits and merges contiguous free dims', () => {
    const r = reshapeView(view('sbuf', [128, 12]), [128, 3, 4]);
    expect([...r.strides]).toEqual([12, 4, 1]);
    const back = reshapeView(r, [128, 12]);
    expect([...back.strides]).toEqual([12, 1]);
  });
  it('keeps strides of a sliced view when groups stay contiguous', () => {
    const s = sliceView(view('hbm', [8, 64]), [':', [0, 32]]);
    const r = reshapeView(s, [8, 4, 8]);
    expect([...r.strides]).toEqual([64, 8, 1]);
  });
  it('rejects a reshape that needs a copy', () => {
    const s = sliceView(view('hbm', [8, 64]), [':', [0, 32]]);
    expect(() => reshapeView(s, [256])).toThrow(KernelError);
  });
  it('keeps the partition dim of an on-chip tile', () => {
    expect(() => reshapeView(view('sbuf', [128, 4]), [64, 8])).toThrow(
      expect.objectContaining({ code: 'TK0304' }),
    );
  });
  it('rejects an element-count change', () => {
    expect(() => reshapeView(view('hbm', [4, 4]), [3, 5])).toThrow(
      expect.objectContaining({ code: 'TK0304' }),
    );
  });
});
