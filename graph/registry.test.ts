/** Drop-in kernels: used when they agree with the op's reference on the graph's shapes, refused when they do not. */
import { describe, expect, test } from 'vitest';
import { kernel, nisa, nl, type Tensor } from '../dsl/index.ts';
import { KernelError } from '../ir/errors.ts';
import { GraphBuilder } from './builder.ts';
import { compileGraph } from './compile.ts';
import { runGraph } from './execute.ts';
import { KernelRegistry } from './registry.ts';

/** Row softmax on [rows ≤ 128, cols]; `wrong` divides by the row max instead of the sum. */
function softmaxKernel(wrong: boolean) {
  return kernel(
    (x: Tensor) => {
      const out = nl.ndarray(x.shape, x.dtype, { buffer: nl.sharedHbm });
      const t = nl.load(x);
      const negMax = nisa.tensorReduce('maximum', t, 1, { negate: true });
      const e = nl.exp(nl.add(t, negMax));
      const d = wrong ? nl.max(e, 1) : nl.sum(e, 1);
      nl.store(out, nl.divide(e, d));
      return out;
    },
    { name: wrong ? 'badSoftmax' : 'goodSoftmax' },
  );
}

const rows2d = ({ inputs }: { inputs: readonly { shape: readonly number[] }[] }) => {
  const s = inputs[0].shape;
  const cols = s[s.length - 1];
  return { inputs: [[s.reduce((a, b) => a * b, 1) / cols, cols]] };
};

function graph() {
  const g = new GraphBuilder('mlp');
  const x = g.input('x', [2, 4, 16]);
  const h = g.matmul(x, g.weight('w', [16, 16]));
  g.output(g.softmax(g.relu(h)), 'y');
  return g.build();
}

describe('drop-in kernels', () => {
  test('a correct kernel is checked, then serves the op; the graph output is unchanged', () => {
    const g = graph();
    const plain = runGraph(compileGraph(g), {}, { seed: 3 }).outputs.get('y')!;
    const registry = new KernelRegistry().register('Softmax', softmaxKernel(false), { shapeRule: rows2d });
    const cg = compileGraph(g, { registry });
    expect(cg.dropIns).toHaveLength(1);
    expect(cg.dropIns[0]).toMatchObject({
      accepted: true,
      kernel: 'goodSoftmax',
      ops: 'Softmax',
      shape: '[2, 4, 16] float32',
    });
    expect(cg.dropIns[0].maxAbsError).toBeLessThan(1e-6);
    const step = cg.steps.find((s) => s.nodes.some((n) => n.op === 'Softmax'))!;
    expect(step.kind === 'kernel' && step.built.source).toBe('user:goodSoftmax');
    const y = runGraph(cg, {}, { seed: 3 }).outputs.get('y')!;
    for (let i = 0; i < y.data.length; i++) expect(Math.abs(y.data[i] - plain.data[i])).toBeLessThan(1e-6);
  });

  test('a kernel that computes the wrong thing is refused with the op, the shape and the error', () => {
    const registry = new KernelRegistry().register('Softmax', softmaxKernel(true), { shapeRule: rows2d });
    let err: unknown;
    try {
      compileGraph(graph(), { registry });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    const k = err as KernelError;
    expect(k.code).toBe('TK0807');
    expect(k.detail).toMatch(
      /kernel 'badSoftmax' registered for Softmax is refused for node 'softmax_\d+' \(Softmax\)/,
    );
    expect(k.detail).toContain(
      'on [2, 4, 16] float32 it disagrees with the reference of Softmax: max abs error',
    );
    expect(k.detail).toMatch(/tolerance atol 0\.0001, rtol 0\.001/);
    expect(k.loc?.file).toMatch(/registry\.test\.ts$/); // the node's line: g.softmax(...) in this file
    expect(k.notes[0]).toMatchObject({
      message: "'badSoftmax' was registered here",
      loc: { file: expect.stringMatching(/registry\.test\.ts$/) },
    });
  });

  test('a kernel that cannot run on the shapes is refused (TK0808)', () => {
    // No shape rule: the kernel gets the 3-D tensor and its 2-D reduction fails to trace.
    const registry = new KernelRegistry().register('Softmax', softmaxKernel(false));
    expect(() => compileGraph(graph(), { registry })).toThrow(
      /TK0808 .*goodSoftmax.* cannot run on \[2, 4, 16\] float32/,
    );
  });

  test('a shape rule that declines leaves the op to the compiler, and the report says why', () => {
    const registry = new KernelRegistry().register('Softmax', softmaxKernel(false), {
      shapeRule: () => 'rows > 128 only',
    });
    const cg = compileGraph(graph(), { registry });
    expect(cg.dropIns[0]).toMatchObject({ accepted: false, reason: 'rows > 128 only' });
    expect(cg.steps.every((s) => s.kind !== 'kernel' || !s.built.source.startsWith('user:'))).toBe(true);
  });

  test('a chain pattern serves MatMul → Relu with one kernel', () => {
    const fused = kernel(
      (x: Tensor, w: Tensor) => {
        const out = nl.ndarray([8, 16], 'float32', { buffer: nl.sharedHbm });
        nl.store(out, nl.relu(nl.matmul(nl.load(x), nl.load(w))));
        return out;
      },
      { name: 'matmulRelu' },
    );
    const registry = new KernelRegistry().register(['MatMul', 'Relu'], fused, {
      shapeRule: () => ({
        inputs: [
          [8, 16],
          [16, 16],
        ],
      }),
    });
    const cg = compileGraph(graph(), { registry });
    expect(cg.dropIns[0]).toMatchObject({
      accepted: true,
      ops: 'MatMul+Relu',
      nodes: ['matmul_0', 'relu_1'],
    });
    const step = cg.steps.find((s) => s.kind === 'kernel' && s.built.source === 'user:matmulRelu')!;
    expect(step.nodes.map((n) => n.op)).toEqual(['MatMul', 'Relu']);
  });

  test('register() rejects an unknown op at the caller', () => {
    expect(() => new KernelRegistry().register('Softmaxx', softmaxKernel(false))).toThrow(
      /TK0808 register\(\): 'Softmaxx' is not a graph op/,
    );
  });
});
