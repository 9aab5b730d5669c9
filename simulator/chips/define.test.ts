import { describe, expect, it } from 'vitest';
import { defineChip, finalizeChip } from './define.ts';
import type { ChipErrorCode } from './errors.ts';
import { cloneData, deletePath, type PlainObject, setPath } from './paths.ts';
import { chipError } from './testing.ts';
import { trn1 } from './trn1.ts';
import { trn2 } from './trn2.ts';
import type { ChipSpec } from './types.ts';

/** A mutable copy of trn1's spec (no peaks) with `edit` applied. */
function trn1With(edit: (spec: PlainObject) => void): PlainObject {
  const spec = cloneData(trn1) as unknown as PlainObject;
  delete spec.peaks;
  edit(spec);
  return spec;
}

const set = (path: string, value: unknown) => (s: PlainObject) => setPath(s, path, value);

describe('defineChip', () => {
  it('accepts the built-in chips again and derives the same peaks', () => {
    for (const chip of [trn1, trn2]) {
      const { peaks, ...spec } = cloneData(chip);
      const again = defineChip(spec as ChipSpec);
      expect(again).toEqual(chip);
      expect(again.peaks).toEqual(peaks);
    }
  });

  it('returns a new deep-frozen object, leaving the spec alone', () => {
    const spec = trn1With(() => {});
    const chip = finalizeChip(spec);
    expect(Object.isFrozen(chip.tensor)).toBe(true);
    expect(Object.isFrozen(spec)).toBe(false);
  });

  it('accepts peaks that equal the derived ones (round trip)', () => {
    expect(finalizeChip(cloneData(trn1))).toEqual(trn1);
  });

  interface Case {
    readonly name: string;
    readonly edit: (spec: PlainObject) => void;
    readonly code: ChipErrorCode;
    readonly key?: string;
    readonly text: readonly string[];
  }

  const cases: readonly Case[] = [
    {
      name: 'negative bandwidth',
      edit: set('hbm.bandwidthBytesPerNs', -1),
      code: 'TK0903',
      key: 'hbm.bandwidthBytesPerNs',
      text: ['hbm.bandwidthBytesPerNs = -1', 'a positive number'],
    },
    {
      name: 'zero engines',
      edit: set('dma.engines', 0),
      code: 'TK0903',
      key: 'dma.engines',
      text: ['dma.engines = 0', 'a positive integer'],
    },
    {
      name: 'non-integer partitions',
      edit: set('sbuf.partitions', 100.5),
      code: 'TK0903',
      key: 'sbuf.partitions',
      text: ['sbuf.partitions = 100.5', 'an integer from 1 to 128'],
    },
    {
      name: 'more than 128 partitions',
      edit: set('psum.partitions', 256),
      code: 'TK0903',
      key: 'psum.partitions',
      text: ['psum.partitions = 256', 'from 1 to 128'],
    },
    {
      name: 'infinite clock',
      edit: set('tensor.clockGHz', Number.POSITIVE_INFINITY),
      code: 'TK0903',
      key: 'tensor.clockGHz',
      text: ['must be a finite number'],
    },
    {
      name: 'NaN overhead',
      edit: set('vector.staticOverheadCycles', Number.NaN),
      code: 'TK0903',
      text: ['vector.staticOverheadCycles = NaN', 'finite'],
    },
    {
      name: 'a number where a boolean belongs',
      edit: set('access.conflicts.vectorScalarPsum', 1),
      code: 'TK0903',
      text: ['access.conflicts.vectorScalarPsum = 1', 'true or false'],
    },
    {
      name: 'a string where a number belongs',
      edit: set('tensor.rows', '128'),
      code: 'TK0903',
      text: ["tensor.rows = '128'", 'must be a number'],
    },
    {
      name: 'a slow-down below 1',
      edit: set('tensor.fp32Slowdown', 0.5),
      code: 'TK0903',
      text: ['>= 1'],
    },
    {
      name: 'a PSUM bank that is not whole words',
      edit: set('psum.bankBytesPerPartition', 2047),
      code: 'TK0903',
      text: ['multiple of 4'],
    },
    {
      name: 'a group that is not an object',
      edit: set('dma', 16),
      code: 'TK0903',
      key: 'dma',
      text: ['dma = 16', 'group of keys'],
    },
    { name: 'an empty name', edit: set('name', ''), code: 'TK0903', key: 'name', text: ['non-empty string'] },
    {
      name: 'an unknown leaf',
      edit: set('dma.engine', 8),
      code: 'TK0902',
      key: 'dma.engine',
      text: ["unknown key 'dma.engine'", "did you mean 'dma.engines'?"],
    },
    {
      name: 'an unknown group',
      edit: set('sbuff', {}),
      code: 'TK0902',
      text: ["unknown key 'sbuff'", "did you mean 'sbuf'?"],
    },
    {
      name: 'a missing required key',
      edit: (s) => deletePath(s, 'dma.fixedCostNs'),
      code: 'TK0905',
      key: 'dma.fixedCostNs',
      text: ["'dma.fixedCostNs' is missing", 'a non-negative number'],
    },
    {
      name: 'a missing group',
      edit: (s) => deletePath(s, 'gpsimd'),
      code: 'TK0905',
      key: 'gpsimd.clockGHz',
      text: ["'gpsimd.clockGHz' is missing"],
    },
    {
      name: 'a partial optional group',
      edit: set('tensor.throttle', { startFraction: 0.5 }),
      code: 'TK0905',
      key: 'tensor.throttle.rampNs',
      text: ["optional group 'tensor.throttle' is given"],
    },
    {
      name: 'reserved SBUF as large as the SBUF',
      edit: set('sbuf.reservedBytesPerPartition', 192 * 1024),
      code: 'TK0906',
      key: 'sbuf.reservedBytesPerPartition',
      text: ['must be less than sbuf.bytesPerPartition (196608)'],
    },
    {
      name: 'a DMA efficiency curve out of order',
      edit: set('dma.saturatingBytesPerPartition', 1024),
      code: 'TK0906',
      text: [
        'dma.minEfficientBytesPerPartition (2048) must not exceed dma.saturatingBytesPerPartition (1024)',
      ],
    },
    {
      name: 'a matmul output wider than a PSUM bank',
      edit: set('tensor.movingFmax', 1024),
      code: 'TK0906',
      text: ['one PSUM bank'],
    },
    {
      name: 'more PE rows than SBUF partitions',
      edit: set('sbuf.partitions', 64),
      code: 'TK0906',
      text: ['tensor.rows (128) must not exceed sbuf.partitions (64)'],
    },
    {
      name: 'peaks that disagree with the derivation',
      edit: set('peaks', { tensorFlopsPerNs: { bf16: 1 } }),
      code: 'TK0907',
      key: 'peaks.tensorFlopsPerNs.bf16',
      text: ['is derived', 'equals 91750.4', 'got 1'],
    },
    {
      name: 'a value without a source',
      edit: (s) => delete (s.sources as PlainObject)['dma.engines'],
      code: 'TK0908',
      key: 'dma.engines',
      text: ['dma.engines = 16 has no entry in sources'],
    },
    {
      name: 'a source for an unknown key',
      edit: set('sources', { ...trn1.sources, 'dma.engnes': 'x' }),
      code: 'TK0902',
      text: ["unknown key 'sources.dma.engnes'", "did you mean 'sources.dma.engines'?"],
    },
    {
      name: 'an empty citation',
      edit: set('sources', { ...trn1.sources, 'dma.engines': '' }),
      code: 'TK0903',
      text: ["sources['dma.engines']"],
    },
  ];

  it.each(cases)('$name -> $code', ({ edit, code, key, text }) => {
    const err = chipError(() => finalizeChip(trn1With(edit)));
    expect(err.code).toBe(code);
    expect(err.message.startsWith(`${code} `)).toBe(true);
    if (key) expect(err.key).toBe(key);
    for (const t of text) expect(err.message).toContain(t);
  });

  it('names the chip in value errors', () => {
    expect(chipError(() => finalizeChip(trn1With(set('dma.engines', 0)))).message).toContain("chip 'trn1': ");
  });

  it('rejects something that is not an object', () => {
    expect(chipError(() => finalizeChip([])).code).toBe('TK0904');
  });
});
