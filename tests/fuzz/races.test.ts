/**
 * The race check against a brute-force oracle, on compiled fuzz kernels with a semaphore wait removed or weakened
 * (what a dependency-analysis bug would produce). The oracle enumerates every pair of instructions whose accesses
 * share a byte (one writing) and decides ordering by reachability over queue order and waits; the simulator must
 * report a race (TK0604) exactly when the oracle finds an unordered pair. This pins down the check's bookkeeping
 * (vector clocks, retired accesses) independently of it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PhysAccess, Program } from '../../index.ts';
import { compile, getChip, KernelError, randomInputs, simulate } from '../../index.ts';
import { buildValid, validSpecs } from './valid.ts';

const PITCH = 1 << 20;

/** Every byte an access touches, as numbers unique per memory. */
function bytesOf(a: PhysAccess): Set<number> {
  const out = new Set<number>();
  const space = a.space === 'hbm' ? 0 : a.space === 'sbuf' ? 1 : 2;
  const base = space * 2 ** 40;
  const walk = (d: number, off: number, p: number) => {
    if (d === a.dims.length) {
      const addr = base + p * PITCH + a.byteOffset + off * a.elemBytes;
      for (let k = 0; k < a.elemBytes; k++) out.add(addr + k);
      return;
    }
    const [stride, size] = a.dims[d];
    for (let i = 0; i < size; i++) walk(d + 1, off + i * stride, p);
  };
  for (let p = 0; p < a.partitions; p++) walk(0, 0, a.startPartition + p);
  return out;
}

/** Is there a pair of instructions touching a common byte, one writing, that nothing orders? */
function oracleRace(p: Program): boolean {
  const n = p.instrs.length;
  const preds: number[][] = p.instrs.map((ins) => {
    const list: number[] = [];
    if (ins.index > 0) list.push(p.queues[ins.queue]![ins.index - 1]);
    for (const w of ins.waits) list.push(p.queues[w.queue]![w.count - 1]);
    return list;
  });
  // before[j] = every instruction that completes before j starts.
  const before: Set<number>[] = new Array(n);
  const closure = (j: number): Set<number> => {
    if (before[j]) return before[j];
    const s = new Set<number>();
    for (const i of preds[j]) {
      s.add(i);
      for (const k of closure(i)) s.add(k);
    }
    before[j] = s;
    return s;
  };
  const touches = p.instrs.map((ins) => [
    ...ins.ins.map((a) => ({ bytes: bytesOf(a), write: false })),
    ...ins.outs.map((a) => ({ bytes: bytesOf(a), write: true })),
  ]);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      if (closure(j).has(i) || closure(i).has(j)) continue;
      for (const x of touches[i])
        for (const y of touches[j]) {
          if (!x.write && !y.write) continue;
          const [small, big] = x.bytes.size < y.bytes.size ? [x.bytes, y.bytes] : [y.bytes, x.bytes];
          for (const b of small) if (big.has(b)) return true;
        }
    }
  }
  return false;
}

/** The Program with instruction `id`'s waits edited. */
function mutate(p: Program, id: number, how: number): Program {
  const instrs = p.instrs.map((ins) => {
    if (ins.id !== id) return ins;
    const k = how % ins.waits.length;
    const waits =
      how % 3 === 0
        ? []
        : how % 3 === 1
          ? ins.waits.filter((_, i) => i !== k)
          : ins.waits.map((w, i) => (i === k ? { ...w, count: w.count - 1 } : w)).filter((w) => w.count > 0);
    return { ...ins, waits };
  });
  return { ...p, instrs } as Program;
}

describe('race check vs a brute-force oracle', () => {
  it('reports a race exactly when some conflicting pair is unordered', () => {
    let races = 0;
    let clean = 0;
    fc.assert(
      fc.property(
        validSpecs(false).filter((s) => s.P <= 16 && s.F <= 32),
        fc.nat(10_000),
        fc.nat(10_000),
        (spec, pickInstr, how) => {
          const { kernel, inputs } = buildValid(spec);
          const program = compile(kernel.trace(inputs), getChip('trn1'), { multiBuffer: 1 + (how % 2) });
          const waiting = program.instrs.filter((i) => i.waits.length > 0);
          if (waiting.length === 0) return;
          const target = waiting[pickInstr % waiting.length];
          const mutated = mutate(program, target.id, how);
          const expected = oracleRace(mutated);
          let r: ReturnType<typeof simulate>;
          try {
            r = simulate(mutated, randomInputs(inputs, 0), { print: () => {}, checks: { limit: 1000 } });
          } catch (e) {
            // An index tile read before it was computed can hold anything (TK0510): no verdict for this case.
            if (e instanceof KernelError && e.code === 'TK0510') return;
            throw e;
          }
          const reported = r.diagnostics.some((d) => d.code === 'TK0604');
          expect(reported, `oracle says ${expected ? 'a race' : 'no race'} (${JSON.stringify(spec)})`).toBe(
            expected,
          );
          if (expected) races++;
          else clean++;
        },
      ),
      { seed: 7, numRuns: Number(process.env.FUZZ_RACE_RUNS ?? 100) },
    );
    // Both outcomes occur: removing a wait is sometimes harmless (another path orders the pair), often not.
    expect(races).toBeGreaterThan(10);
    expect(clean).toBeGreaterThan(5);
  });

  it('unmutated Programs never race', () => {
    for (const spec of fc.sample(
      validSpecs(false).filter((s) => s.P <= 16 && s.F <= 32),
      { seed: 11, numRuns: 30 },
    )) {
      const { kernel, inputs } = buildValid(spec);
      const program = compile(kernel.trace(inputs), getChip('trn2'));
      expect(oracleRace(program)).toBe(false);
    }
  });
});
