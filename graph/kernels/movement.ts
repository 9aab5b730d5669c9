/**
 * Data-movement kernels: Concat, Split, Slice, Gather (constant indices) and Expand as DMA copies between HBM views;
 * Transpose as DMA copies of strided views when the last axis stays last, else TensorE transposes of 2-D slices.
 */
import { kernel, nisa, nl, type Tensor } from '../../dsl/index.ts';
import { nodeError } from '../errors.ts';
import { toInts } from '../ndarray.ts';
import { sliceDims, splitSizes, transposePerm } from '../ops/movement.ts';
import { AttrReader } from '../ops/op-def.ts';
import { chooseSpace } from '../passes/fuse.ts';
import { deviceDType, patternOf, sizes } from '../space.ts';
import type { Graph, Node, StaticType } from '../types.ts';
import { numelOf } from '../types.ts';
import { type BuiltKernel, blocks, type KernelIO, loadOperand, P, spaceView } from './io.ts';

const typeOf = (g: Graph, v: number) => g.values[v].type as StaticType;

function io(g: Graph, v: number, shape?: readonly number[]): KernelIO {
  const t = typeOf(g, v);
  return { value: v, name: g.values[v].name, shape: shape ?? t.shape, dtype: deviceDType(t.dtype) };
}

/** [outer, axis, inner] view of a shape split at `axis`. */
function split3(shape: readonly number[], axis: number): [number, number, number] {
  return [numelOf(shape.slice(0, axis)), shape[axis], numelOf(shape.slice(axis + 1))];
}

function out(o: KernelIO): Tensor {
  return nl.ndarray(o.shape, o.dtype, { buffer: nl.sharedHbm, name: o.name });
}

function concat(g: Graph, n: Node, name: string): BuiltKernel {
  const outT = typeOf(g, n.outputs[0]);
  const axis = new AttrReader(n.attrs).int('axis');
  const ax = axis < 0 ? axis + outT.shape.length : axis;
  const ins = (n.inputs as number[]).map((v) => io(g, v, split3(typeOf(g, v).shape, ax)));
  const o = io(g, n.outputs[0], split3(outT.shape, ax));
  const body = (...xs: Tensor[]) => {
    const y = out(o);
    let off = 0;
    for (const x of xs) {
      nisa.dmaCopy(y.get(':', [off, off + x.shape[1]], ':'), x);
      off += x.shape[1];
    }
    return y;
  };
  return { kernel: kernel(body, { name }), inputs: ins, outputs: [o], source: 'generated' };
}

function split(g: Graph, n: Node, name: string): BuiltKernel {
  const x = typeOf(g, n.inputs[0]!);
  const a = new AttrReader(n.attrs);
  const axis = a.int('axis', 0);
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const inputs = n.inputs.map((v) => (v === null ? undefined : typeOf(g, v)));
  const consts = n.inputs.map((v) => (v === null ? undefined : g.values[v].data));
  const sizesList = splitSizes({ attrs: a, consts, inputs, outputs: n.outputs.length }, x.shape[ax]);
  const outs = n.outputs.map((v) => io(g, v, split3(typeOf(g, v).shape, ax)));
  const body = (src: Tensor) => {
    let off = 0;
    return outs.map((o, i) => {
      const y = out(o);
      nisa.dmaCopy(y, src.get(':', [off, off + sizesList[i]], ':'));
      off += sizesList[i];
      return y;
    });
  };
  return {
    kernel: kernel(body, { name }),
    inputs: [io(g, n.inputs[0]!, split3(x.shape, ax))],
    outputs: outs,
    source: 'generated',
  };
}

function slice(g: Graph, n: Node, name: string): BuiltKernel {
  const x = typeOf(g, n.inputs[0]!);
  const consts = n.inputs.map((v) => (v === null ? undefined : g.values[v].data));
  const present = n.inputs.map((v) => v !== null && v !== undefined);
  const dims = sliceDims({ attrs: new AttrReader(n.attrs), opset: g.opset, consts, present }, x.shape);
  if (dims.some((d) => d.step < 0))
    throw nodeError('TK0806', n, 'Slice with a negative step is not supported on the device');
  const o = io(g, n.outputs[0]);
  const body = (src: Tensor) => {
    const y = out(o);
    const idx = x.shape.map((_, axis) => {
      const d = dims.find((s) => s.axis === axis);
      return d
        ? ([d.start, d.start + (d.count - 1) * d.step + 1, d.step] as [number, number, number])
        : (':' as const);
    });
    nisa.dmaCopy(y, src.get(...idx));
    return y;
  };
  return { kernel: kernel(body, { name }), inputs: [io(g, n.inputs[0]!)], outputs: [o], source: 'generated' };
}

function gather(g: Graph, n: Node, name: string): BuiltKernel {
  const x = typeOf(g, n.inputs[0]!);
  const axis = new AttrReader(n.attrs).int('axis', 0);
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const idxValue = g.values[n.inputs[1]!];
  const [outer, dim, inner] = split3(x.shape, ax);
  const count = numelOf(typeOf(g, n.inputs[1]!).shape);
  const o = io(g, n.outputs[0], [outer, count, inner]);
  const xin = io(g, n.inputs[0]!, [outer, dim, inner]);
  if (idxValue.data) {
    const idx = toInts(idxValue.data).map((i) => (i < 0 ? i + dim : i));
    const body = (src: Tensor) => {
      const y = out(o);
      for (const [k, j] of idx.entries())
        nisa.dmaCopy(y.get(':', [k, k + 1], ':'), src.get(':', [j, j + 1], ':'));
      return y;
    };
    return { kernel: kernel(body, { name }), inputs: [xin], outputs: [o], source: 'generated' };
  }
  // Run-time indices: rows of a [dim, inner] table gathered by indirect DMA (embedding lookup).
  if (ax !== 0) throw nodeError('TK0806', n, 'Gather with run-time indices is supported on axis 0 only');
  const idxIO: KernelIO = { ...io(g, n.inputs[1]!, [count, 1]), dtype: 'int32' };
  const body = (src: Tensor, ids: Tensor) => {
    const y = out(o);
    const table = src.reshape([dim, inner]);
    const y2 = y.reshape([count, inner]);
    for (const b of blocks(count, P)) {
      const index = nl.load(ids.get([b.start, b.start + b.size], ':'), { name: 'ids' });
      nl.store(y2.get([b.start, b.start + b.size], ':'), nl.load(table, { index }));
    }
    return y;
  };
  return { kernel: kernel(body, { name }), inputs: [xin, idxIO], outputs: [o], source: 'generated' };
}

function expand(g: Graph, n: Node, name: string): BuiltKernel {
  const x = typeOf(g, n.inputs[0]!);
  const y = typeOf(g, n.outputs[0]);
  const space = chooseSpace(y.shape, [x.shape]);
  if (!space) throw nodeError('TK0806', n, `Expand of [${x.shape}] to [${y.shape}] has no supported layout`);
  const p = patternOf(x.shape, space)!;
  const sz = sizes(space);
  const o = io(g, n.outputs[0]);
  const body = (src: Tensor) => {
    const dst = out(o);
    const view = spaceView(src, p, sz);
    const dv = dst.reshape([sz.O, sz.C, sz.F]);
    for (const oo of nl.affineRange(sz.O)) {
      for (const cb of blocks(sz.C, P)) {
        for (const fb of blocks(sz.F, 2048)) {
          let t = loadOperand(view, p, { o: oo, c0: cb.start, pc: cb.size, f0: fb.start, fc: fb.size }, 'x');
          if (!p.f && fb.size > 1) t = nl.broadcastTo(t, [cb.size, fb.size]);
          nl.store(dv.get(oo, [cb.start, cb.start + cb.size], [fb.start, fb.start + fb.size]), t);
        }
      }
    }
    return dst;
  };
  return { kernel: kernel(body, { name }), inputs: [io(g, n.inputs[0]!)], outputs: [o], source: 'generated' };
}

/** Index tuples of a shape, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = numelOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

function transpose(g: Graph, n: Node, name: string): BuiltKernel {
  const x = typeOf(g, n.inputs[0]!);
  const R = x.shape.length;
  const perm = transposePerm(new AttrReader(n.attrs), R);
  const yShape = perm.map((p) => x.shape[p]);
  const o = io(g, n.outputs[0]);
  const lead = yShape.slice(0, -2);
  if (R < 2) {
    const body = (src: Tensor) => {
      const y = out(o);
      nisa.dmaCopy(y, src);
      return y;
    };
    return {
      kernel: kernel(body, { name }),
      inputs: [io(g, n.inputs[0]!)],
      outputs: [o],
      source: 'generated',
    };
  }
  // Input index of each output leading index (the last two output axes stay ':').
  const srcIndex = (l: readonly number[]) => {
    const idx: (number | ':')[] = new Array(R).fill(':');
    for (const [k, v] of l.entries()) idx[perm[k]] = v;
    return idx;
  };
  const [a, b] = [perm[R - 2], perm[R - 1]];
  if (a < b) {
    // The two trailing output axes keep their input order: strided DMA copies.
    const body = (src: Tensor) => {
      const y = out(o);
      for (const l of indices(lead)) nisa.dmaCopy(y.get(...l, ':', ':'), src.get(...srcIndex(l)));
      return y;
    };
    return {
      kernel: kernel(body, { name }),
      inputs: [io(g, n.inputs[0]!)],
      outputs: [o],
      source: 'generated',
    };
  }
  // The trailing output axes come swapped: transpose [rows ≤ 128, cols ≤ 128] blocks on TensorE.
  const [Ry, Cy] = yShape.slice(-2);
  const body = (src: Tensor) => {
    const y = out(o);
    for (const l of indices(lead)) {
      const s2 = src.get(...srcIndex(l)); // [Cy, Ry] in input order
      const y2 = y.get(...l, ':', ':');
      for (const rb of blocks(Ry, P)) {
        for (const cb of blocks(Cy, P)) {
          const t = nl.load(s2.get([cb.start, cb.start + cb.size], [rb.start, rb.start + rb.size]), {
            name: 'blk',
          });
          const tt = nisa.ncTranspose(t.dtype === 'float32' ? t : nisa.tensorCopy(t, { dtype: 'float32' }));
          nl.store(y2.get([rb.start, rb.start + rb.size], [cb.start, cb.start + cb.size]), tt);
        }
      }
    }
    return y;
  };
  return { kernel: kernel(body, { name }), inputs: [io(g, n.inputs[0]!)], outputs: [o], source: 'generated' };
}

export const MOVEMENT_KERNELS = {
  Concat: concat,
  Split: split,
  Slice: slice,
  Gather: gather,
  Expand: expand,
  Transpose: transpose,
};
