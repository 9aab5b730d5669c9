/**
 * Pass 5: fusion. Walks the nodes in order and groups them into kernels:
 * - an anchor (MatMul, Conv, MaxPool, AveragePool) starts a group whose index space is its output;
 * - elementwise ops, reductions over the trailing (F) axes and row ops (Softmax, LayerNormalization, ...) join the
 *   group of a producer when they fit its space and every other input is ready before the group starts;
 *   otherwise they start a group of their own (a generated elementwise kernel);
 * - other ops (views, data movement, attention, RoPE) and nodes claimed by registered kernels stay single.
 * Units run in the order of their first node, which keeps every input computed before it is read.
 */
import { consumers, producers } from '../draft.ts';
import { nodeError } from '../errors.ts';
import { hasLibraryKernel } from '../kernels/library.ts';
import { graphOp, isGraphOp } from '../ops/index.ts';
import { AttrReader } from '../ops/op-def.ts';
import { reduceAxes } from '../ops/reduce.ts';
import { softmaxRowStart } from '../ops/row.ts';
import { isColShape, isTileShape, type Pattern, patternOf, type Space, sizes } from '../space.ts';
import type { Graph, Node, StaticType } from '../types.ts';

/** Elements per partition a whole-row group may hold (F of a row op or of a tile that reads a reduction). */
export const ROW_LIMIT = 8192;
/** Free-dim chunk of an elementwise group that can be chunked. */
export const CHUNK = 2048;

export type Level = 'tile' | 'col';

export interface FusedGroup {
  readonly kind: 'group';
  readonly id: number;
  /** In graph order; the anchor, if any, first. */
  readonly nodes: readonly Node[];
  readonly anchor?: Node;
  readonly space: Space;
  /** Level of each value computed in the group. */
  readonly levels: ReadonlyMap<number, Level>;
  /** Values the group reads that it does not compute, in first-use order. */
  readonly inputs: readonly number[];
  /** Values computed in the group that are read after it or are graph outputs. */
  readonly outputs: readonly number[];
  /** A row op, or a tile computed from a reduction: every F chunk must be the whole row. */
  readonly wholeRows: boolean;
}

export interface SingleUnit {
  readonly kind: 'single';
  readonly id: number;
  readonly node: Node;
  /** Served by a registered (user) kernel. */
  readonly claimed: boolean;
}

export type Unit = FusedGroup | SingleUnit;

interface Draft {
  id: number;
  first: number;
  nodes: Node[];
  anchor?: Node;
  space: Space;
  levels: Map<number, Level>;
  wholeRows: boolean;
}

function typeOf(g: Graph, id: number): StaticType {
  return g.values[id].type as StaticType;
}

/** The space of an anchor's output. */
export function anchorSpace(g: Graph, n: Node): Space {
  const out = typeOf(g, n.outputs[0]).shape;
  if (n.op === 'MatMul') {
    const b = typeOf(g, n.inputs[1]!).shape;
    const R = out.length;
    if (R === 1) return { shape: out, i: 0, j: 0 };
    // Shared 2-D weights: every leading dim is a row. Batched: the batch dims are the O run.
    return b.length <= 2 ? { shape: out, i: 0, j: R - 1 } : { shape: out, i: R - 2, j: R - 1 };
  }
  return { shape: out, i: 1, j: 2 }; // [N | C | H, W]
}

function tiles(s: Space, whole: boolean): number {
  const { O, C, F } = sizes(s);
  return O * Math.ceil(C / 128) * (whole ? 1 : Math.ceil(F / CHUNK));
}

/** The best [O | C | F] split of `shape` for operands `shapes`, with F starting at `j` if given. */
export function chooseSpace(
  shape: readonly number[],
  shapes: readonly (readonly number[])[],
  j?: number,
): Space | undefined {
  const R = shape.length;
  let best: Space | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let jj = j ?? 0; jj <= (j ?? R); jj++) {
    for (let i = 0; i <= jj; i++) {
      const s: Space = { shape, i, j: jj };
      if (!shapes.every((x) => patternOf(x, s))) continue;
      const { C, F } = sizes(s);
      // Fewest tiles; then the most partitions in use; then the longest free dim.
      const score = tiles(s, j !== undefined) * 1e6 - Math.min(C, 128) * 1e3 - Math.min(F, CHUNK) / 1e4;
      if (score < bestScore) [best, bestScore] = [s, score];
    }
  }
  return best;
}

/** F axes of a reduce node, when they are the trailing axes of its input; else undefined. */
function trailingReduceStart(g: Graph, n: Node): number | undefined {
  const x = typeOf(g, n.inputs[0]!);
  const axesIn = n.inputs[1] != null ? g.values[n.inputs[1]].data : undefined;
  const axes = reduceAxes(new AttrReader(n.attrs), axesIn, x.shape.length, n.inputs[1] != null);
  if (axes.length === 0) return undefined;
  const j = axes[0];
  return axes.every((a, k) => a === j + k) && axes[axes.length - 1] === x.shape.length - 1 ? j : undefined;
}

function rowStart(g: Graph, n: Node): number {
  const rank = typeOf(g, n.inputs[0]!).shape.length;
  const a = new AttrReader(n.attrs);
  if (n.op === 'Softmax' || n.op === 'LogSoftmax') {
    return softmaxRowStart(rank, a.has('axis') ? a.int('axis') : undefined, g.opset);
  }
  const axis = a.int('axis', -1);
  return axis < 0 ? axis + rank : axis;
}

/**
 * `claimed`: node id → the first node id of its registered-kernel match; a match becomes one unit at its first
 * node.
 */
export function fuse(g: Graph, claimed: ReadonlyMap<number, number> = new Map()): Unit[] {
  const prod = producers(g);
  const index = new Map(g.nodes.map((n, k) => [n.id, k]));
  const groupOfValue = new Map<number, Draft>();
  const units: (Draft | SingleUnit)[] = [];
  let nextId = 0;

  /** Index of the node producing a value (-1 for graph inputs and constants). */
  const producedAt = (v: number) => {
    const p = prod.get(v);
    return p ? index.get(p.id)! : -1;
  };

  function canJoin(G: Draft, n: Node): boolean {
    const def = graphOp(n.op);
    const S = G.space;
    const inLevel = (v: number): Level | 'ext' | undefined => {
      if (G.levels.has(v)) return G.levels.get(v)!;
      if (g.values[v].data === undefined && producedAt(v) >= G.first) return undefined; // not ready in time
      return patternOf(typeOf(g, v).shape, S) ? 'ext' : undefined;
    };
    const ins = n.inputs.filter((v): v is number => v !== null);
    const levels = ins.map(inLevel);
    if (levels.some((l) => l === undefined)) return false;
    const out = typeOf(g, n.outputs[0]).shape;
    const { F } = sizes(S);
    let level: Level;
    let needsWhole = false;
    if (def.fusion === 'elementwise') {
      if (isTileShape(out, S)) level = 'tile';
      else if (isColShape(out, S)) level = 'col';
      else return false;
      if (
        level === 'col' &&
        ins.some(
          (v, i) => levels[i] === 'tile' || (levels[i] === 'ext' && patternOf(typeOf(g, v).shape, S)!.f),
        )
      )
        return false;
      needsWhole = level === 'tile' && levels.includes('col');
    } else if (def.fusion === 'reduce') {
      if (levels[0] !== 'tile' || trailingReduceStart(g, n) !== S.j) return false;
      if (levels.slice(1).some((l) => l !== 'ext')) return false;
      level = 'col';
    } else if (def.fusion === 'row') {
      if (levels[0] !== 'tile' || rowStart(g, n) !== S.j) return false;
      // A row op with a library kernel runs as that kernel unless it saves a round trip after a matmul or conv.
      if (!G.anchor && hasLibraryKernel(n.op)) return false;
      // Scale and bias must be rows of F (the same for every partition) or scalars.
      for (let p = 1; p < ins.length; p++) {
        const pat = patternOf(typeOf(g, ins[p]).shape, S);
        if (levels[p] !== 'ext' || !pat || pat.o || pat.c) return false;
      }
      level = 'tile';
      needsWhole = true;
    } else return false;
    if ((needsWhole || G.wholeRows) && F > ROW_LIMIT) return false;
    G.nodes.push(n);
    for (const o of n.outputs) {
      G.levels.set(o, level);
      groupOfValue.set(o, G);
    }
    if (needsWhole) G.wholeRows = true;
    return true;
  }

  function start(n: Node, k: number, space: Space, anchor: boolean, whole = false): void {
    const G: Draft = {
      id: nextId++,
      first: k,
      nodes: [n],
      ...(anchor ? { anchor: n } : {}),
      space,
      levels: new Map(),
      wholeRows: whole,
    };
    const level: Level = graphOp(n.op).fusion === 'reduce' ? 'col' : 'tile';
    for (const o of n.outputs) {
      G.levels.set(o, level);
      groupOfValue.set(o, G);
    }
    units.push(G);
  }

  g.nodes.forEach((n, k) => {
    if (claimed.has(n.id)) {
      if (claimed.get(n.id) === n.id) units.push({ kind: 'single', id: nextId++, node: n, claimed: true });
      return;
    }
    if (!isGraphOp(n.op)) throw nodeError('TK0802', n, `op '${n.op}' is not supported`);
    const kind = graphOp(n.op).fusion;
    if (kind === 'host') {
      throw nodeError(
        'TK0802',
        n,
        `${n.op} is computed at compile time only, but its inputs are not all known then`,
      );
    }
    if (kind === 'anchor') {
      start(n, k, anchorSpace(g, n), true);
      return;
    }
    if (kind === 'elementwise' || kind === 'reduce' || kind === 'row') {
      const candidates: Draft[] = [];
      for (const v of n.inputs) {
        const G = v === null ? undefined : groupOfValue.get(v);
        if (G && !candidates.includes(G)) candidates.push(G);
      }
      for (const G of candidates) if (canJoin(G, n)) return;
      const operands = n.inputs.filter((v): v is number => v !== null).map((v) => typeOf(g, v).shape);
      let space: Space | undefined;
      let whole = false;
      if (kind === 'elementwise') space = chooseSpace(typeOf(g, n.outputs[0]).shape, operands);
      else if (kind === 'reduce') {
        const j = trailingReduceStart(g, n);
        if (j === undefined) {
          throw nodeError(
            'TK0806',
            n,
            `reduces axes that are not the trailing axes of [${operands[0]}]; only trailing-axes reductions run on the device`,
          );
        }
        space = chooseSpace(operands[0], [operands[0]], j);
      } else {
        const j = rowStart(g, n);
        space = chooseSpace(operands[0], [operands[0]], j);
        whole = true;
        if (space && sizes(space).F > ROW_LIMIT) {
          throw nodeError(
            'TK0806',
            n,
            `rows of ${sizes(space).F} elements exceed the ${ROW_LIMIT} a fused row kernel holds per partition`,
          );
        }
      }
      if (!space) {
        throw nodeError(
          'TK0805',
          n,
          `operand shapes ${operands.map((s) => `[${s}]`).join(', ')} broadcast in a way no generated kernel lays out`,
        );
      }
      start(n, k, space, false, whole);
      return;
    }
    units.push({ kind: 'single', id: nextId++, node: n, claimed: false });
  });

  const readers = consumers(g);
  const outputsSet = new Set(g.outputs);
  return units.map((u): Unit => {
    if ('kind' in u) return u;
    const inGroup = new Set(u.nodes.map((n) => n.id));
    const computed = new Set(u.nodes.flatMap((n) => n.outputs));
    const inputs: number[] = [];
    for (const n of u.nodes)
      for (const v of n.inputs) if (v !== null && !computed.has(v) && !inputs.includes(v)) inputs.push(v);
    const outputs = [...computed].filter(
      (v) => outputsSet.has(v) || (readers.get(v) ?? []).some((r) => !inGroup.has(r.id)),
    );
    return {
      kind: 'group',
      id: u.id,
      nodes: u.nodes,
      ...(u.anchor ? { anchor: u.anchor } : {}),
      space: u.space,
      levels: u.levels,
      inputs,
      outputs,
      wholeRows: u.wholeRows,
    };
  });
}

/** The pattern of an external operand in a group's space (it fits: fusion checked). */
export function operandPattern(g: Graph, group: FusedGroup, v: number): Pattern {
  return patternOf(typeOf(g, v).shape, group.space)!;
}
