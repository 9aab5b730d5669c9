import { describe, expect, it } from 'vitest';
import type { ChipErrorCode } from './errors.ts';
import { chipFromJson } from './json.ts';
import { chipError } from './testing.ts';
import { trn1 } from './trn1.ts';
import { trn2 } from './trn2.ts';

describe('chipFromJson', () => {
  it('reads the override form', () => {
    const chip = chipFromJson('{ "base": "trn1", "set": { "dma.engines": 8 } }');
    expect(chip.dma.engines).toBe(8);
    expect(chip.name).toBe('trn1');
    expect(chip.sources['dma.engines']).toBe('chip JSON');
    expect(trn1.dma.engines).toBe(16);
  });

  it('accepts nested groups, group removal and citations in the override form', () => {
    const chip = chipFromJson(
      JSON.stringify({
        base: 'trn2',
        description: 'what if SBUF were twice as large',
        set: { sbuf: { bytesPerPartition: 448 * 1024 }, 'tensor.throttle': null, name: 'trn2-big' },
        sources: { 'sbuf.bytesPerPartition': 'hypothetical' },
      }),
    );
    expect(chip.sbuf.bytesPerPartition).toBe(448 * 1024);
    expect(chip.sbuf.reservedBytesPerPartition).toBe(trn2.sbuf.reservedBytesPerPartition);
    expect(chip.tensor.throttle).toBeUndefined();
    expect(chip.name).toBe('trn2-big');
    expect(chip.sources['sbuf.bytesPerPartition']).toBe('hypothetical');
  });

  it('uses the given base when the override form names none', () => {
    expect(chipFromJson('{ "set": { "dma.engines": 4 } }', trn2)).toMatchObject({
      name: 'trn2',
      dma: { engines: 4 },
    });
  });

  it('lets the file name its own base over the given one', () => {
    expect(chipFromJson('{ "base": "trn2", "set": {} }', trn1)).toEqual(trn2);
  });

  it('round-trips a full config written by JSON.stringify', () => {
    for (const chip of [trn1, trn2]) expect(chipFromJson(JSON.stringify(chip))).toEqual(chip);
  });

  it('reads a full config without sources or peaks, citing the file', () => {
    const { peaks: _peaks, sources: _sources, ...bare } = trn2;
    const chip = chipFromJson(JSON.stringify({ ...bare, name: 'custom' }));
    expect(chip.name).toBe('custom');
    expect(chip.peaks).toEqual(trn2.peaks);
    expect(chip.sources['tensor.clockGHz']).toBe('chip JSON');
    expect(chip.sources['peaks.tensorFlopsPerNs.bf16']).toMatch(/^derived: /);
  });

  it('merges a partial config over the given base', () => {
    const chip = chipFromJson('{ "tensor": { "clockGHz": 3 } }', trn1);
    expect(chip.tensor.clockGHz).toBe(3);
    expect(chip.tensor.rows).toBe(128);
  });

  interface Case {
    readonly name: string;
    readonly json: string;
    readonly code: ChipErrorCode;
    readonly text: readonly string[];
  }

  const cases: readonly Case[] = [
    { name: 'syntax error', json: '{ "base": "trn1", ', code: 'TK0904', text: ['malformed JSON'] },
    { name: 'not an object', json: '[1, 2]', code: 'TK0904', text: ['expected an object'] },
    { name: 'set without any base', json: '{ "set": {} }', code: 'TK0904', text: ['needs a base chip'] },
    {
      name: 'unknown base',
      json: '{ "base": "trn9" }',
      code: 'TK0901',
      text: ["unknown chip 'trn9'", 'trn1'],
    },
    { name: 'base not a string', json: '{ "base": 1 }', code: 'TK0903', text: ['base = 1', 'chip name'] },
    { name: 'set not an object', json: '{ "base": "trn1", "set": [] }', code: 'TK0903', text: ['set = []'] },
    {
      name: 'misspelt override-form key',
      json: '{ "base": "trn1", "sett": {} }',
      code: 'TK0902',
      text: ["unknown key 'sett'", "did you mean 'set'?"],
    },
    { name: 'misspelt base', json: '{ "bsae": "trn1" }', code: 'TK0902', text: ["did you mean 'base'?"] },
    {
      name: 'unknown key in set',
      json: '{ "base": "trn1", "set": { "dma.engins": 8 } }',
      code: 'TK0902',
      text: ["unknown key 'dma.engins'", "did you mean 'dma.engines'?"],
    },
    {
      name: 'string where a number belongs',
      json: '{ "base": "trn1", "set": { "dma.engines": "8" } }',
      code: 'TK0903',
      text: ["dma.engines = '8'", 'must be a number'],
    },
    {
      name: 'impossible value',
      json: '{ "base": "trn1", "set": { "sbuf.partitions": 129 } }',
      code: 'TK0903',
      text: ['sbuf.partitions = 129', 'from 1 to 128'],
    },
    {
      name: 'incomplete full config',
      json: '{ "name": "x", "core": "y", "generation": 2 }',
      code: 'TK0905',
      text: ["chip 'x'", "'sbuf.partitions' is missing"],
    },
    {
      name: 'inconsistent values',
      json: '{ "base": "trn1", "set": { "dma.minEfficientBytesPerPartition": 8192 } }',
      code: 'TK0906',
      text: ['must not exceed dma.saturatingBytesPerPartition'],
    },
    {
      name: 'peaks that do not match',
      json: JSON.stringify({ ...trn1, tensor: { ...trn1.tensor, clockGHz: 3 } }),
      code: 'TK0907',
      text: ['peaks.tensorFlopsPerNs.bf16 is derived'],
    },
    {
      name: 'peaks in set',
      json: '{ "base": "trn1", "set": { "peaks.dmaBytesPerNs": 1 } }',
      code: 'TK0907',
      text: ['is derived'],
    },
  ];

  it.each(cases)('$name -> $code', ({ json, code, text }) => {
    const err = chipError(() => chipFromJson(json));
    expect(err.code).toBe(code);
    expect(err.message.startsWith(`${code} `)).toBe(true);
    for (const t of text) expect(err.message).toContain(t);
  });
});
