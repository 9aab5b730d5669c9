/**
 * A reference interpreter of the kernel IR, independent of codegen and the Program: every buffer is its own
 * row-major byte array (fresh ones filled with the same 0xFF sentinel as the simulator), and `ir.instrs` run in trace
 * order on logical views with each op's `evaluate`. The compiled-and-simulated outputs must equal its outputs byte
 * for byte, whatever the allocation, queues, semaphores and issue order.
 */
import { DTYPES, decodeStrided, encodeStrided } from '../../ir/dtypes.ts';
import type { HostArray } from '../../ir/host.ts';
import { opDef } from '../../ir/ops/index.ts';
import { type KernelIR, numel, type View } from '../../ir/types.ts';

/** Visit each innermost run of a view: (element offset, element stride, count, row-major position). */
function runs(v: View, fn: (offset: number, stride: number, n: number, pos: number) => void): void {
  const nd = v.shape.length;
  const inner = nd - 1;
  const idx = new Array<number>(nd).fill(0);
  let outer = 1;
  for (let d = 0; d < inner; d++) outer *= v.shape[d];
  let pos = 0;
  for (let o = 0; o < outer; o++) {
    let off = v.offset;
    for (let d = 0; d < inner; d++) off += idx[d] * v.strides[d];
    fn(off, v.strides[inner], v.shape[inner], pos);
    pos += v.shape[inner];
    for (let d = inner - 1; d >= 0; d--) {
      if (++idx[d] < v.shape[d]) break;
      idx[d] = 0;
    }
  }
}

export function interpretIR(ir: KernelIR, inputs: readonly HostArray[]): Uint8Array[] {
  const mem = ir.buffers.map((b) => new Uint8Array(numel(b.shape) * DTYPES[b.dtype].bytes).fill(0xff));
  const put = (id: number, data: ArrayLike<number>) => {
    const b = ir.buffers[id];
    const values = Float64Array.from(data);
    encodeStrided(b.dtype, values, 0, values.length, mem[id], 0, DTYPES[b.dtype].bytes);
  };
  ir.inputs.forEach((id, i) => {
    put(id, inputs[i].data);
  });
  for (const b of ir.buffers) if (b.init) put(b.id, b.init);
  const read = (v: View): Float64Array => {
    const out = new Float64Array(numel(v.shape));
    const eb = DTYPES[v.dtype].bytes;
    runs(v, (off, stride, n, pos) =>
      decodeStrided(v.dtype, mem[v.buffer], off * eb, stride * eb, n, out, pos),
    );
    return out;
  };
  const write = (v: View, values: Float64Array) => {
    const eb = DTYPES[v.dtype].bytes;
    runs(v, (off, stride, n, pos) =>
      encodeStrided(v.dtype, values, pos, n, mem[v.buffer], off * eb, stride * eb),
    );
  };
  for (const ins of ir.instrs) {
    const def = opDef(ins.op);
    const readsOut = def.readsOutputs?.(ins.attrs) ?? false;
    const outs = ins.outs.map((v) => (readsOut ? read(v) : new Float64Array(numel(v.shape))));
    def.evaluate({
      ins: ins.ins.map(read),
      inShapes: ins.ins.map((v) => v.shape),
      outs,
      outShapes: ins.outs.map((v) => v.shape),
      attrs: ins.attrs,
      report: () => {},
    });
    ins.outs.forEach((v, i) => {
      write(v, outs[i]);
    });
  }
  return ir.outputs.map((id) => mem[id]);
}
