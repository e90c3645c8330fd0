/** Plain-text tables: columns padded to their widest cell, numbers right-aligned. */
export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

/**
 * Renders a header and rows. `style` colours a cell after padding, so escape codes never skew the
 * alignment.
 */
export function renderTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  style: (text: string, row: number, column: number) => string = (t) => t,
  indent = '  ',
): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number) =>
    columns[i]?.align === 'right' ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
  const header = columns.map((c, i) => pad(c.header, i)).join('  ');
  const body = rows.map((r, ri) => columns.map((_, ci) => style(pad(r[ci] ?? '', ci), ri, ci)).join('  '));
  return [header, ...body].map((line) => `${indent}${line.trimEnd()}`);
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const fmt = {
  int: (n: number): string => (Number.isFinite(n) ? grouped.format(n) : '–'),
  ms: (n: number): string => (Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : '–'),
  ratio: (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '–'),
  pct: (n: number | null): string => (n === null || !Number.isFinite(n) ? '–' : `${Math.round(n * 100)}%`),
  seconds: (ms: number): string => `${(ms / 1000).toFixed(1)} s`,
};
