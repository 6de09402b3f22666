import type { Table } from './benchmark.js';

/** Thousands separators for the table; figures in JSON stay plain numbers. */
export function formatNumber(value: number, fractionDigits = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });
}

/** The first column (labels) aligns left, the others (figures) right so their digits line up. */
export function formatTable(table: Table): string {
  const cells = [table.columns, ...table.rows].map((row) => row.map(String));
  const widths = table.columns.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  const lines = cells.map((row) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  );
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const notes = (table.notes ?? []).map((note) => `  ${note}`);
  return [
    table.title,
    '',
    lines[0] ?? '',
    rule,
    ...lines.slice(1),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
