/**
 * Checking a drop-in kernel before use: for each distinct shape it would serve, run it on the simulator with
 * seeded inputs (the graph's constants as they are) and compare with the ops' reference in fp64. A kernel that
 * disagrees is refused (TK0807) with the op, the shape and the error; one that cannot run on the shapes (a trace
 * error, wrong outputs) is TK0808.
 */

import { compile } from '../codegen/compile.ts';
import type { TensorSpec } from '../dsl/kernel.ts';
import { KernelError } from '../ir/errors.ts';
import { compareArrays, type HostArray, hostArray, randomArray, type Tolerance } from '../ir/host.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { simulate } from '../simulator/simulate.ts';
import { describeNode, originLoc } from './errors.ts';
import type { KernelIO } from './kernels/io.ts';
import { ndarray } from './ndarray.ts';
import { evaluateNodes } from './reference.ts';
import type { Match } from './registry.ts';
import { deviceDType } from './space.ts';
import type { Graph, NDArray, StaticType } from './types.ts';
import { fmtShape, numelOf } from './types.ts';

export interface DropInCheck {
  readonly kernel: string;
  readonly ops: string;
  readonly nodes: readonly string[];
  /** false: the shape rule declined (the compiler serves the nodes). */
  readonly accepted: boolean;
  readonly reason?: string;
  /** "[1, 2] float32" of the first input. */
  readonly shape: string;
  readonly maxAbsError?: number;
  readonly tolerance?: Tolerance;
  /** How the kernel is called. */
  readonly inputs: readonly KernelIO[];
  readonly outputs: readonly KernelIO[];
}

const DEFAULT_TOL: Tolerance = { atol: 1e-4, rtol: 1e-3 };

/** External inputs and outputs of a matched region. */
export function regionIO(m: Match): { inputs: number[]; outputs: number[] } {
  const computed = new Set(m.nodes.flatMap((n) => n.outputs));
  const inputs: number[] = [];
  for (const n of m.nodes)
    for (const v of n.inputs) if (v !== null && !computed.has(v) && !inputs.includes(v)) inputs.push(v);
  return { inputs, outputs: [...m.nodes[m.nodes.length - 1].outputs] };
}

function spec(g: Graph, v: number): TensorSpec {
  const t = g.values[v].type as StaticType;
  return { shape: t.shape, dtype: deviceDType(t.dtype) };
}

function refuse(
  code: 'TK0807' | 'TK0808',
  m: Match,
  detail: string,
  notes: { message: string; loc?: import('../ir/loc.ts').SourceLoc }[] = [],
): KernelError {
  const reg = m.registration;
  const first = m.nodes[0];
  return new KernelError(
    code,
    `kernel '${reg.name}' registered for ${reg.target.join(' → ')} is refused for ${describeNode(first)}: ${detail}`,
    originLoc(first.origin) ?? reg.loc,
    [{ message: `'${reg.name}' was registered here`, loc: reg.loc }, ...notes],
  );
}

/** Apply the shape rule and, when accepted, check the kernel on the region's shapes. */
export function checkDropIn(g: Graph, m: Match, chip: ChipConfig, seed = 0): DropInCheck {
  const reg = m.registration;
  const { inputs, outputs } = regionIO(m);
  const inSpecs = inputs.map((v) => spec(g, v));
  const outSpecs = outputs.map((v) => spec(g, v));
  const base = {
    kernel: reg.name,
    ops: reg.target.join('+'),
    nodes: m.nodes.map((n) => n.name),
    shape: `${fmtShape(inSpecs[0]?.shape ?? [])} ${inSpecs[0]?.dtype ?? ''}`.trim(),
  };
  let rule: ReturnType<NonNullable<typeof reg.shapeRule>> = true;
  try {
    rule = reg.shapeRule
      ? reg.shapeRule({ inputs: inSpecs, outputs: outSpecs, attrs: m.nodes[0].attrs, nodes: m.nodes })
      : true;
  } catch (e) {
    throw refuse('TK0808', m, `its shapeRule threw: ${(e as Error).message}`);
  }
  if (rule === false || typeof rule === 'string') {
    return { ...base, accepted: false, reason: rule || 'declined by its shapeRule', inputs: [], outputs: [] };
  }
  const shapes = rule === true ? {} : rule;
  const reshape = (list: readonly (readonly number[])[] | undefined, specs: TensorSpec[], what: string) =>
    specs.map((s, i) => {
      const want = list?.[i] ?? s.shape;
      if (numelOf(want) !== numelOf(s.shape)) {
        throw refuse(
          'TK0808',
          m,
          `its shapeRule gives ${what} ${i} the shape [${want}], which does not hold the ${numelOf(s.shape)} elements of [${s.shape}]`,
        );
      }
      return [...want];
    });
  const kIn = reshape(shapes.inputs, inSpecs, 'input');
  const kOut = reshape(shapes.outputs, outSpecs, 'output');
  const ioIn: KernelIO[] = inputs.map((v, i) => ({
    value: v,
    name: g.values[v].name,
    shape: kIn[i],
    dtype: inSpecs[i].dtype,
  }));
  const ioOut: KernelIO[] = outputs.map((v, i) => ({
    value: v,
    name: g.values[v].name,
    shape: kOut[i],
    dtype: outSpecs[i].dtype,
  }));

  // Inputs: the graph's constants, seeded values for the rest.
  const env = new Map<number, NDArray>();
  const args: HostArray[] = inputs.map((v, i) => {
    const c = g.values[v].data;
    const t = g.values[v].type as StaticType;
    const isFloat = ['float32', 'float16', 'bfloat16', 'float64'].includes(t.dtype);
    const host = c
      ? hostArray(kIn[i], inSpecs[i].dtype, c.data)
      : isFloat
        ? randomArray(kIn[i], inSpecs[i].dtype, seed * 1000 + i)
        : hostArray(kIn[i], inSpecs[i].dtype);
    env.set(v, ndarray(t.shape, t.dtype, host.data));
    return host;
  });
  let result: ReturnType<typeof simulate>;
  try {
    result = simulate(compile(reg.kernel.trace(args), chip), args, { print: () => {} });
  } catch (e) {
    const why = e instanceof KernelError ? e.format() : (e as Error).message;
    throw refuse(
      'TK0808',
      m,
      `it cannot run on ${base.shape}: ${why.split('\n')[0]}`,
      e instanceof KernelError && e.loc ? [{ message: e.detail, loc: e.loc }] : [],
    );
  }
  if (result.outputs.length !== outputs.length) {
    throw refuse(
      'TK0808',
      m,
      `it returns ${result.outputs.length} outputs; ${reg.target.join(' → ')} has ${outputs.length}`,
    );
  }
  evaluateNodes(g, m.nodes, env);
  const tol = reg.tolerance ?? DEFAULT_TOL;
  let maxAbs = 0;
  outputs.forEach((v, i) => {
    const got = result.outputs[i];
    if (numelOf(got.shape) !== numelOf(kOut[i])) {
      throw refuse('TK0808', m, `its output ${i} is [${got.shape}]; the graph needs [${kOut[i]}]`);
    }
    const want = env.get(v)!;
    const cmp = compareArrays(got.data, want.data, got.shape, tol);
    maxAbs = Math.max(maxAbs, cmp.maxAbsError);
    if (!cmp.ok) {
      const f = cmp.firstMismatch!;
      throw refuse(
        'TK0807',
        m,
        `on ${base.shape} it disagrees with the reference of ${reg.target.join(' → ')}: max abs error ${cmp.maxAbsError.toPrecision(3)} ` +
          `(tolerance atol ${tol.atol}, rtol ${tol.rtol}); ${cmp.mismatches} of ${want.data.length} elements differ, ` +
          `first at [${f.index.join(', ')}]: got ${f.actual}, expected ${f.expected}`,
      );
    }
  });
  return { ...base, accepted: true, maxAbsError: maxAbs, tolerance: tol, inputs: ioIn, outputs: ioOut };
}
