import pc from 'picocolors';
import { fmt, renderTable } from '../bench/table.js';
import { tolerance, type Figure } from './figures.js';
import type { SimulationResult } from './run.js';

/** How many standard errors a figure may stray from its parameter before the table flags it. */
export const REPORT_K = 3;

const value = (f: Figure, v: number | null): string =>
  v === null ? '–' : f.kind === 'share' ? fmt.pct(v) : f.kind === 'ratio' ? fmt.ratio(v) : fmt.int(v);

/** The closing table: parameter, what was put in, what the server reports — and the elapsed time. */
export function renderSimulation(r: SimulationResult): string {
  const rows = r.figures.map((f) => {
    const tol = tolerance(f, REPORT_K);
    const within =
      tol === null || f.server === null || f.param === null
        ? ''
        : Math.abs(f.server - f.param) <= tol
          ? 'yes'
          : 'no';
    return [
      f.label,
      value(f, f.param),
      value(f, f.putIn),
      value(f, f.server),
      tol === null ? '' : `±${f.kind === 'share' ? fmt.pct(tol) : tol.toFixed(2)}`,
      within,
    ];
  });
  const lines = [
    pc.bold(
      `Simulated ${r.date}, ${r.params.hours[0]}:00–${r.params.hours[1]}:00 ${r.timeZone}, on ${r.mode === 'embedded' ? 'an embedded server' : r.url} at ${Math.round(r.speed)}× real time`,
    ),
    `  ${r.population.users} users: ${r.population.directChats} direct chats, ${r.population.groups} groups; ` +
      `sender window ${r.windowSeconds.direct} s (direct), ${r.windowSeconds.group} s (groups)`,
    `  put in: ${fmt.int(r.put.messages)} messages, ${fmt.int(r.put.attempts)} recall attempts` +
      (r.plan.attemptsDropped ? ` (${r.plan.attemptsDropped} planned attempts found no free slot)` : '') +
      (r.mode === 'embedded'
        ? '; one action at a time, each at its exact simulated instant (the clock stands while it runs)'
        : `; actions started late by ≤ ${r.put.latenessSeconds.max.toFixed(1)} s simulated (p99 ${r.put.latenessSeconds.p99.toFixed(1)} s)`),
    '',
    ...renderTable(
      [
        { header: 'figure' },
        { header: 'parameter', align: 'right' },
        { header: 'put in', align: 'right' },
        { header: 'server reports', align: 'right' },
        { header: `${REPORT_K}σ`, align: 'right' },
        { header: 'within' },
      ],
      rows,
      (text, _row, column) => (column === 5 && text.trim() === 'no' ? pc.yellow(text) : text),
    ),
    '',
    pc.dim(
      '  parameter: what the population was told (defaults: the article’s claims, not measured data); put in: what the\n' +
        '  simulator did and the server decided, counted client-side; 3σ: 3·sqrt(p(1−p)/n) + 1/n for n samples.',
    ),
  ];
  if (r.put.errorCount > 0) {
    lines.push('', pc.yellow(`  ${r.put.errorCount} request(s) failed; first: ${r.put.errors[0]}`));
  }
  lines.push('', pc.bold(`elapsed ${r.elapsedSeconds.toFixed(1)} s`));
  return `${lines.join('\n')}\n`;
}
