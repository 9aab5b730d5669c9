/**
 * The roofline chart: a vega-lite spec (log-log: arithmetic intensity in FLOP/B against TFLOP/s) with the chip's
 * TensorE roofs (bf16, fp8, fp32) over the HBM slope and the kernel's point, rendered to SVG in Node by vega (no
 * browser, no network: the data is inline).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChipConfig } from '../../simulator/chips/types.ts';
import type { Roofline } from '../roofline.ts';
import { num } from './html.ts';

export interface RooflinePoint {
  readonly label: string;
  readonly roofline: Roofline;
}

/** The vega-lite spec of the chart (exported for tests and for anyone who wants to restyle it). */
export function rooflineSpec(chip: ChipConfig, points: readonly RooflinePoint[]): TopLevelSpec {
  const bw = chip.peaks.dmaBytesPerNs;
  const peaks = chip.peaks.tensorFlopsPerNs;
  // One line per distinct peak (on NeuronCore-v2 fp8 runs at the bf16 rate).
  const roofs: { name: string; peak: number }[] = [];
  for (const [dt, peak] of [
    ['fp8', peaks.fp8],
    ['bf16', peaks.bf16],
    ['fp32', peaks.fp32],
  ] as const) {
    const same = roofs.find((r) => r.peak === peak);
    if (same) same.name = same.name.replace(' (', `/${dt} (`);
    else roofs.push({ name: `TensorE ${dt} (${num(peak / 1000)} TFLOP/s)`, peak });
  }
  const plotted = points.filter((p) => p.roofline.arithmeticIntensity > 0 && p.roofline.latencyNs > 0);
  const ais = plotted.map((p) => p.roofline.arithmeticIntensity);
  const ridgeMax = Math.max(...roofs.map((r) => r.peak / bw));
  const lo = 10 ** Math.floor(Math.log10(Math.min(0.1, ...ais.map((a) => a / 4))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(ridgeMax * 8, ...ais.map((a) => a * 4))));
  const lines: { x: number; y: number; roof: string }[] = [];
  for (const r of roofs) {
    const ridge = r.peak / bw;
    for (const xv of [lo, ridge, hi])
      lines.push({ x: xv, y: Math.min(r.peak, xv * bw) / 1000, roof: r.name });
  }
  const kernelPoints = plotted.map((p) => ({
    x: p.roofline.arithmeticIntensity,
    y: p.roofline.flops / p.roofline.latencyNs / 1000,
    label: `${p.label}: ${num(100 * p.roofline.efficiency, 3)}% of bound`,
  }));
  const xAxis = {
    field: 'x',
    type: 'quantitative' as const,
    scale: { type: 'log' as const, domain: [lo, hi] },
    axis: { title: 'arithmetic intensity (FLOP per HBM byte)', grid: true },
  };
  const yAxis = {
    field: 'y',
    type: 'quantitative' as const,
    scale: { type: 'log' as const },
    axis: { title: 'TFLOP/s', grid: true },
  };
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 560,
    height: 320,
    background: 'white',
    title: `Roofline on ${chip.name} (${chip.core}): HBM ${num(bw)} GB/s`,
    layer: [
      {
        data: { values: lines },
        mark: { type: 'line' as const, strokeWidth: 2 },
        encoding: {
          x: xAxis,
          y: yAxis,
          color: {
            field: 'roof',
            type: 'nominal',
            legend: { title: 'roof', orient: 'bottom-right', labelLimit: 400 },
          },
        },
      },
      {
        data: { values: kernelPoints },
        mark: { type: 'point', filled: true, size: 90, color: '#d62728' },
        encoding: { x: xAxis, y: yAxis },
      },
      {
        data: { values: kernelPoints },
        mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 12, color: '#d62728' },
        encoding: { x: xAxis, y: yAxis, text: { field: 'label' } },
      },
    ],
  };
  return spec;
}

/** The chart as an SVG string (`<svg id="roofline-svg" ...>`). */
export async function rooflineSvg(chip: ChipConfig, points: readonly RooflinePoint[]): Promise<string> {
  const { spec } = compile(rooflineSpec(chip, points));
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.replace(/^<svg /, '<svg id="roofline-svg" ');
  } finally {
    view.finalize();
  }
}
