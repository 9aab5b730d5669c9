import { describe, expect, it } from 'vitest';
import {
  CHIP_SCHEMA,
  CHIPS,
  type ChipConfig,
  getChip,
  PEAK_SOURCES,
  psumBytesPerPartition,
  trn1,
  trn2,
  usableSbufBytesPerPartition,
} from './index.ts';
import { LEAF_RULES, OPTIONAL_GROUPS } from './rules.ts';
import { chipError } from './testing.ts';

/** Dotted paths of the number/boolean leaves of a chip (sources excluded). */
function leaves(node: object, prefix = ''): Array<[string, unknown]> {
  return Object.entries(node).flatMap(([key, value]): Array<[string, unknown]> => {
    if (prefix === '' && key === 'sources') return [];
    if (typeof value === 'object' && value !== null) return leaves(value, `${prefix}${key}.`);
    return typeof value === 'number' || typeof value === 'boolean' ? [[prefix + key, value]] : [];
  });
}

const chips: Array<[string, ChipConfig]> = Object.entries(CHIPS);

describe('published per-core figures', () => {
  it('trn1 TensorE bf16 peak is 128 x 128 x 2 x 2.8 GHz = 91.75 TFLOP/s', () => {
    expect(trn1.peaks.tensorFlopsPerNs.bf16).toBeCloseTo(128 * 128 * 2 * 2.8, 6);
    expect(trn1.peaks.tensorFlopsPerNs.bf16 / 1000).toBeCloseTo(91.75, 2);
  });

  it('trn2 TensorE bf16 peak is 78.6 TFLOP/s (published 79)', () => {
    expect(trn2.peaks.tensorFlopsPerNs.bf16 / 1000).toBeCloseTo(78.6, 1);
  });

  it('fp32 runs at a quarter rate and fp8 doubles on trn2 (published 23 / 20 and 158 TFLOP/s)', () => {
    expect(Math.round(trn1.peaks.tensorFlopsPerNs.fp32 / 1000)).toBe(23);
    expect(Math.round(trn2.peaks.tensorFlopsPerNs.fp32 / 1000)).toBe(20);
    expect(Math.round(trn2.peaks.tensorFlopsPerNs.fp8 / 1000)).toBe(157);
    expect(trn1.peaks.tensorFlopsPerNs.fp8).toBe(trn1.peaks.tensorFlopsPerNs.bf16);
  });

  it('the DMA roof is all engines at peak, capped by the HBM share (272 / 368 GB/s)', () => {
    expect(trn1.peaks.dmaBytesPerNs).toBe(272);
    expect(trn2.peaks.dmaBytesPerNs).toBe(368);
  });

  it('usable SBUF per partition is 180224 B (trn1) and 212984 B (trn2), as KLR', () => {
    expect(usableSbufBytesPerPartition(trn1)).toBe(180224);
    expect(usableSbufBytesPerPartition(trn2)).toBe(212984);
    expect(trn1.sbuf.partitions * trn1.sbuf.bytesPerPartition).toBe(24 * 1024 * 1024);
    expect(trn2.sbuf.partitions * trn2.sbuf.bytesPerPartition).toBe(28 * 1024 * 1024);
  });

  it('PSUM is 8 banks x 2 KiB = 16 KiB per partition', () => {
    for (const [, chip] of chips) expect(psumBytesPerPartition(chip)).toBe(16 * 1024);
  });

  it('names, cores and generations', () => {
    expect([trn1.name, trn1.core, trn1.generation]).toEqual(['trn1', 'NeuronCore-v2', 2]);
    expect([trn2.name, trn2.core, trn2.generation]).toEqual(['trn2', 'NeuronCore-v3', 3]);
  });

  it('only trn2 has throttling, vector perf modes and hardware DGE', () => {
    expect(trn1.tensor.throttle).toBeUndefined();
    expect(trn1.vector.perfModes).toBeUndefined();
    expect(trn1.dma.hwdge).toBeUndefined();
    expect(trn2.tensor.throttle).toEqual({
      startFraction: 0.5,
      rampNs: 3000,
      windowNs: 3000,
      minUtilization: 0.5,
    });
    expect(trn2.vector.perfModes?.copyScalar).toBe(4);
  });
});

describe.each(chips)('%s sources', (_, chip) => {
  it('every numeric and boolean leaf has a source', () => {
    const missing = leaves(chip)
      .map(([path]) => path)
      .filter((path) => !chip.sources[path]);
    expect(missing).toEqual([]);
  });

  it('every source cites the reference and names a leaf', () => {
    const paths = new Set(leaves(chip).map(([path]) => path));
    for (const [key, text] of Object.entries(chip.sources)) {
      expect(paths.has(key), key).toBe(true);
      expect(text, key).toMatch(/^(neuroncore\.md|calibration\.md|derived: )/);
      if (!key.startsWith('peaks.')) expect(text, key).toMatch(/\[[A-Z0-9]+(, [A-Z0-9]+)*\]/);
    }
  });

  it('the peaks cite their derivation', () => {
    for (const key of Object.keys(PEAK_SOURCES)) expect(chip.sources[key]).toMatch(/^derived: /);
  });

  it('is deep-frozen', () => {
    expect(Object.isFrozen(chip)).toBe(true);
    expect(Object.isFrozen(chip.dma)).toBe(true);
    expect(Object.isFrozen(chip.access.conflicts)).toBe(true);
    expect(Object.isFrozen(chip.sources)).toBe(true);
    expect(() => {
      (chip.dma as { engines: number }).engines = 1;
    }).toThrow(TypeError);
  });
});

describe('schema', () => {
  it('is derived from the chips and agrees with the value rules', () => {
    const settable = [...CHIP_SCHEMA.values()]
      .filter((e) => (e.kind === 'number' || e.kind === 'boolean') && !e.derived)
      .map((e) => e.path);
    expect(settable.sort()).toEqual(Object.keys(LEAF_RULES).sort());
  });

  it('marks the groups only some chips have as optional, and peaks as derived', () => {
    const optionalGroups = [...CHIP_SCHEMA.values()].filter((e) => e.kind === 'group' && e.optional);
    expect(optionalGroups.map((e) => e.path).sort()).toEqual([...OPTIONAL_GROUPS].sort());
    expect(OPTIONAL_GROUPS).toEqual(['dma.hwdge', 'tensor.throttle', 'vector.perfModes']);
    expect(CHIP_SCHEMA.get('peaks.tensorFlopsPerNs.bf16')?.derived).toBe(true);
    expect(CHIP_SCHEMA.get('dma.engines')).toMatchObject({ kind: 'number', optional: false, derived: false });
  });
});

describe('getChip', () => {
  it('returns the built-in chips by name, case-insensitively and by alias', () => {
    expect(getChip('trn1')).toBe(trn1);
    expect(getChip('TRN2')).toBe(trn2);
    expect(getChip('gen2')).toBe(trn1);
    expect(getChip('inf2')).toBe(trn1);
    expect(getChip('gen3')).toBe(trn2);
    expect(getChip('NeuronCore-v3')).toBe(trn2);
  });

  it.each([
    ['trn3', "did you mean 'trn1'?"],
    ['toString', 'known chips: trn1 (NeuronCore-v2), trn2 (NeuronCore-v3)'],
    ['', 'known chips'],
  ])('%j -> TK0901 listing the known chips', (name, text) => {
    const err = chipError(() => getChip(name));
    expect(err.code).toBe('TK0901');
    expect(err.message).toContain(text);
    expect(err.message).toContain('trn1 (NeuronCore-v2), trn2 (NeuronCore-v3)');
  });
});
