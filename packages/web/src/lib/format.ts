import type { TOptions } from 'i18next';

/** A translation key with its values: pure logic returns these so it can be tested without i18next. */
export interface Phrase {
  readonly key: string;
  readonly values?: TOptions;
}

/**
 * A duration as the largest two units ("1m 05s", "2h 3m"), for countdowns and timers. Negative values
 * count as zero: a countdown never shows "-3s".
 */
export function durationPhrase(ms: number): Phrase {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (d > 0) return { key: 'duration.days', values: { d, h } };
  if (h > 0) return { key: 'duration.hours', values: { h, m } };
  if (m > 0) return { key: 'duration.minutes', values: { m, s: String(s).padStart(2, '0') } };
  return { key: 'duration.seconds', values: { s } };
}

/** Milliseconds from `now` until an ISO timestamp (0 when past). */
export function msUntil(iso: string, now: number): number {
  return Math.max(0, Date.parse(iso) - now);
}

/** A time of day (or a date and time when not today) in the chosen locale. */
export function formatTime(iso: string, locale: string, now = Date.now()): string {
  const date = new Date(iso);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(locale, {
    ...(sameDay ? {} : { month: 'short', day: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

/**
 * The short time a conversation row shows: the time of day today, the weekday within the last week,
 * else the date.
 */
export function listTime(iso: string, locale: string, now = Date.now()): string {
  const date = new Date(iso);
  const today = new Date(now);
  if (today.toDateString() === date.toDateString()) {
    return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(date);
  }
  const startOfToday = new Date(today.getFullYear(), today.getMonth(), today.getDate()).getTime();
  if (date.getTime() >= startOfToday - 6 * 86_400_000 && date.getTime() < startOfToday) {
    return new Intl.DateTimeFormat(locale, { weekday: 'short' }).format(date);
  }
  return new Intl.DateTimeFormat(locale, {
    month: 'numeric',
    day: 'numeric',
    ...(date.getFullYear() === today.getFullYear() ? {} : { year: '2-digit' }),
  }).format(date);
}

/** A time of day only, for the small stamp inside a bubble (the day separator gives the date). */
export function clockTime(iso: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}
