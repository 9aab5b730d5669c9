import type { ChipConfig } from '../simulator/chips/types.ts';
import { type Column, renderTable } from './table.ts';

export interface ChipRow {
  readonly key: string;
  readonly value: number | string | boolean;
  readonly source: string;
}

/** Every leaf of a chip config as `key = value  (source)`, derived peaks included. */
export function chipRows(chip: ChipConfig): ChipRow[] {
  const rows: ChipRow[] = [];
  const walk = (obj: object, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'sources') continue;
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object') walk(v, key);
      else
        rows.push({
          key,
          value: v as number | string | boolean,
          source: chip.sources[key] ?? (key.startsWith('peaks.') ? 'derived' : ''),
        });
    }
  };
  walk(chip, '');
  return rows;
}

export function formatChip(chip: ChipConfig): string {
  const cols: Column<ChipRow>[] = [
    { header: 'key', cell: (r) => r.key },
    {
      header: 'value',
      align: 'right',
      cell: (r) => (typeof r.value === 'number' ? String(+r.value.toPrecision(6)) : String(r.value)),
    },
    { header: 'source', cell: (r) => r.source },
  ];
  return `${chip.name} (${chip.core})\n${renderTable(cols, chipRows(chip))}\n`;
}
