import { describe, expect, it } from 'vitest';
import { kernel, nisa, nl, type TensorSpec } from '../index.ts';
import { getChip, withOverrides } from '../simulator/chips/index.ts';
import { compile } from './compile.ts';
import type { Program } from './program.ts';

const trn1 = getChip('trn1');
const f32 = (shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });

function placementOf(p: Program, name: string) {
  const b = p.ir.buffers.find((x) => x.name === name)!;
  return p.placements[b.id]!;
}

describe('allocation', () => {
  it('double-buffers tiles of a loop site so consecutive iterations use different slots', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      for (const _ of nl.sequentialRange(3)) {
        const x = nl.load(a, { name: 'x' });
        nl.store(out, nl.exp(x, { name: 'e' }));
      }
      return out;
    });
    const p = compile(k.trace([f32([128, 512])]), trn1);
    const [x0, x1, x2] = ['x', 'x.1', 'x.2'].map((n) => placementOf(p, n));
    expect(x0.bytes).toBe(2048);
    expect(placementOf(p, 'e').byteOffset).not.toBe(x0.byteOffset);
    expect(x1.byteOffset).not.toBe(x0.byteOffset);
    expect(x2.byteOffset).not.toBe(x1.byteOffset);
    // The load of iteration 1 does not wait for iteration 0; iteration 2's reuses a slot of iteration 0 and waits.
    const loads = p.instrs.filter((i) => i.op === 'dmaCopy' && i.outs[0].space === 'sbuf');
    expect(loads[1].waits).toEqual([]);
    expect(loads[2].waits.length).toBeGreaterThan(0);
  });

  it('with one slot per site, a dead tile is reused at once', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      for (const _ of nl.sequentialRange(2)) nl.store(out, nl.exp(nl.load(a, { name: 'x' })));
      return out;
    });
    const p = compile(k.trace([f32([128, 512])]), trn1, { multiBuffer: 1 });
    expect(placementOf(p, 'x.1').byteOffset).toBe(placementOf(p, 'x').byteOffset);
  });

  it('falls back to one slot for a site that cannot be double-buffered', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 20000], nl.float32, { buffer: nl.sharedHbm });
      for (const _ of nl.sequentialRange(2)) nl.store(out, nl.exp(nl.load(a, { name: 'big' })));
      return out;
    });
    const p = compile(k.trace([f32([128, 20000])]), trn1);
    const reused = (name: string) =>
      placementOf(p, `${name}.1`).byteOffset === placementOf(p, name).byteOffset;
    expect(reused('big') || reused('exp')).toBe(true);
  });

  it('places PSUM tiles inside one 2 KiB bank', () => {
    const k = kernel(() => {
      const a = nl.zeros([128, 384], nl.float32, { buffer: nl.psum, name: 'a' });
      const b = nl.zeros([128, 384], nl.float32, { buffer: nl.psum, name: 'b' });
      nl.add(a, nl.copy(b));
    });
    const p = compile(k.trace([]), trn1);
    const a = placementOf(p, 'a');
    const b = placementOf(p, 'b');
    expect(a.byteOffset).toBe(0);
    expect(b.byteOffset).toBe(2048);
  });

  it('runs out of PSUM after 8 live banks with TK0502', () => {
    const k = kernel(() => {
      const tiles = Array.from({ length: 9 }, (_, i) =>
        nl.zeros([128, 512], nl.float32, { buffer: nl.psum, name: `p${i}` }),
      );
      for (const t of tiles) nl.copy(t);
    });
    expect(() => compile(k.trace([]), trn1)).toThrow(expect.objectContaining({ code: 'TK0502' }));
  });

  it('follows the chip config: more SBUF makes a kernel fit', () => {
    const k = kernel(() => {
      const t = nl.zeros([128, 50000], nl.float32, { name: 'big' });
      nl.copy(t.get(':', [0, 16]));
    });
    const ir = k.trace([]);
    expect(() => compile(ir, trn1)).toThrow(expect.objectContaining({ code: 'TK0501' }));
    expect(() => compile(ir, withOverrides(trn1, ['sbuf.bytesPerPartition=262144']))).not.toThrow();
  });
});

describe('dependencies and queues', () => {
  it('puts each instruction on its engine queue and waits across queues', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 64], nl.float32, { buffer: nl.sharedHbm });
      const x = nl.load(a);
      const y = nisa.activation('exp', x);
      const z = nisa.tensorTensor(x, y, 'add');
      nl.store(out, z);
      return out;
    });
    const p = compile(k.trace([f32([128, 64])]), trn1);
    const [load, act, add, store] = p.instrs;
    expect([load.engine, act.engine, add.engine, store.engine]).toEqual(['dma', 'scalar', 'vector', 'dma']);
    expect(act.waits).toEqual([{ queue: load.queue, count: 1, on: load.id, kind: 'RAW' }]);
    expect(add.waits.map((w) => [w.on, w.kind]).sort()).toEqual([
      [0, 'RAW'],
      [1, 'RAW'],
    ]);
    expect(store.waits).toEqual([{ queue: 'vector', count: 1, on: add.id, kind: 'RAW' }]);
    expect(p.queues.scalar).toEqual([1]);
  });

  it('orders a reused SBUF region after the last reader of its previous tile (WAR)', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      const x = nl.load(a.get(':', [0, 512]), { name: 'x' });
      nl.store(out, nl.exp(x));
      const y = nl.load(a.get(':', [512, 1024]), { name: 'y' });
      nl.store(out, nl.exp(y));
      return out;
    });
    const p = compile(k.trace([f32([128, 1024])]), trn1);
    expect(placementOf(p, 'y').byteOffset).toBe(placementOf(p, 'x').byteOffset);
    const loadY = p.instrs[3];
    expect(loadY.waits.some((w) => w.on === 1 && w.kind === 'WAR')).toBe(true);
    const store2 = p.instrs[5];
    expect(store2.waits.some((w) => w.on === 2 && w.kind === 'WAW')).toBe(true);
  });

  it('lets accumulating matmuls into one PSUM tile stay on TensorE without waits between them', () => {
    const k = kernel((a, b) => {
      const acc = nl.ndarray([128, 512], nl.float32, { buffer: nl.psum });
      const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
      const xs = [0, 1, 2].map((i) => nl.load(a.get(nl.ds(i * 128, 128))));
      const ys = [0, 1, 2].map((i) => nl.load(b.get(nl.ds(i * 128, 128))));
      for (const i of nl.affineRange(3)) nisa.ncMatmul(xs[i], ys[i], { dst: acc });
      nl.store(out, acc);
      return out;
    });
    const p = compile(k.trace([f32([384, 128]), f32([384, 512])]), trn1);
    const mms = p.instrs.filter((x) => x.op === 'ncMatmul');
    expect(mms.every((m) => m.waits.every((w) => w.queue.startsWith('dma')))).toBe(true);
  });
});
