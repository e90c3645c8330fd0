import type { JSX } from 'preact';
import { niceMax } from './charts.js';

export interface BarSegment {
  readonly value: number;
  /** `admin-bar--recalled`, `admin-bar--denied`, …: the colour, from admin.css. */
  readonly className: string;
}

export interface Bar {
  readonly key: string;
  /** The short label under the bar (may be empty to thin out a crowded axis). */
  readonly axisLabel: string;
  /** Stacked bottom to top. */
  readonly segments: readonly BarSegment[];
}

export interface BarChartProps {
  readonly testId: string;
  readonly title: string;
  /** The figures in words: the chart's accessible name. */
  readonly summary: string;
  readonly bars: readonly Bar[];
  readonly formatValue: (value: number) => string;
  /** Fix the scale (shares: 1); otherwise a round number above the tallest bar. */
  readonly max?: number;
  /** A horizontal line across the chart (the hourly average). */
  readonly average?: { readonly value: number; readonly label: string };
  /** A vertical line at a position in bar widths from the left (the policy window). */
  readonly marker?: { readonly position: number; readonly label: string } | null;
  readonly legend?: readonly { readonly className: string; readonly label: string }[];
  /** The text alternative, shown on demand: the same numbers as a table. */
  readonly table: {
    readonly caption: string;
    readonly headers: readonly string[];
    readonly rows: readonly (readonly string[])[];
  };
  readonly showTableLabel: string;
}

const width = 640;
const height = 240;
const pad = { top: 16, right: 12, bottom: 44, left: 48 };

/** Accessible SVG bars: the SVG is `role="img"` named by the summary, and a table holds the numbers. */
export function BarChart(props: BarChartProps): JSX.Element {
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const tallest = Math.max(0, ...props.bars.map((b) => b.segments.reduce((n, s) => n + s.value, 0)));
  const max = props.max ?? niceMax(Math.max(tallest, props.average?.value ?? 0));
  const slot = props.bars.length > 0 ? plotW / props.bars.length : plotW;
  const barW = Math.max(2, slot * 0.7);
  const y = (value: number) => pad.top + plotH - (Math.min(value, max) / max) * plotH;
  // A middle tick only where it is a whole count (or the scale was given, as for shares).
  const ticks = props.max !== undefined || Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];
  return (
    <figure class="admin-chart" data-testid={props.testId}>
      <figcaption class="admin-chart__title">{props.title}</figcaption>
      <svg class="admin-chart__svg" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.summary}>
        {ticks.map((tick) => (
          <g key={tick}>
            <line class="admin-chart__grid" x1={pad.left} x2={width - pad.right} y1={y(tick)} y2={y(tick)} />
            <text class="admin-chart__tick" x={pad.left - 6} y={y(tick) + 4} text-anchor="end">
              {props.formatValue(tick)}
            </text>
          </g>
        ))}
        {props.bars.map((bar, i) => {
          let base = 0;
          const x = pad.left + i * slot + (slot - barW) / 2;
          return (
            <g key={bar.key}>
              {bar.segments.map((segment, j) => {
                // A zero segment draws nothing (and is no mark for the eye or a test to find).
                if (segment.value <= 0) return null;
                const top = y(base + segment.value);
                const bottom = y(base);
                base += segment.value;
                return (
                  <rect
                    key={j}
                    class={segment.className}
                    x={x}
                    y={top}
                    width={barW}
                    height={Math.max(0, bottom - top)}
                  />
                );
              })}
              {bar.axisLabel === '' ? null : (
                <text
                  class="admin-chart__label"
                  x={x + barW / 2}
                  y={height - pad.bottom + 14}
                  text-anchor="middle"
                >
                  {bar.axisLabel}
                </text>
              )}
            </g>
          );
        })}
        {props.average === undefined ? null : (
          <g>
            <line
              class="admin-chart__average"
              x1={pad.left}
              x2={width - pad.right}
              y1={y(props.average.value)}
              y2={y(props.average.value)}
            />
            <text
              class="admin-chart__note"
              x={width - pad.right}
              y={y(props.average.value) - 4}
              text-anchor="end"
            >
              {props.average.label}
            </text>
          </g>
        )}
        {props.marker === undefined || props.marker === null ? null : (
          <g>
            <line
              class="admin-chart__marker"
              x1={pad.left + props.marker.position * slot}
              x2={pad.left + props.marker.position * slot}
              y1={pad.top}
              y2={pad.top + plotH}
            />
            <text
              class="admin-chart__note"
              x={pad.left + props.marker.position * slot + 4}
              y={pad.top + 10}
              text-anchor="start"
            >
              {props.marker.label}
            </text>
          </g>
        )}
      </svg>
      {props.legend === undefined ? null : (
        <ul class="admin-chart__legend">
          {props.legend.map((item) => (
            <li key={item.className}>
              <span class={`admin-chart__swatch ${item.className}`} aria-hidden="true" />
              {item.label}
            </li>
          ))}
        </ul>
      )}
      <details class="admin-chart__details">
        <summary>{props.showTableLabel}</summary>
        <DataTable {...props.table} />
      </details>
    </figure>
  );
}

export function DataTable(props: BarChartProps['table']): JSX.Element {
  // The wrapper scrolls a wide table on its own, so a narrow page never scrolls sideways.
  return (
    <div class="admin-table-wrap">
      <table class="admin-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.headers.map((h, i) => (
              <th key={i} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => (
            <tr key={i}>
              {row.map((cell, j) =>
                j === 0 ? (
                  <th key={j} scope="row">
                    {cell}
                  </th>
                ) : (
                  <td key={j}>{cell}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
