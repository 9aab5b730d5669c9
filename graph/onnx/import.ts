/**
 * ONNX → graph IR: decode a ModelProto (graph/onnx/schema.ts), map tensors, attributes and nodes. Every node keeps
 * its ONNX name and index; an unknown op, an input that nothing defines (e.g. a missing initializer) or a file that
 * does not decode is a diagnostic naming the node or the file. Types of node outputs come from shape inference.
 */
import { readFileSync } from 'node:fs';
import { displayPath } from '../../tracer/location.ts';
import { GraphDraft } from '../draft.ts';
import { graphError, nodeError } from '../errors.ts';
import { isGraphOp } from '../ops/index.ts';
import type { AttrValue, Dim, Graph, GraphDType, NDArray, NodeOrigin, TensorType } from '../types.ts';
import { numelOf } from '../types.ts';
import { ATTRIBUTE_TYPE, modelProtoType, ONNX_DATA_TYPE, ONNX_DATA_TYPE_NAMES } from './schema.ts';

// protobufjs gives int64 fields as Long objects (or numbers); messages as plain objects with defaults.
type Int64 = number | { toNumber(): number };
const num = (v: Int64 | undefined | null): number =>
  v == null ? 0 : typeof v === 'number' ? v : v.toNumber();

interface TensorProto {
  dims: Int64[];
  dataType: number;
  floatData: number[];
  int32Data: number[];
  int64Data: Int64[];
  doubleData: number[];
  uint64Data: Int64[];
  rawData: Uint8Array;
  name: string;
  dataLocation: number;
  externalData: unknown[];
}
interface AttributeProto {
  name: string;
  type: number;
  f: number;
  i: Int64;
  s: Uint8Array;
  t?: TensorProto;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
}
interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: AttributeProto[];
}
interface ValueInfoProto {
  name: string;
  type?: { tensorType?: { elemType: number; shape?: { dim: { dimValue?: Int64; dimParam?: string }[] } } };
}
interface ModelProto {
  irVersion: Int64;
  opsetImport: { domain: string; version: Int64 }[];
  graph?: {
    node: NodeProto[];
    name: string;
    initializer: TensorProto[];
    input: ValueInfoProto[];
    output: ValueInfoProto[];
  };
}

const DTYPE_OF: Readonly<Record<number, GraphDType>> = {
  [ONNX_DATA_TYPE.FLOAT]: 'float32',
  [ONNX_DATA_TYPE.UINT8]: 'uint8',
  [ONNX_DATA_TYPE.INT8]: 'int8',
  [ONNX_DATA_TYPE.UINT16]: 'uint16',
  [ONNX_DATA_TYPE.INT16]: 'int16',
  [ONNX_DATA_TYPE.INT32]: 'int32',
  [ONNX_DATA_TYPE.INT64]: 'int64',
  [ONNX_DATA_TYPE.BOOL]: 'bool',
  [ONNX_DATA_TYPE.FLOAT16]: 'float16',
  [ONNX_DATA_TYPE.DOUBLE]: 'float64',
  [ONNX_DATA_TYPE.UINT32]: 'uint32',
  [ONNX_DATA_TYPE.BFLOAT16]: 'bfloat16',
};

export function onnxDType(code: number, what: string): GraphDType {
  const d = DTYPE_OF[code];
  if (!d) {
    const name = ONNX_DATA_TYPE_NAMES[code] ?? `#${code}`;
    throw graphError('TK0801', `${what} has ONNX element type ${name}, which tilekit does not support`);
  }
  return d;
}

const half = new DataView(new ArrayBuffer(4));
function fromHalfBits(bits: number, bf16: boolean): number {
  if (bf16) {
    half.setUint32(0, bits << 16);
    return half.getFloat32(0);
  }
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** TensorProto → NDArray (raw little-endian bytes or the typed repeated fields). */
export function tensorFromProto(t: TensorProto, what: string): NDArray {
  if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0) {
    throw graphError('TK0801', `${what} keeps its data in an external file, which tilekit does not read`);
  }
  const dtype = onnxDType(t.dataType, what);
  const shape = (t.dims ?? []).map(num);
  const n = numelOf(shape);
  const data = new Float64Array(n);
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const width: Record<string, number> = {
      float32: 4,
      float64: 8,
      int64: 8,
      int32: 4,
      uint32: 4,
      int16: 2,
      uint16: 2,
      float16: 2,
      bfloat16: 2,
      int8: 1,
      uint8: 1,
      bool: 1,
    };
    const w = width[dtype];
    if (raw.length !== n * w) {
      throw graphError(
        'TK0801',
        `${what} has ${raw.length} data bytes for shape [${shape}] ${dtype} (${n * w} expected); the file may be truncated`,
      );
    }
    for (let i = 0; i < n; i++) {
      const o = i * w;
      switch (dtype) {
        case 'float32':
          data[i] = dv.getFloat32(o, true);
          break;
        case 'float64':
          data[i] = dv.getFloat64(o, true);
          break;
        case 'int64':
          data[i] = Number(dv.getBigInt64(o, true));
          break;
        case 'int32':
          data[i] = dv.getInt32(o, true);
          break;
        case 'uint32':
          data[i] = dv.getUint32(o, true);
          break;
        case 'int16':
          data[i] = dv.getInt16(o, true);
          break;
        case 'uint16':
          data[i] = dv.getUint16(o, true);
          break;
        case 'float16':
        case 'bfloat16':
          data[i] = fromHalfBits(dv.getUint16(o, true), dtype === 'bfloat16');
          break;
        case 'int8':
          data[i] = dv.getInt8(o);
          break;
        default:
          data[i] = dv.getUint8(o);
      }
    }
  } else {
    const typed: ArrayLike<number | Int64> =
      dtype === 'float32'
        ? t.floatData
        : dtype === 'float64'
          ? t.doubleData
          : dtype === 'int64'
            ? t.int64Data
            : dtype === 'uint32'
              ? t.uint64Data
              : t.int32Data;
    const len = typed?.length ?? 0;
    if (len !== n && !(len === 0 && n === 0)) {
      throw graphError('TK0801', `${what} has ${len} values for shape [${shape}]; the file may be truncated`);
    }
    for (let i = 0; i < n; i++) {
      const v = num(typed[i] as Int64);
      data[i] = dtype === 'float16' || dtype === 'bfloat16' ? fromHalfBits(v, dtype === 'bfloat16') : v;
    }
  }
  return Object.freeze({ shape: Object.freeze(shape), dtype, data });
}

function attrValue(a: AttributeProto, what: string): AttrValue {
  const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);
  switch (a.type) {
    case ATTRIBUTE_TYPE.FLOAT:
      return a.f ?? 0;
    case ATTRIBUTE_TYPE.INT:
      return num(a.i);
    case ATTRIBUTE_TYPE.STRING:
      return utf8(a.s ?? new Uint8Array());
    case ATTRIBUTE_TYPE.TENSOR:
      if (!a.t) throw graphError('TK0801', `${what} attribute '${a.name}' has no tensor`);
      return tensorFromProto(a.t, `${what} attribute '${a.name}'`);
    case ATTRIBUTE_TYPE.FLOATS:
      return [...(a.floats ?? [])];
    case ATTRIBUTE_TYPE.INTS:
      return (a.ints ?? []).map(num);
    case ATTRIBUTE_TYPE.STRINGS:
      return (a.strings ?? []).map(utf8);
    default:
      throw graphError(
        'TK0806',
        `${what} attribute '${a.name}' has type ${a.type} (graphs, sparse tensors or type protos), which tilekit does not support`,
      );
  }
}

function valueType(v: ValueInfoProto, what: string): TensorType {
  const tt = v.type?.tensorType;
  if (!tt)
    throw graphError('TK0801', `${what} '${v.name}' is not a tensor (sequences and maps are not supported)`);
  const dims: Dim[] = (tt.shape?.dim ?? []).map((d, i) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue !== undefined && d.dimValue !== null) return num(d.dimValue);
    return `${v.name}_dim${i}`;
  });
  return { shape: dims, dtype: onnxDType(tt.elemType, `${what} '${v.name}'`) };
}

/** Decode a model; a truncated or foreign file is TK0801 naming the file. */
export function decodeModel(bytes: Uint8Array, file: string): ModelProto {
  let model: ModelProto;
  try {
    model = modelProtoType().decode(bytes) as unknown as ModelProto;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw graphError(
      'TK0801',
      `cannot decode ${displayPath(file)} as an ONNX model (${bytes.length} bytes): ${why}; the file is truncated or not ONNX`,
    );
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    throw graphError(
      'TK0801',
      `${displayPath(file)} decodes but holds no graph nodes; the file is truncated or not ONNX`,
    );
  }
  return model;
}

/** Read an ONNX model from bytes; `file` names it in diagnostics. */
export function importOnnx(bytes: Uint8Array, file = 'model.onnx'): Graph {
  const model = decodeModel(bytes, file);
  const g = model.graph!;
  const opset = num(model.opsetImport?.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0);
  const draft = new GraphDraft(g.name || displayPath(file), opset || 13, file);
  const byName = new Map<string, number>();
  for (const t of g.initializer ?? []) {
    const data = tensorFromProto(t, `initializer '${t.name}'`);
    byName.set(t.name, draft.addValue(t.name, { shape: data.shape, dtype: data.dtype }, data));
  }
  for (const v of g.input ?? []) {
    if (byName.has(v.name)) continue; // IR < 4 lists initializers among the inputs
    const id = draft.addValue(v.name, valueType(v, 'graph input'));
    byName.set(v.name, id);
    draft.inputs.push(id);
  }
  (g.node ?? []).forEach((n, index) => {
    const origin: NodeOrigin = { kind: 'onnx', file, index };
    const name = n.name || `${n.opType}_${index}`;
    const at = { name, op: n.opType, origin };
    if (n.domain && n.domain !== 'ai.onnx') {
      throw nodeError(
        'TK0802',
        at,
        `op domain '${n.domain}' is not supported (only the default ONNX domain)`,
      );
    }
    if (!isGraphOp(n.opType)) {
      throw nodeError('TK0802', at, `op '${n.opType}' is not supported by tilekit's graph compiler`);
    }
    const inputs = (n.input ?? []).map((inName) => {
      if (inName === '') return null;
      const id = byName.get(inName);
      if (id === undefined) {
        throw nodeError(
          'TK0804',
          at,
          `input '${inName}' is not a graph input, an initializer or the output of an earlier node (a missing initializer?)`,
        );
      }
      return id;
    });
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute ?? []) attrs[a.name] = attrValue(a, `node '${name}' (${n.opType})`);
    const outputs = (n.output ?? []).map((outName, k) => {
      const id = draft.addValue(outName || `${name}_out${k}`, { shape: [], dtype: 'float32' });
      if (outName) byName.set(outName, id);
      return id;
    });
    draft.addNode({ op: n.opType, name, inputs, outputs, attrs, origin });
  });
  for (const v of g.output ?? []) {
    const id = byName.get(v.name);
    if (id === undefined) throw graphError('TK0804', `graph output '${v.name}' is produced by no node`);
    draft.outputs.push(id);
  }
  return draft.freeze();
}

/** Read an ONNX model file. */
export function loadOnnx(path: string): Graph {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw graphError('TK0810', `cannot read ${displayPath(path)}: ${(e as Error).message}`);
  }
  return importOnnx(bytes, path);
}
