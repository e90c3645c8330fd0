import type { Message } from '@retract/sdk';
import type { Phrase } from './format.js';

/** Messages closer than this, from one sender on one day, share a bubble group (one avatar, one name). */
export const groupGapMs = 5 * 60_000;

/** The local calendar day of a timestamp, as `YYYY-MM-DD`. */
export function dayKey(time: string | number | Date): string {
  const d = new Date(time);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "Today", "Yesterday", else the date in the locale (with the year only when it is not this year). */
export function dayPhrase(iso: string, now: number, locale: string): Phrase {
  const day = dayKey(iso);
  if (day === dayKey(now)) return { key: 'day.today' };
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === dayKey(yesterday)) return { key: 'day.yesterday' };
  const date = new Date(iso);
  const sameYear = date.getFullYear() === new Date(now).getFullYear();
  const text = new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
  }).format(date);
  return { key: 'day.date', values: { date: text } };
}

export interface TimelineRow {
  readonly message: Message;
  /** Set on the first message of a day: the separator to draw above it. */
  readonly day: Phrase | null;
  /** First of a run from one sender: shows the name and starts a new bubble group. */
  readonly groupStart: boolean;
  /** Last of the run: carries the avatar and the rounded tail. */
  readonly groupEnd: boolean;
}

/**
 * Lays out a conversation: day separators, and runs of messages from one sender (no day change, no gap
 * longer than groupGapMs). A recalled message breaks a run, since it shows as a notice rather than a bubble.
 */
export function timeline(messages: readonly Message[], now: number, locale: string): TimelineRow[] {
  const joins = (a: Message | undefined, b: Message | undefined): boolean =>
    a !== undefined &&
    b !== undefined &&
    a.senderId === b.senderId &&
    a.recalled === null &&
    b.recalled === null &&
    dayKey(a.sentAt) === dayKey(b.sentAt) &&
    Math.abs(Date.parse(b.sentAt) - Date.parse(a.sentAt)) <= groupGapMs;
  return messages.map((message, i) => {
    const prev = messages[i - 1];
    const next = messages[i + 1];
    const newDay = prev === undefined || dayKey(prev.sentAt) !== dayKey(message.sentAt);
    return {
      message,
      day: newDay ? dayPhrase(message.sentAt, now, locale) : null,
      groupStart: !joins(prev, message),
      groupEnd: !joins(message, next),
    };
  });
}
