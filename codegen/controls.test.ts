import { describe, expect, it } from 'vitest';
import { kernel, nisa, nl, printIR, type TensorSpec } from '../index.ts';
import { getChip } from '../simulator/chips/index.ts';
import { timeProgram } from '../simulator/simulate.ts';
import { compile } from './compile.ts';

const trn1 = getChip('trn1');
const f32 = (shape: number[]): TensorSpec => ({ shape, dtype: 'float32' });

/** Two independent pieces of work on different engines: a VectorE memset and a ScalarE exp of a loaded tile. */
function twoEngines(ordered: 'none' | 'noReorder' | 'after') {
  return kernel((a) => {
    const out = nl.ndarray([128, 512], nl.float32, { buffer: nl.sharedHbm });
    const x = nl.load(a);
    const body = () => {
      const z = nisa.memset([128, 8192], 0, 'float32', { name: 'z' });
      const e = nisa.activation('exp', x, { name: 'e' });
      return { z, e };
    };
    // z stays live to the end, so its bytes are not reused by e (which would order them through memory).
    const finish = (z: ReturnType<typeof nisa.memset>, e: ReturnType<typeof nisa.memset>) =>
      nl.store(out, nl.add(e, z.get(':', [0, 512])));
    if (ordered === 'noReorder') {
      const { z, e } = nl.noReorder(body);
      finish(z, e);
    } else if (ordered === 'after') {
      const z = nisa.memset([128, 8192], 0, 'float32', { name: 'z' });
      const e = nl.after(z, () => nisa.activation('exp', x, { name: 'e' }));
      finish(z, e);
    } else {
      const { z, e } = body();
      finish(z, e);
    }
    return out;
  });
}

function run(ordered: 'none' | 'noReorder' | 'after') {
  const ir = twoEngines(ordered).trace([f32([128, 512])]);
  const p = compile(ir, trn1);
  const tl = timeProgram(p);
  const memset = tl.entries.find((e) => e.op === 'memset')!;
  const exp = tl.entries.find((e) => e.op === 'activation')!;
  return { ir, p, memset, exp };
}

describe('user scheduling controls', () => {
  it('independent work on two engines overlaps', () => {
    const { memset, exp } = run('none');
    expect(exp.start).toBeLessThan(memset.end);
  });

  it('nl.noReorder runs the region in program order across engines', () => {
    const { ir, p, memset, exp } = run('noReorder');
    const act = p.instrs.find((i) => i.op === 'activation')!;
    expect(act.waits.some((w) => w.kind === 'ORDER' && w.on === memset.id)).toBe(true);
    expect(exp.start).toBeGreaterThanOrEqual(memset.end);
    expect(printIR(ir)).toMatch(/#\d+ activation.* after #\d+/);
  });

  it('nl.after makes an instruction follow the last writer of a tensor it does not read', () => {
    const { memset, exp } = run('after');
    expect(exp.start).toBeGreaterThanOrEqual(memset.end);
  });

  it('pins an engine: a copy forced onto GpSimd runs there', () => {
    const k = kernel((a) => {
      const out = nl.ndarray([128, 64], nl.float32, { buffer: nl.sharedHbm });
      nl.store(out, nisa.tensorCopy(nl.load(a), { engine: 'gpsimd' }));
      return out;
    });
    const p = compile(k.trace([f32([128, 64])]), trn1);
    expect(p.instrs.find((i) => i.op === 'tensorCopy')!.engine).toBe('gpsimd');
  });
});
