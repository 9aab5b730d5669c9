import { type Calibration, calibrate } from '../benchmarks/calibration.ts';
import type { ChipConfig } from '../simulator/chips/types.ts';
import { type Column, renderTable } from './table.ts';

export { calibrate };

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(2)} %`);
const ms = (ns: number) => `${(ns / 1e6).toFixed(2)} ms`;

/** `tilekit calibrate`: the trn1 latency table and the trn2 engine-activity table. */
export function runCalibration(
  trn1?: ChipConfig,
  trn2?: ChipConfig,
  progress?: (s: string) => void,
): Calibration {
  return calibrate({ trn1, trn2, onProgress: progress });
}

export function formatCalibration(c: Calibration): string {
  type L = Calibration['rows'][number];
  type A = Calibration['trn2'][number];
  const latency: Column<L>[] = [
    { header: 'stage', cell: (r) => r.name },
    { header: 'chip', cell: (r) => r.chip },
    { header: 'published', align: 'right', cell: (r) => ms(r.publishedNs) },
    { header: 'simulated', align: 'right', cell: (r) => ms(r.simulatedNs) },
    {
      header: 'error',
      align: 'right',
      cell: (r) => `${r.errorPct >= 0 ? '+' : ''}${r.errorPct.toFixed(1)} %`,
    },
    { header: 'HFU published', align: 'right', cell: (r) => pct(r.publishedHfu) },
    { header: 'HFU simulated', align: 'right', cell: (r) => pct(r.hfu) },
    { header: 'instrs', align: 'right', cell: (r) => String(r.instructions) },
  ];
  const active: Column<A>[] = [
    { header: 'stage', cell: (r) => r.name },
    { header: 'chip', cell: (r) => r.chip },
    { header: 'simulated', align: 'right', cell: (r) => ms(r.simulatedNs) },
    { header: 'DMA pub', align: 'right', cell: (r) => pct(r.published.dma) },
    { header: 'DMA sim', align: 'right', cell: (r) => pct(r.simulated.dma) },
    { header: 'PE pub', align: 'right', cell: (r) => pct(r.published.tensor) },
    { header: 'PE sim', align: 'right', cell: (r) => pct(r.simulated.tensor) },
    { header: 'DVE pub', align: 'right', cell: (r) => pct(r.published.vector) },
    { header: 'DVE sim', align: 'right', cell: (r) => pct(r.simulated.vector) },
  ];
  return [
    'Matmul ladder, 4096x8192x8192 bf16, timing only (calibration.md §1)',
    renderTable(latency, c.rows),
    `mean absolute error: ${c.meanAbsErrorPct.toFixed(1)} %`,
    '',
    'Engine activity on trn2 (calibration.md §2)',
    renderTable(active, c.trn2),
    '',
  ].join('\n');
}

/** The JSON the issue specifies, plus the trn2 activity rows. */
export function calibrationJSON(c: Calibration): string {
  return `${JSON.stringify(
    {
      rows: c.rows.map((r) => ({
        name: r.name,
        chip: r.chip,
        publishedNs: r.publishedNs,
        simulatedNs: r.simulatedNs,
        errorPct: r.errorPct,
        hfu: r.hfu,
      })),
      meanAbsErrorPct: c.meanAbsErrorPct,
      trn2: c.trn2,
    },
    null,
    2,
  )}\n`;
}
