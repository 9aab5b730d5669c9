import { describe, expect, it } from 'vitest';
import type { ChipErrorCode } from './errors.ts';
import { parseNumber, withOverrides } from './overrides.ts';
import { chipError } from './testing.ts';
import { trn1 } from './trn1.ts';
import { trn2 } from './trn2.ts';

const THROTTLE = '{"startFraction":0.6,"rampNs":2000,"windowNs":3000,"minUtilization":0.5}';

describe('withOverrides', () => {
  it('sets leaves and re-derives what depends on them', () => {
    const chip = withOverrides(trn1, ['dma.engines=8', 'tensor.clockGHz=3']);
    expect(chip.dma.engines).toBe(8);
    expect(chip.tensor.clockGHz).toBe(3);
    expect(chip.peaks.tensorFlopsPerNs.bf16).toBeCloseTo(128 * 128 * 2 * 3, 6);
    expect(chip.peaks.dmaBytesPerNs).toBe(8 * 17);
    expect(chip.dma.queuesPerEngine).toBe(trn1.dma.queuesPerEngine);
  });

  it('leaves the base chip unchanged and returns a frozen chip', () => {
    const before = JSON.stringify(trn1);
    const chip = withOverrides(trn1, ['dma.engines=8', 'sbuf.bytesPerPartition=384KiB']);
    expect(JSON.stringify(trn1)).toBe(before);
    expect(trn1.dma.engines).toBe(16);
    expect(chip).not.toBe(trn1);
    expect(Object.isFrozen(chip)).toBe(true);
    expect(Object.isFrozen(chip.sbuf)).toBe(true);
    expect(Object.isFrozen(chip.sources)).toBe(true);
  });

  it('records each override as the source of its key', () => {
    const chip = withOverrides(trn1, ['dma.engines=8']);
    expect(chip.sources['dma.engines']).toBe('override dma.engines=8');
    expect(chip.sources['dma.fixedCostNs']).toBe(trn1.sources['dma.fixedCostNs']);
  });

  it('with no settings gives an equal chip', () => {
    expect(withOverrides(trn2, [])).toEqual(trn2);
  });

  it('applies settings in order (the last one wins)', () => {
    expect(withOverrides(trn1, ['dma.engines=8', 'dma.engines=4']).dma.engines).toBe(4);
  });

  it('reads booleans, strings, unit suffixes and separators', () => {
    const chip = withOverrides(trn1, [
      'access.conflicts.vectorGpsimdSbuf=false',
      'name=trn1-big',
      'sbuf.bytesPerPartition=384KiB',
      'hbm.bytesPerCore=32GiB',
      'access.maxFreeElementsSbuf=131_072',
    ]);
    expect(chip.access.conflicts.vectorGpsimdSbuf).toBe(false);
    expect(chip.name).toBe('trn1-big');
    expect(chip.sbuf.bytesPerPartition).toBe(384 * 1024);
    expect(chip.hbm.bytesPerCore).toBe(32 * 1024 ** 3);
    expect(chip.access.maxFreeElementsSbuf).toBe(131072);
  });

  it('adds an optional group given as JSON, and removes one with null', () => {
    const throttled = withOverrides(trn1, [`tensor.throttle=${THROTTLE}`]);
    expect(throttled.tensor.throttle).toEqual({
      startFraction: 0.6,
      rampNs: 2000,
      windowNs: 3000,
      minUtilization: 0.5,
    });
    expect(throttled.sources['tensor.throttle.rampNs']).toBe(`override tensor.throttle=${THROTTLE}`);
    const plain = withOverrides(trn2, ['tensor.throttle=null', 'vector.perfModes=null', 'dma.hwdge=null']);
    expect(plain.tensor.throttle).toBeUndefined();
    expect(plain.vector.perfModes).toBeUndefined();
    expect(plain.dma.hwdge).toBeUndefined();
    expect(Object.keys(plain.sources).some((k) => k.startsWith('tensor.throttle.'))).toBe(false);
  });

  it('merges a JSON object into a required group', () => {
    const chip = withOverrides(trn2, ['dma={"engines":8,"fixedCostNs":1000}']);
    expect([chip.dma.engines, chip.dma.fixedCostNs, chip.dma.queuesPerEngine]).toEqual([8, 1000, 16]);
  });

  interface Case {
    readonly sets: readonly string[];
    readonly code: ChipErrorCode;
    readonly key?: string;
    readonly text: readonly string[];
  }

  const cases: readonly Case[] = [
    { sets: ['dma.engine=8'], code: 'TK0902', key: 'dma.engine', text: ["did you mean 'dma.engines'?"] },
    { sets: ['engines=8'], code: 'TK0902', text: ["unknown key 'engines'", "did you mean 'dma.engines'?"] },
    { sets: ['Tensor.ClockGHz=3'], code: 'TK0902', text: ["did you mean 'tensor.clockGHz'?"] },
    { sets: ['qqqq.zzzz=1'], code: 'TK0902', text: ["unknown key 'qqqq.zzzz'", 'known keys: name, core'] },
    { sets: ['dma.qqqqqqq=1'], code: 'TK0902', text: ['known keys: dma.engines, dma.queuesPerEngine'] },
    { sets: ['dma={"engnes":8}'], code: 'TK0902', text: ["unknown key 'dma.engnes'", "'dma.engines'"] },
    { sets: ['sources.dma.engines=x'], code: 'TK0902', text: ['cannot be set like a value'] },
    {
      sets: ['dma.engines=0'],
      code: 'TK0903',
      key: 'dma.engines',
      text: ['dma.engines = 0', 'a positive integer'],
    },
    { sets: ['dma.engines=-4'], code: 'TK0903', text: ['dma.engines = -4', 'a positive integer'] },
    { sets: ['dma.engines=2.5'], code: 'TK0903', text: ['dma.engines = 2.5', 'a positive integer'] },
    { sets: ['dma.engines=eight'], code: 'TK0903', text: ["dma.engines = 'eight'", 'must be a number'] },
    { sets: ['sbuf.partitions=256'], code: 'TK0903', text: ['sbuf.partitions = 256', 'from 1 to 128'] },
    { sets: ['tensor.clockGHz=0'], code: 'TK0903', text: ['tensor.clockGHz = 0', 'a positive number'] },
    { sets: ['access.conflicts.vectorScalarPsum=yes'], code: 'TK0903', text: ["'yes'", 'must be a boolean'] },
    { sets: ['dma=8'], code: 'TK0903', key: 'dma', text: ['dma = 8', 'group of keys'] },
    { sets: ['sbuf=null'], code: 'TK0903', text: ['sbuf is required and cannot be removed'] },
    { sets: ['dma.engines'], code: 'TK0904', text: ["malformed override 'dma.engines'", 'key=value'] },
    { sets: ['=8'], code: 'TK0904', text: ['key=value'] },
    { sets: ['dma.engines='], code: 'TK0904', text: ['key=value'] },
    { sets: ['tensor.throttle={oops'], code: 'TK0904', text: ['must be a JSON object'] },
    {
      sets: ['tensor.throttle.rampNs=5'],
      code: 'TK0905',
      text: ["'tensor.throttle.startFraction' is missing", "optional group 'tensor.throttle' is given"],
    },
    {
      sets: ['sbuf.reservedBytesPerPartition=192KiB'],
      code: 'TK0906',
      text: ['sbuf.reservedBytesPerPartition (196608) must be less than sbuf.bytesPerPartition (196608)'],
    },
    { sets: ['peaks.tensorFlopsPerNs.bf16=1'], code: 'TK0907', text: ['is derived', 'tensor.clockGHz'] },
  ];

  it.each(cases)('$sets -> $code', ({ sets, code, key, text }) => {
    const err = chipError(() => withOverrides(trn1, sets));
    expect(err.code).toBe(code);
    expect(err.message.startsWith(`${code} `)).toBe(true);
    if (key) expect(err.key).toBe(key);
    for (const t of text) expect(err.message).toContain(t);
  });
});

describe('parseNumber', () => {
  it.each([
    ['8', 8],
    ['-4', -4],
    ['2.8', 2.8],
    ['.5', 0.5],
    ['1e3', 1000],
    ['65_536', 65536],
    ['192KiB', 192 * 1024],
    ['1.5 MiB', 1.5 * 1024 * 1024],
    ['2gib', 2 * 1024 ** 3],
  ])('%s -> %d', (text, value) => {
    expect(parseNumber(text)).toBe(value);
  });

  it.each(['eight', '', '1.2.3', '0x10', 'KiB', '8 bytes', 'NaN', 'Infinity'])(
    '%j is not a number',
    (text) => {
      expect(parseNumber(text)).toBeUndefined();
    },
  );
});
