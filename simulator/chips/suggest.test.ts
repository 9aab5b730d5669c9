import { describe, expect, it } from 'vitest';
import { closest, editDistance } from './suggest.ts';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['dma.engine', 'dma.engines', 1],
    ['same', 'same', 0],
  ])('%s -> %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const keys = ['dma.engines', 'dma.queuesPerEngine', 'tensor.clockGHz', 'vector.clockGHz'];

  it('suggests the nearest key for a typo', () => {
    expect(closest('dma.engnes', keys)).toBe('dma.engines');
    expect(closest('tensor.clockGhz', keys)).toBe('tensor.clockGHz');
  });

  it('matches a bare leaf name against the last segment', () => {
    expect(closest('engines', keys)).toBe('dma.engines');
  });

  it('suggests nothing when every key is far away', () => {
    expect(closest('completely.different', keys)).toBeUndefined();
  });
});
