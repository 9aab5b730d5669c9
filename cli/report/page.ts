/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, and a Content-Security-Policy that
 * forbids loading anything) with the run's summary, the engine timeline, the roofline chart, the idle-gap causes
 * and the kernel source annotated per line. Everything that comes from user code (names, source text, causes) is
 * escaped with `esc`.
 */
import { REPORTED_ENGINES, type ReportedEngine } from '../../simulator/timing/metrics.ts';
import { type BenchRun, fmtNs, fmtSi, pct } from '../bench.ts';
import { fmtBenchShape } from '../bench-target.ts';
import { esc, num } from './html.ts';
import { rooflineSvg } from './roofline-chart.ts';
import { type EngineNs, type SourceView, sourceView } from './source-view.ts';
import { timelineSvg } from './timeline-svg.ts';

const ENGINE_LABEL: Record<ReportedEngine, string> = {
  tensor: 'TensorE',
  vector: 'VectorE',
  scalar: 'ScalarE',
  gpsimd: 'GpSimdE',
  dma: 'DMA',
};
const ENGINE_RGB: Record<ReportedEngine, string> = {
  tensor: '78,121,167',
  vector: '89,161,79',
  scalar: '242,142,43',
  gpsimd: '176,122,161',
  dma: '225,87,89',
};

const CSS = `
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 12px; } h2 { font-size: 16px; margin: 28px 0 8px; }
h3 { font-size: 14px; margin: 14px 0 4px; }
table { border-collapse: collapse; } td, th { padding: 2px 8px; text-align: left; vertical-align: top; }
table.summary td:first-child { color: #666; }
table.grid th { border-bottom: 1px solid #ccc; } table.grid td.n, table.grid th.n { text-align: right; }
.scroll { overflow-x: auto; border: 1px solid #eee; padding: 4px; }
table.source { font-size: 12px; } table.source td { padding: 0 6px; white-space: nowrap; }
table.source td.code { font-family: ui-monospace, monospace; white-space: pre; }
table.source td.ln { color: #999; text-align: right; } table.source td.share { text-align: right; min-width: 44px; }
.note { color: #a15c00; } .muted { color: #777; }
`;

function summaryTable(run: BenchRun): string {
  const { result: r, roofline: f } = run;
  const rows: [string, string][] = [
    ['kernel', r.kernel],
    ['shape', fmtBenchShape(r.shape)],
    ['dtype', r.dtype],
    ['chip', `${r.chip} (${run.chip.core})`],
    ['latency', `${fmtNs(r.latencyNs)} simulated (timing only), ${run.instructions} instructions`],
    ['active', REPORTED_ENGINES.map((e) => `${ENGINE_LABEL[e]} ${pct(r.active[e])}`).join(', ')],
    ['FLOPs', `${fmtSi(r.flops)}FLOP`],
    ['HBM bytes', `${fmtSi(r.hbmBytes)}B`],
    [
      'arithmetic intensity',
      `${num(f.arithmeticIntensity)} FLOP/B (ridge point ${num(f.ridgeIntensity)} FLOP/B)`,
    ],
    ['roofline bound', `${fmtNs(f.boundNs)} = max(TensorE ${fmtNs(f.computeNs)}, HBM ${fmtNs(f.memoryNs)})`],
    [
      'efficiency',
      `${pct(f.efficiency)} of the bound, limited by ${f.limitedBy === 'tensor' ? 'TensorE' : 'HBM'}`,
    ],
  ];
  return `<table class="summary">${rows.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

function idleSection(run: BenchRun, top = 6): string {
  const s = run.summary;
  const parts: string[] = [];
  for (const idle of s.idle) {
    const share = s.latencyNs > 0 ? idle.idleNs / s.latencyNs : 0;
    const head = `<h3>${esc(ENGINE_LABEL[idle.engine])}: idle ${esc(fmtNs(idle.idleNs))} (${esc(pct(share))})</h3>`;
    if (s.busyNs[idle.engine] <= 0) {
      parts.push(`<div class="engine-idle">${head}<p class="muted">no work on this engine</p></div>`);
      continue;
    }
    const rows = idle.causes
      .slice(0, top)
      .map(
        (c) =>
          `<tr><td class="n">${esc(fmtNs(c.ns))}</td><td class="n">${c.gaps}</td><td>${esc(c.cause)}</td></tr>`,
      )
      .join('');
    const more =
      idle.causes.length > top ? `<p class="muted">${idle.causes.length - top} more causes</p>` : '';
    parts.push(
      `<div class="engine-idle">${head}<table class="grid"><tr><th class="n">idle</th><th class="n">gaps</th>` +
        `<th>waiting for</th></tr>${rows}</table>${more}</div>`,
    );
  }
  return parts.join('\n');
}

function shareCells(ns: EngineNs, view: SourceView, engines: readonly ReportedEngine[]): string {
  return engines
    .map((e) => {
      const share = view.totals[e] > 0 ? ns[e] / view.totals[e] : 0;
      if (share <= 0) return '<td class="share"></td>';
      const alpha = Math.min(1, 0.12 + share * 1.5).toFixed(2);
      return `<td class="share" style="background: rgba(${ENGINE_RGB[e]},${alpha})" title="${esc(fmtNs(ns[e]))}">${esc(pct(share))}</td>`;
    })
    .join('');
}

function sourceSection(view: SourceView): string {
  const engines = REPORTED_ENGINES.filter((e) => view.totals[e] > 0);
  const head = `<tr><th class="n">line</th>${engines.map((e) => `<th class="n">${esc(ENGINE_LABEL[e])}</th>`).join('')}<th>${esc(view.file)}</th></tr>`;
  const body = view.lines
    .map(
      (l) =>
        `<tr><td class="ln">${l.line}</td>${shareCells(l.ns, view, engines)}<td class="code">${esc(l.text)}</td></tr>`,
    )
    .join('\n');
  const note = view.note ? `<p class="note">${esc(view.note)}</p>` : '';
  const other = view.elsewhere.length
    ? `<h3>Other lines with engine time</h3><table class="source grid" id="source-elsewhere">` +
      `<tr><th>where</th>${engines.map((e) => `<th class="n">${esc(ENGINE_LABEL[e])}</th>`).join('')}<th>code</th></tr>` +
      view.elsewhere
        .map(
          (o) =>
            `<tr><td>${esc(o.loc)}</td>${shareCells(o.ns, view, engines)}<td class="code">${esc(o.text)}</td></tr>`,
        )
        .join('\n') +
      '</table>'
    : '';
  return (
    `<p class="muted">Each cell: the line's share of that engine's busy time (DMA: time on the DMA engines).</p>${note}` +
    `<div class="scroll"><table class="source grid" id="source-table">${head}\n${body}</table></div>${other}`
  );
}

/** The report for one timed run. */
export async function reportHtml(run: BenchRun): Promise<string> {
  const view = await sourceView(run.timeline, run.kernel.loc);
  const chart = await rooflineSvg(run.chip, [{ label: run.result.kernel, roofline: run.roofline }]);
  const title = `tilekit report: ${run.result.kernel} on ${run.result.chip}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<section id="summary">${summaryTable(run)}</section>
<section id="timeline"><h2>Engine timeline</h2>
<p class="muted">One row per engine queue, DMA queue and DMA engine; hover an instruction for its op, source line, start and end.</p>
<div class="scroll">${timelineSvg(run.timeline)}</div></section>
<section id="roofline"><h2>Roofline</h2>${chart}</section>
<section id="idle"><h2>Idle gaps and their causes</h2>${idleSection(run)}</section>
<section id="source"><h2>Source: each line's share of each engine's time</h2>${sourceSection(view)}</section>
</body>
</html>
`;
}
