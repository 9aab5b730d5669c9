/**
 * The engine timeline as an SVG: one row per compute engine queue, per DMA queue and per DMA engine; each
 * instruction a rect whose <title> (the hover text) names its op, source line, start and end. Instructions
 * narrower than a pixel that touch each other are drawn as one rect whose title counts them, so that a kernel
 * of 100k instructions still makes a file a browser opens quickly.
 */
import { formatLoc } from '../../ir/loc.ts';
import type { Timeline } from '../../simulator/timing/timeline.ts';
import { fmtNs } from '../bench.ts';
import { esc, px } from './html.ts';

interface Item {
  readonly start: number;
  readonly end: number;
  readonly op: string;
  /** Hover text lines. */
  readonly title: () => string;
}

interface Row {
  readonly label: string;
  readonly kind: 'engine' | 'dma-queue' | 'dma-engine';
  readonly items: Item[];
}

const COMPUTE_ORDER = ['tensor', 'vector', 'scalar', 'gpsimd', 'sync'];
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export interface TimelineSvgOptions {
  /** Width of the time axis in pixels (default 1000). */
  readonly width?: number;
  /** Items narrower than this many pixels that touch are merged into one rect (default 1.5). */
  readonly mergePx?: number;
}

function rowsOf(tl: Timeline): Row[] {
  const { program } = tl;
  const rows = new Map<string, Row>();
  const row = (key: string, label: string, kind: Row['kind']): Row => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { label, kind, items: [] }));
    return r;
  };
  for (const e of tl.entries) {
    const ins = program.instrs[e.id];
    const waited =
      e.cause.kind === 'dependency'
        ? `waited for #${e.cause.instr} ${program.instrs[e.cause.instr].op} (${e.cause.dep})`
        : e.cause.kind === 'port'
          ? `waited for memory port ${e.cause.port}`
          : e.cause.kind === 'start'
            ? 'kernel start'
            : 'its queue';
    const r =
      ins.engine === 'dma'
        ? row(`q:${e.queue}`, `DMA queue ${e.queue.slice(3)}`, 'dma-queue')
        : row(`e:${e.queue}`, e.queue, 'engine');
    r.items.push({
      start: e.start,
      end: e.end,
      op: ins.op,
      title: () =>
        `#${e.id} ${ins.op} on ${ins.engine}\n${formatLoc(e.loc)}\n` +
        `start ${fmtNs(e.start)}, end ${fmtNs(e.end)} (${fmtNs(e.end - e.start)})\n${waited}`,
    });
  }
  for (const s of tl.dma) {
    const ins = program.instrs[s.id];
    row(`d:${String(s.engine).padStart(4, '0')}`, `DMA engine ${s.engine}`, 'dma-engine').items.push({
      start: s.start,
      end: s.end,
      op: ins.op,
      title: () =>
        `#${s.id} ${ins.op} on DMA engine ${s.engine}\n${formatLoc(ins.loc)}\n` +
        `start ${fmtNs(s.start)}, end ${fmtNs(s.end)} (${fmtNs(s.end - s.start)})`,
    });
  }
  const rank = (key: string) => {
    const [kind, name] = [key.slice(0, 1), key.slice(2)];
    if (kind === 'e') return `0${String(COMPUTE_ORDER.indexOf(name) + 1 || 9)}${name}`;
    if (kind === 'q') return `1${name.slice(3).padStart(4, '0')}`;
    return `2${name}`;
  };
  return [...rows.entries()].sort((a, b) => (rank(a[0]) < rank(b[0]) ? -1 : 1)).map(([, r]) => r);
}

/** Tick positions: about `n` round numbers of ns in [0, latency]. */
function ticks(latency: number, n = 8): number[] {
  if (latency <= 0) return [0];
  const raw = latency / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = 0; t <= latency + 1e-9; t += step) out.push(t);
  return out;
}

/** A round tick value: 0, 500 ns, 2.5 µs, 10 ms. */
function fmtTick(ns: number): string {
  if (ns === 0) return '0';
  const [div, unit] = ns >= 1e6 ? [1e6, 'ms'] : ns >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  return `${Number((ns / div).toPrecision(6))} ${unit}`;
}

/** The timeline SVG (`<svg id="timeline-svg">`), with a legend of the ops' colours. */
export function timelineSvg(tl: Timeline, opts: TimelineSvgOptions = {}): string {
  const width = opts.width ?? 1000;
  const mergePx = opts.mergePx ?? 1.5;
  const labelW = 130;
  const rowH = 14;
  const gap = 3;
  const top = 22;
  const rows = rowsOf(tl);
  const latency = Math.max(tl.latencyNs, 1e-9);
  const x = (t: number) => labelW + (t / latency) * width;
  const colors = new Map<string, string>();
  const color = (op: string) => {
    let c = colors.get(op);
    if (!c) colors.set(op, (c = PALETTE[colors.size % PALETTE.length]));
    return c;
  };
  for (const r of rows) for (const it of r.items) color(it.op);
  const legendH = 24;
  const height = top + rows.length * (rowH + gap) + legendH;
  const out: string[] = [];
  out.push(
    `<svg id="timeline-svg" xmlns="http://www.w3.org/2000/svg" width="${labelW + width + 10}" height="${height}" ` +
      `viewBox="0 0 ${labelW + width + 10} ${height}" font-family="sans-serif" font-size="11">`,
  );
  for (const t of ticks(tl.latencyNs)) {
    out.push(
      `<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top - 4}" y2="${height - legendH}" stroke="#e3e3e3"/>` +
        `<text x="${px(x(t))}" y="${top - 8}" text-anchor="middle" fill="#555">${esc(fmtTick(t))}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * (rowH + gap);
    const fill = r.kind === 'engine' ? '#f4f4f4' : r.kind === 'dma-queue' ? '#f1f5f9' : '#f7f4fa';
    out.push(
      `<g class="timeline-row" data-kind="${r.kind}"><rect x="${labelW}" y="${y}" width="${width}" height="${rowH}" fill="${fill}"/>` +
        `<text x="${labelW - 6}" y="${y + rowH - 3}" text-anchor="end">${esc(r.label)}</text>`,
    );
    const items = [...r.items].sort((a, b) => a.start - b.start);
    let k = 0;
    while (k < items.length) {
      const first = items[k];
      let end = first.end;
      let j = k + 1;
      if (x(first.end) - x(first.start) < mergePx) {
        while (
          j < items.length &&
          x(items[j].end) - x(items[j].start) < mergePx &&
          x(items[j].start) <= x(end) + 0.5
        ) {
          end = Math.max(end, items[j].end);
          j++;
        }
      }
      const w = Math.max(0.5, x(end) - x(first.start));
      let title: string;
      let op = first.op;
      if (j - k === 1) title = first.title();
      else {
        const counts = new Map<string, number>();
        for (let m = k; m < j; m++) counts.set(items[m].op, (counts.get(items[m].op) ?? 0) + 1);
        op = [...counts].sort((a, b) => b[1] - a[1])[0][0];
        title =
          `${j - k} instructions: ${[...counts].map(([o, n]) => `${n} ${o}`).join(', ')}\n` +
          `start ${fmtNs(first.start)}, end ${fmtNs(end)}`;
      }
      out.push(
        `<rect class="instr" x="${px(x(first.start))}" y="${y + 1}" width="${px(w)}" height="${rowH - 2}" ` +
          `fill="${color(op)}"><title>${esc(title)}</title></rect>`,
      );
      k = j;
    }
    out.push('</g>');
  });
  let lx = labelW;
  const ly = height - legendH + 8;
  for (const [op, c] of colors) {
    out.push(
      `<rect x="${lx}" y="${ly}" width="10" height="10" fill="${c}"/><text x="${lx + 14}" y="${ly + 9}">${esc(op)}</text>`,
    );
    lx += 24 + op.length * 6.5;
  }
  out.push('</svg>');
  return out.join('\n');
}
