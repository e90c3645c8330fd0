import pc from 'picocolors';
import type { stats } from '@retract/protocol';
import { fmt, renderTable } from '../bench/table.js';
import { bar, barChart, lineChart } from './charts.js';
import { delayBins } from './delay.js';
import { formatDuration } from './duration.js';

/** `retract stats` as tables and small charts, one section per figure of docs/analytics.md. */
export function renderStats(s: stats.RecallStats): string {
  const window = s.windowSeconds;
  const sections = [
    [
      pc.bold(`Recall analytics ${s.from} – ${s.to} (${s.timeZone})`),
      `  default sender window: ${window === null ? 'no limit' : formatDuration(window)}; ` +
        `${fmt.int(s.attempts.total)} attempts, ${fmt.int(s.denials.total)} denied`,
    ],
    activeSenders(s),
    outcomes(s),
    delays(s),
    hours(s),
    followUps(s),
    breakdowns(s),
  ];
  return `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
}

const heading = (text: string): string => pc.bold(text);

function activeSenders(s: stats.RecallStats): string[] {
  const days = s.activeSenders.days;
  const lines = [
    heading(`Active senders who attempt a recall: ${fmt.pct(s.activeSenders.share)} over the period`),
    ...renderTable(
      [
        { header: 'day' },
        { header: 'senders', align: 'right' },
        { header: 'attempted', align: 'right' },
        { header: 'share', align: 'right' },
        { header: '' },
      ],
      days.map((d) => [
        d.day,
        fmt.int(d.senders),
        fmt.int(d.attempted),
        fmt.pct(d.share),
        bar(d.share ?? 0, 1, 20),
      ]),
    ),
  ];
  if (days.length > 2)
    lines.push('', ...lineChart([days.map((d) => (d.share ?? 0) * 100)], 6, (v) => `${v.toFixed(0)}%`));
  return lines;
}

function outcomes(s: stats.RecallStats): string[] {
  const total = s.attempts.total;
  const rows = Object.entries(s.attempts.byOutcome)
    .sort((a, b) => b[1] - a[1])
    .map(([label, value]) => ({
      label,
      value,
      note: `${fmt.int(value)} (${fmt.pct(total ? value / total : null)})`,
    }));
  return [
    heading('Attempts by outcome'),
    ...(rows.length ? barChart(rows) : ['  no attempts in this period']),
    '',
    `  denials due to the window (expired, or only by consent): ${fmt.int(s.denials.dueToWindow)} of ` +
      `${fmt.int(s.denials.total)} = ${pc.bold(fmt.pct(s.denials.windowShare))}`,
  ];
}

function delays(s: stats.RecallStats): string[] {
  const bins = delayBins(s.delay.buckets, s.windowSeconds);
  const max = Math.max(0, ...bins.map((b) => b.recalled + b.denied));
  const label = (b: { from: number; to: number | null }) =>
    b.to === null ? `≥ ${formatDuration(b.from)}` : `${formatDuration(b.from)} – ${formatDuration(b.to)}`;
  const width = Math.max(0, ...bins.map((b) => label(b).length));
  const lines = [
    heading('Send-to-attempt time') + pc.dim(`  ${pc.green('█')} recalled  ${pc.red('▒')} denied`),
  ];
  if (max === 0) return [...lines, '  no attempts in this period'];
  for (const b of bins) {
    if (s.windowSeconds !== null && b.from === s.windowSeconds) {
      lines.push(`  ${'─'.repeat(width)}  ${pc.yellow(`◀ window ${formatDuration(s.windowSeconds)}`)}`);
    }
    // Whole cells, at least one for any non-zero count, so a rare outcome stays visible.
    const cells = (n: number) => (n > 0 ? Math.max(1, Math.round((n / max) * 40)) : 0);
    const recalled = '█'.repeat(cells(b.recalled));
    const denied = '▒'.repeat(cells(b.denied));
    lines.push(
      `  ${label(b).padEnd(width)}  ${pc.green(recalled)}${pc.red(denied)} ${b.recalled + b.denied}`,
    );
  }
  return lines;
}

function hours(s: stats.RecallStats): string[] {
  const counts = Array.from(
    { length: 24 },
    (_, h) => s.byHour.hours.find((x) => x.hour === h)?.attempts ?? 0,
  );
  const avg = s.byHour.average;
  const top = counts
    .map((c, h) => ({ h, c }))
    .sort((a, b) => b.c - a.c)
    .slice(0, 3)
    .filter((x) => x.c > 0)
    .map((x) => `${x.h}–${x.h + 1} ${fmt.ratio(avg ? x.c / avg : NaN)}`);
  return [
    heading(`Attempts by hour of day (${s.timeZone}), against the average hour (${avg.toFixed(1)})`),
    ...(avg > 0
      ? [
          ...lineChart([counts, counts.map(() => avg)], 8, (v) =>
            v.toFixed(Math.max(...counts) < 10 ? 1 : 0),
          ),
          pc.dim('  hours 0 → 23, left to right; the flat line is the average hour'),
          `  busiest: ${top.join(', ')}`,
        ]
      : ['  no attempts in this period']),
  ];
}

function followUps(s: stats.RecallStats): string[] {
  const { counts, shares } = s.followUps;
  const rows = [
    { label: 'correction', key: 'correction' as const },
    { label: 'hide (delete for me)', key: 'hide' as const },
    { label: 'another message', key: 'message' as const },
    { label: 'nothing', key: 'none' as const },
  ].map((r) => ({
    label: r.label,
    value: counts[r.key],
    note: `${fmt.pct(shares[r.key])} (${fmt.int(counts[r.key])})`,
  }));
  return [
    heading('After a denial, the sender…'),
    ...barChart(rows),
    ...(counts.pending
      ? [pc.dim(`  ${fmt.int(counts.pending)} denial(s) still within the follow-up period`)]
      : []),
  ];
}

function breakdowns(s: stats.RecallStats): string[] {
  const table = (
    title: string,
    rows: { name: string; attempts: number; recalled: number; denied: number }[],
  ) => [
    heading(title),
    ...renderTable(
      [
        { header: '' },
        { header: 'attempts', align: 'right' },
        { header: 'recalled', align: 'right' },
        { header: 'denied', align: 'right' },
        { header: 'denied %', align: 'right' },
      ],
      rows.map((r) => [
        r.name,
        fmt.int(r.attempts),
        fmt.int(r.recalled),
        fmt.int(r.denied),
        fmt.pct(r.attempts ? r.denied / r.attempts : null),
      ]),
    ),
  ];
  return [
    ...table(
      'By conversation kind',
      s.byConversationKind.map((k) => ({ name: k.kind, ...k })),
    ),
    '',
    ...table(
      'By content type',
      s.byContentType.map((k) => ({ name: k.type, ...k })),
    ),
  ];
}

/** `retract stats what-if`: one sentence and its numbers. */
export function renderWhatIf(w: stats.WhatIf): string {
  return (
    [
      pc.bold(`What if the window were ${formatDuration(w.windowSeconds)}? (${w.from} – ${w.to})`),
      `  of ${fmt.int(w.deniedByWindow)} attempts denied because the window had passed, ` +
        `${pc.bold(fmt.int(w.wouldAllow))} (${fmt.pct(w.share)}) came within ${formatDuration(w.windowSeconds)} of the send ` +
        'and would have been allowed',
      ...(w.estimated
        ? [pc.dim('  estimated: the window falls inside a delay bucket, which is counted in proportion')]
        : []),
    ].join('\n') + '\n'
  );
}
