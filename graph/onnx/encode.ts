/**
 * Writing small ONNX models from a plain description, with the same schema subset: the transformer-ops fixture and
 * the malformed-model tests are made with it, and onnxruntime reads the result (graph/scripts/expected-outputs.ts).
 */
import type { Dim, GraphDType, NDArray } from '../types.ts';
import { ATTRIBUTE_TYPE, modelProtoType, ONNX_DATA_TYPE } from './schema.ts';

export type OnnxAttr =
  | { readonly f: number }
  | { readonly i: number }
  | { readonly s: string }
  | { readonly t: NDArray }
  | { readonly floats: readonly number[] }
  | { readonly ints: readonly number[] };

export interface OnnxNodeSpec {
  readonly op: string;
  readonly name?: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
  readonly domain?: string;
}

export interface OnnxModelSpec {
  readonly name: string;
  readonly opset: number;
  readonly inputs: readonly { name: string; shape: readonly Dim[]; dtype?: GraphDType }[];
  readonly outputs: readonly { name: string; shape?: readonly Dim[]; dtype?: GraphDType }[];
  readonly initializers?: readonly { name: string; value: NDArray }[];
  readonly nodes: readonly OnnxNodeSpec[];
}

const CODE: Partial<Record<GraphDType, number>> = {
  float32: ONNX_DATA_TYPE.FLOAT,
  int64: ONNX_DATA_TYPE.INT64,
  int32: ONNX_DATA_TYPE.INT32,
  bool: ONNX_DATA_TYPE.BOOL,
  float64: ONNX_DATA_TYPE.DOUBLE,
  uint8: ONNX_DATA_TYPE.UINT8,
  int8: ONNX_DATA_TYPE.INT8,
};

function dtypeCode(d: GraphDType): number {
  const c = CODE[d];
  if (c === undefined) throw new RangeError(`cannot encode dtype ${d}`);
  return c;
}

function tensorProto(name: string, a: NDArray): Record<string, unknown> {
  const code = dtypeCode(a.dtype);
  const base = { name, dims: [...a.shape], dataType: code };
  if (a.dtype === 'float32') return { ...base, floatData: Array.from(a.data) };
  if (a.dtype === 'float64') return { ...base, doubleData: Array.from(a.data) };
  if (a.dtype === 'int64') return { ...base, int64Data: Array.from(a.data) };
  return { ...base, int32Data: Array.from(a.data) };
}

function attrProto(name: string, a: OnnxAttr): Record<string, unknown> {
  if ('f' in a) return { name, type: ATTRIBUTE_TYPE.FLOAT, f: a.f };
  if ('i' in a) return { name, type: ATTRIBUTE_TYPE.INT, i: a.i };
  if ('s' in a) return { name, type: ATTRIBUTE_TYPE.STRING, s: new TextEncoder().encode(a.s) };
  if ('t' in a) return { name, type: ATTRIBUTE_TYPE.TENSOR, t: tensorProto('', a.t) };
  if ('floats' in a) return { name, type: ATTRIBUTE_TYPE.FLOATS, floats: [...a.floats] };
  return { name, type: ATTRIBUTE_TYPE.INTS, ints: [...a.ints] };
}

function valueInfo(
  name: string,
  shape: readonly Dim[] | undefined,
  dtype: GraphDType,
): Record<string, unknown> {
  const dim = shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: dtypeCode(dtype), ...(dim ? { shape: { dim } } : {}) } } };
}

export function encodeOnnx(spec: OnnxModelSpec): Uint8Array {
  const T = modelProtoType();
  const msg = T.fromObject({
    irVersion: 8,
    producerName: 'tilekit',
    opsetImport: [{ domain: '', version: spec.opset }],
    graph: {
      name: spec.name,
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)),
      })),
      initializer: (spec.initializers ?? []).map((t) => tensorProto(t.name, t.value)),
      input: spec.inputs.map((v) => valueInfo(v.name, v.shape, v.dtype ?? 'float32')),
      output: spec.outputs.map((v) => valueInfo(v.name, v.shape, v.dtype ?? 'float32')),
    },
  });
  return T.encode(msg).finish();
}
