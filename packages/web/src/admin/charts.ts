import type { stats } from '@retract/protocol';

/**
 * Pure helpers for the admin analytics charts: no DOM, no Preact, so they run under node:test.
 * Every figure a chart draws goes through here, and so does the text alternative that states it.
 */

/** `t('key', { n: 3 })`: the admin namespace's translator. */
export type Translate = (key: string, vars?: Readonly<Record<string, string | number>>) => string;

export type DelayBucket = stats.RecallStats['delay']['buckets'][number];

/** A readable bin of the send-to-attempt histogram: [fromSeconds, toSeconds), the last open-ended. */
export interface DelayBin {
  readonly fromSeconds: number;
  readonly toSeconds: number | null;
  readonly recalled: number;
  readonly denied: number;
}

/**
 * The edges the server's 157 fine buckets are grouped into. Each is an edge of the fine buckets too
 * (docs/analytics.md: 5 s steps to 5 min, 30 s to 30 min, 5 min to 2 h, hourly to a day, daily to 7 days),
 * so no fine bucket straddles two bins.
 */
export const delayBinEdges: readonly number[] = [
  0, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400, 604_800,
];

/**
 * Groups fine buckets into the bins of `edges` (each bucket goes to the bin holding its start). Every bin
 * is present, in order, the last open-ended; empty bins have zeros.
 */
export function groupDelayBuckets(
  buckets: readonly DelayBucket[],
  edges: readonly number[] = delayBinEdges,
): DelayBin[] {
  const bins = edges.map((from, i) => ({
    fromSeconds: from,
    toSeconds: edges[i + 1] ?? null,
    recalled: 0,
    denied: 0,
  }));
  for (const bucket of buckets) {
    const bin = binIndex(edges, bucket.fromSeconds);
    const target = bins[bin];
    if (target === undefined) continue;
    target.recalled += bucket.recalled;
    target.denied += bucket.denied;
  }
  return bins;
}

function binIndex(edges: readonly number[], seconds: number): number {
  let index = 0;
  for (let i = 0; i < edges.length; i++) if (seconds >= (edges[i] as number)) index = i;
  return index;
}

/**
 * Where the policy window falls on the binned axis, in bin widths from the left edge (2.5 = halfway
 * through the third bin), or null when there is no window to mark (unlimited, or no bins).
 */
export function windowMarkerPosition(bins: readonly DelayBin[], windowSeconds: number | null): number | null {
  if (windowSeconds === null || bins.length === 0) return null;
  for (let i = 0; i < bins.length; i++) {
    const bin = bins[i] as DelayBin;
    if (bin.toSeconds === null) return i;
    if (windowSeconds < bin.toSeconds) {
      return i + Math.max(0, windowSeconds - bin.fromSeconds) / (bin.toSeconds - bin.fromSeconds);
    }
  }
  return bins.length;
}

const units = [
  { unit: 'day', seconds: 86_400 },
  { unit: 'hour', seconds: 3600 },
  { unit: 'minute', seconds: 60 },
  { unit: 'second', seconds: 1 },
] as const;

/** `30 sec`, `2 min`, `6 hr`, `7 days` in the locale: the largest unit that divides the duration. */
export function formatDuration(seconds: number, locale: string): string {
  const { unit, seconds: size } = units.find((u) => seconds >= u.seconds && seconds % u.seconds === 0) ?? {
    unit: 'second',
    seconds: 1,
  };
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short' }).format(seconds / size);
}

/** A bin's axis label: `1 min – 2 min`, or `≥ 7 days` for the open-ended one. */
export function delayBinLabel(bin: DelayBin, t: Translate, locale: string): string {
  const from = formatDuration(bin.fromSeconds, locale);
  if (bin.toSeconds === null) return t('delay.openBin', { from });
  return t('delay.bin', { from, to: formatDuration(bin.toSeconds, locale) });
}

/** A share (a fraction of 1) as a percentage with at most one decimal; `—` when it is null. */
export function formatShare(share: number | null, locale: string): string {
  if (share === null || !Number.isFinite(share)) return '—';
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(share);
}

export function formatCount(value: number, locale: string, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}

/** `part ÷ whole`, or null when the whole is 0 (the API's convention for shares). */
export function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null;
}

/** A round axis maximum at or above `value`: 1, 2, 5 × 10^k (at least 1). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

export interface OutcomeRow {
  readonly outcome: string;
  readonly count: number;
}

/** `recalled` first, then the denial codes by count (largest first), then by name. */
export function outcomeRows(byOutcome: Readonly<Record<string, number>>): OutcomeRow[] {
  return Object.entries(byOutcome)
    .map(([outcome, count]) => ({ outcome, count }))
    .sort((a, b) =>
      a.outcome === 'recalled'
        ? -1
        : b.outcome === 'recalled'
          ? 1
          : b.count - a.count || a.outcome.localeCompare(b.outcome),
    );
}

/** The translated name of an outcome; an unknown denial code is shown as the code. */
export function outcomeLabel(outcome: string, t: Translate): string {
  const key = `outcome.${outcome}`;
  const text = t(key);
  return text === key ? outcome : text;
}

export const followUpKinds = ['correction', 'hide', 'message', 'none'] as const;
export type FollowUpKind = (typeof followUpKinds)[number];

export interface FollowUpRow {
  readonly kind: FollowUpKind;
  readonly count: number;
  readonly share: number | null;
}

export function followUpRows(followUps: stats.RecallStats['followUps']): FollowUpRow[] {
  return followUpKinds.map((kind) => ({
    kind,
    count: followUps.counts[kind],
    share: followUps.shares[kind],
  }));
}

/**
 * "N of M denials would have been allowed" for a what-if answer, with the caveat the server attached:
 * an estimate when the window splits a bucket, a lower bound past 7 days.
 */
export function whatIfText(result: stats.WhatIf, t: Translate, locale: string): string {
  const window = formatDuration(result.windowSeconds, locale);
  if (result.deniedByWindow === 0) return t('whatif.noDenials', { window });
  const main = t('whatif.result', {
    n: formatCount(result.wouldAllow, locale),
    m: formatCount(result.deniedByWindow, locale),
    share: formatShare(result.share, locale),
    window,
  });
  if (!result.estimated) return main;
  const caveat = result.windowSeconds > 604_800 ? t('whatif.lowerBound') : t('whatif.estimated');
  return `${main} ${caveat}`;
}

/** The what-if input, in minutes, as the API's seconds; null when it is not a whole number in range. */
export function parseWindowMinutes(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const seconds = Number(trimmed) * 60;
  return seconds >= 60 && seconds <= 30 * 86_400 ? seconds : null;
}

/** A day (`2026-03-08`) in the locale's short date form, read as a calendar date (no zone shift). */
export function formatDay(day: string, locale: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

/** An instant in the locale's medium date and time. */
export function formatInstant(iso: string, locale: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}
