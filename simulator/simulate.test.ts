import { describe, expect, it } from 'vitest';
import type { Program } from '../codegen/program.ts';
import {
  compile,
  getChip,
  hostArray,
  KernelError,
  kernel,
  nisa,
  nl,
  randomInputs,
  run,
  simulate,
} from '../index.ts';
import { Memories } from './memory.ts';

const trn1 = getChip('trn1');

describe('memories', () => {
  it('round-trips strided on-chip access patterns and starts as NaN', () => {
    const mem = new Memories(trn1, 64);
    const access = {
      space: 'sbuf' as const,
      dtype: 'bfloat16' as const,
      elemBytes: 2,
      startPartition: 32,
      partitions: 2,
      byteOffset: 100,
      dims: [
        [8, 2],
        [2, 3],
      ] as const,
      shape: [2, 2, 3],
    };
    expect(Array.from(mem.read(access)).every(Number.isNaN)).toBe(true);
    const values = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.3]);
    mem.write(access, values);
    const back = mem.read(access);
    expect(Array.from(back.slice(0, 11))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(back[11]).toBe(12.3125);
    const pitch = trn1.sbuf.bytesPerPartition;
    expect(mem.sbuf[33 * pitch + 100 + 8 * 2 + 2 * 2]).toBe(0x30);
  });
});

describe('simulate', () => {
  it('shows never-written memory as NaN', () => {
    const k = kernel(() => {
      const out = nl.ndarray([4, 8], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nl.ndarray([4, 8], nl.float32));
      return out;
    });
    const { outputs } = run(k, []);
    expect(Array.from(outputs[0].data).every(Number.isNaN)).toBe(true);
  });

  it('gives identical output bytes for the same kernel and seed, on both chips', () => {
    const k = kernel((a, b) => {
      const out = nl.ndarray([128, 256], nl.bfloat16, { buffer: nl.sharedHbm });
      const s = nisa.ncMatmul(nl.load(a), nl.load(b));
      nl.store(out, nl.exp(nisa.tensorCopy(s)));
      return out;
    });
    const specs = [
      { shape: [128, 128], dtype: 'bfloat16' as const },
      { shape: [128, 256], dtype: 'bfloat16' as const },
    ];
    const first = run(k, randomInputs(specs, 7)).outputBytes[0];
    expect(run(k, randomInputs(specs, 7)).outputBytes[0]).toEqual(first);
    expect(run(k, randomInputs(specs, 7), { chip: 'trn2' }).outputBytes[0]).toEqual(first);
    expect(run(k, randomInputs(specs, 8)).outputBytes[0]).not.toEqual(first);
  });

  it('rejects inputs that do not match the signature', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([4, 4], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nl.load(a));
      return out;
    });
    const p = compile(k.trace([{ shape: [4, 4], dtype: 'float32' }]), trn1);
    expect(() => simulate(p, [hostArray([4, 4], 'bfloat16')])).toThrow(
      expect.objectContaining({ code: 'TK0602' }),
    );
    expect(() => simulate(p, [])).toThrow(expect.objectContaining({ code: 'TK0602' }));
  });

  it('detects a deadlock and names both instructions', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([4, 4], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nl.exp(nl.load(a)));
      return out;
    });
    const p = compile(k.trace([{ shape: [4, 4], dtype: 'float32' }]), trn1);
    const load = p.instrs[0];
    const broken: Program = {
      ...p,
      instrs: p.instrs.map((ins) =>
        ins.id === 0 ? { ...ins, waits: [{ queue: 'scalar', count: 1, on: 1, kind: 'WAR' }] } : ins,
      ),
    };
    let err: unknown;
    try {
      simulate(broken, [hostArray([4, 4], 'float32', new Float32Array(16))]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    const ke = err as KernelError;
    expect(ke.code).toBe('TK0601');
    expect(ke.loc).toEqual(load.loc);
    expect(ke.notes.length).toBeGreaterThan(0);
  });
});
