// A small WebAssembly binary assembler: expressions are byte sequences composed in WAT's folded order (operands
// first), so a kernel reads like `(f32x4.add (local.get acc) (f32x4.mul a b))`. Only what the kernels use is here.
// Opcodes: WebAssembly core spec 2.0, §5.4 (instructions) and the SIMD opcode table (0xFD prefix).

/** Bytes as a tree (composition nests, never copies); flattened once per function. */
export type Code = readonly (number | Code)[];

/** The bytes of a Code tree, in order. */
export function bytesOf(c: Code, out: number[] = []): number[] {
  for (const x of c) {
    if (typeof x === 'number') out.push(x);
    else bytesOf(x, out);
  }
  return out;
}
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const VALTYPE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n = Math.floor(n / 128);
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const cat = (...parts: Code[]): Code => parts;
const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const vec = (items: Code[]): number[] => [...uleb(items.length), ...bytesOf(items)];

/** memarg: alignment exponent and constant offset. */
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];
const simd = (op: number): number[] => [0xfd, ...uleb(op)];

// ---- locals and constants ----
export const get = (l: number): Code => [0x20, ...uleb(l)];
export const set = (l: number, v: Code): Code => cat(v, [0x21, ...uleb(l)]);
export const tee = (l: number, v: Code): Code => cat(v, [0x22, ...uleb(l)]);
export const i32c = (n: number): Code => [0x41, ...sleb(n | 0)];
export const f32c = (x: number): Code => {
  const b = new Uint8Array(new Float32Array([x]).buffer);
  return [0x43, ...b];
};
export const f64c = (x: number): Code => {
  const b = new Uint8Array(new Float64Array([x]).buffer);
  return [0x44, ...b];
};
export const drop = (v: Code): Code => cat(v, [0x1a]);
export const select = (a: Code, b: Code, cond: Code): Code => cat(a, b, cond, [0x1b]);

// ---- control ----
const EMPTY = 0x40;
export const block = (...body: Code[]): Code => cat([0x02, EMPTY], ...body, [0x0b]);
export const loop = (...body: Code[]): Code => cat([0x03, EMPTY], ...body, [0x0b]);
export const br = (depth: number): Code => [0x0c, ...uleb(depth)];
export const brIf = (depth: number, cond: Code): Code => cat(cond, [0x0d, ...uleb(depth)]);
export const if_ = (cond: Code, then: Code[], else_?: Code[]): Code =>
  cat(cond, [0x04, EMPTY], ...then, else_ ? cat([0x05], ...else_) : [], [0x0b]);
export const ret = (v?: Code): Code => cat(v ?? [], [0x0f]);

/** `for (i = from; i < to; i += step) body` (unsigned compare); `body` may not branch out of the loop. */
export function forRange(i: number, from: Code, to: Code, step: number, ...body: Code[]): Code {
  return cat(
    set(i, from),
    block(loop(brIf(1, i32.geU(get(i), to)), ...body, set(i, i32.add(get(i), i32c(step))), br(0))),
  );
}

// ---- scalar ops ----
const bin =
  (op: number) =>
  (a: Code, b: Code): Code =>
    cat(a, b, [op]);
const un =
  (op: number) =>
  (a: Code): Code =>
    cat(a, [op]);
const load =
  (op: number, align: number) =>
  (addr: Code, offset = 0): Code =>
    cat(addr, [op], memarg(align, offset));
const store =
  (op: number, align: number) =>
  (addr: Code, v: Code, offset = 0): Code =>
    cat(addr, v, [op], memarg(align, offset));

export const i32 = {
  load: load(0x28, 2),
  load8u: load(0x2d, 0),
  load8s: load(0x2c, 0),
  load16u: load(0x2f, 1),
  load16s: load(0x2e, 1),
  store: store(0x36, 2),
  store8: store(0x3a, 0),
  store16: store(0x3b, 1),
  eqz: un(0x45),
  eq: bin(0x46),
  ne: bin(0x47),
  ltS: bin(0x48),
  ltU: bin(0x49),
  gtS: bin(0x4a),
  gtU: bin(0x4b),
  leS: bin(0x4c),
  leU: bin(0x4d),
  geS: bin(0x4e),
  geU: bin(0x4f),
  add: bin(0x6a),
  sub: bin(0x6b),
  mul: bin(0x6c),
  divU: bin(0x6e),
  and: bin(0x71),
  or: bin(0x72),
  xor: bin(0x73),
  shl: bin(0x74),
  shrS: bin(0x75),
  shrU: bin(0x76),
  reinterpretF32: un(0xbc),
  truncSatF64S: (a: Code): Code => cat(a, [0xfc, 0x02]),
  truncSatF64U: (a: Code): Code => cat(a, [0xfc, 0x03]),
};

export const f32 = {
  load: load(0x2a, 2),
  store: store(0x38, 2),
  add: bin(0x92),
  demoteF64: un(0xb6),
  reinterpretI32: un(0xbe),
};

export const f64 = {
  load: load(0x2b, 3),
  store: store(0x39, 3),
  ne: bin(0x62),
  lt: bin(0x63),
  gt: bin(0x64),
  le: bin(0x65),
  ge: bin(0x66),
  nearest: un(0x9e),
  promoteF32: un(0xbb),
  convertI32S: un(0xb7),
  convertI32U: un(0xb8),
};

export const memory = {
  /** memory.copy dst src n (bulk memory). */
  copy: (dst: Code, src: Code, n: Code): Code => cat(dst, src, n, [0xfc, 0x0a, 0x00, 0x00]),
  fill: (dst: Code, v: Code, n: Code): Code => cat(dst, v, n, [0xfc, 0x0b, 0x00]),
};

// ---- SIMD ----
const vload =
  (op: number, align: number) =>
  (addr: Code, offset = 0): Code =>
    cat(addr, simd(op), memarg(align, offset));
const vbin =
  (op: number) =>
  (a: Code, b: Code): Code =>
    cat(a, b, simd(op));
const vun =
  (op: number) =>
  (a: Code): Code =>
    cat(a, simd(op));

export const v128 = {
  load: vload(0x00, 4),
  /** Four u16 zero-extended to i32 lanes. */
  load16x4u: vload(0x04, 3),
  /** Eight u8 zero-extended to i16 lanes. */
  load8x8u: vload(0x02, 3),
  load32splat: vload(0x09, 2),
  load64zero: vload(0x5d, 3),
  store: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, simd(0x0b), memarg(4, offset)),
  /** Store the low 64 bits (lane 0 of an i64x2 view). */
  store64lane0: (addr: Code, v: Code, offset = 0): Code => cat(addr, v, simd(0x5b), memarg(3, offset), [0]),
  const: (bytes: readonly number[]): Code => cat(simd(0x0c), bytes),
  and: vbin(0x4e),
  andnot: vbin(0x4f),
  or: vbin(0x50),
  xor: vbin(0x51),
  /** Lanes of `a` where `mask` bits are set, else `b`. */
  bitselect: (a: Code, b: Code, mask: Code): Code => cat(a, b, mask, simd(0x52)),
  anyTrue: vun(0x53),
  shuffle: (a: Code, b: Code, lanes: readonly number[]): Code => cat(a, b, simd(0x0d), lanes),
};

export const i8x16 = {
  splat: vun(0x0f),
  gtU: vbin(0x28),
  and: v128.and,
};

export const i16x8 = {
  splat: vun(0x10),
  gtU: vbin(0x32),
  extendLowU: vun(0x89),
  extendHighU: vun(0x8a),
};

export const i32x4 = {
  splat: vun(0x11),
  extractLane: (a: Code, lane: number): Code => cat(a, simd(0x1b), [lane]),
  eq: vbin(0x37),
  ne: vbin(0x38),
  gtU: vbin(0x3c),
  add: vbin(0xae),
  sub: vbin(0xb1),
  shl: (a: Code, n: Code): Code => cat(a, n, simd(0xab)),
  shrU: (a: Code, n: Code): Code => cat(a, n, simd(0xad)),
  minU: vbin(0xb7),
  maxU: vbin(0xb9),
  extendLowU16: vun(0xa9),
  extendHighU16: vun(0xaa),
};

export const f32x4 = {
  splat: vun(0x13),
  ne: vbin(0x42),
  ge: vbin(0x46),
  le: vbin(0x45),
  add: vbin(0xe4),
  sub: vbin(0xe5),
  mul: vbin(0xe6),
  div: vbin(0xe7),
  demoteF64x2Zero: vun(0x5e),
};

export const f64x2 = {
  splat: vun(0x14),
  add: vbin(0xf0),
  mul: vbin(0xf2),
  promoteLowF32x4: vun(0x5f),
};

// ---- module ----
export interface FuncDef {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly locals: readonly ValType[];
  readonly body: readonly number[];
}

/**
 * A function with named parameters and locals: `body` receives their indices, e.g.
 * `func('f', { a: 'i32' }, [], { t: 'v128' }, ({ a, t }) => [...])`.
 */
export function func<P extends Record<string, ValType>, L extends Record<string, ValType>>(
  name: string,
  params: P,
  results: readonly ValType[],
  locals: L,
  body: (ix: Readonly<Record<keyof P | keyof L, number>>) => Code[],
): FuncDef {
  const ix: Record<string, number> = {};
  const pNames = Object.keys(params);
  const lNames = Object.keys(locals);
  pNames.forEach((p, i) => {
    ix[p] = i;
  });
  lNames.forEach((l, i) => {
    ix[l] = pNames.length + i;
  });
  return {
    name,
    params: pNames.map((p) => params[p]),
    results,
    locals: lNames.map((l) => locals[l]),
    body: bytesOf(body(ix as Record<keyof P | keyof L, number>)),
  };
}

export interface ModuleDef {
  /** The imported memory `env.memory`; shared memories need a maximum (in 64 KiB pages). */
  readonly memory: { readonly shared: boolean; readonly minPages: number; readonly maxPages: number };
  readonly funcs: readonly FuncDef[];
}

const section = (id: number, body: readonly number[]): number[] => [id, ...uleb(body.length), ...body];

export function assemble(m: ModuleDef): Uint8Array {
  const types = m.funcs.map((f) =>
    cat([0x60], vec(f.params.map((t) => [VALTYPE[t]])), vec(f.results.map((t) => [VALTYPE[t]]))),
  );
  const mem = m.memory;
  const limits = [mem.shared ? 0x03 : 0x01, ...uleb(mem.minPages), ...uleb(mem.maxPages)];
  const imports = vec([cat(nameOf('env'), nameOf('memory'), [0x02], limits)]);
  const funcIdx = vec(m.funcs.map((_, i) => uleb(i)));
  const exports = vec(m.funcs.map((f, i) => cat(nameOf(f.name), [0x00], uleb(i))));
  const code = vec(
    m.funcs.map((f) => {
      const locals = f.locals.map((t) => [1, VALTYPE[t]]);
      const body = [...vec(locals), ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcIdx),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

function nameOf(s: string): number[] {
  const b = utf8(s);
  return [...uleb(b.length), ...b];
}
