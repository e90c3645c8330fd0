import * as asciichart from 'asciichart';
import pc from 'picocolors';

/**
 * Small terminal charts: horizontal bars drawn with block characters (eighths, so short bars still
 * differ), and line charts through asciichart.
 */
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar `value / max` of `width` cells. */
export function bar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return '';
  const cells = (value / max) * width;
  const whole = Math.floor(cells);
  return '█'.repeat(whole) + EIGHTHS[Math.round((cells - whole) * 8) % 8];
}

export interface BarRow {
  readonly label: string;
  readonly value: number;
  /** Shown after the bar instead of the value. */
  readonly note?: string;
}

/** Labelled bars, labels padded to the widest, one per line. */
export function barChart(rows: readonly BarRow[], width = 30, indent = '  '): string[] {
  const max = Math.max(0, ...rows.map((r) => r.value));
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  return rows.map(
    (r) =>
      `${indent}${r.label.padEnd(labelWidth)}  ${bar(r.value, max, width).padEnd(width + 1)} ${r.note ?? String(r.value)}`,
  );
}

/** A line chart of one or more series with a y axis; `format` labels the axis. */
export function lineChart(
  series: readonly number[][],
  height = 8,
  format = (v: number) => v.toFixed(0),
): string[] {
  const width = Math.max(...series.map((s) => String(format(Math.max(...s))).length), 4);
  return asciichart
    .plot(series as number[][], {
      height,
      min: 0,
      format: (x) => format(x).padStart(width),
      ...(pc.isColorSupported ? { colors: [asciichart.default, asciichart.darkgray] } : {}),
    })
    .split('\n')
    .map((line) => `  ${line}`);
}
