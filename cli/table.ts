/** Text tables built from a column list, so reports can grow columns without touching the renderer. */

export interface Column<Row> {
  readonly header: string;
  readonly align?: 'left' | 'right';
  readonly cell: (row: Row) => string;
}

/** Header, rule, one line per row; columns padded to their widest cell and separated by two spaces. */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((r) => columns.map((c) => c.cell(r)));
  const widths = columns.map((c, j) => Math.max(c.header.length, ...cells.map((r) => r[j].length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, j) => (columns[j].align === 'right' ? v.padStart(widths[j]) : v.padEnd(widths[j])))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return `${[line(columns.map((c) => c.header)), rule, ...cells.map(line)].join('\n')}\n`;
}
