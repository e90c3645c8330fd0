import type { stats } from '@retract/protocol';
import { localOf } from './calendar.js';
import type { Execution } from './execute.js';
import type { SimParams } from './params.js';
import type { Plan } from './plan.js';
import { expectedPeakRatio, peakShare } from './profile.js';

/**
 * Each figure three ways: the parameter (what the population was told to do), what the simulator put
 * in (counted from its own requests and the server's replies), and what the server's stats report.
 */
export interface Figure {
  readonly key: string;
  readonly label: string;
  readonly kind: 'share' | 'ratio' | 'count';
  readonly param: number | null;
  readonly putIn: number | null;
  readonly server: number | null;
  /** Samples behind the figure (the denominator), for its statistical tolerance. */
  readonly n: number;
  /** For a share: p. For the peak ratio: q, the share of attempts in the peak hours, and the scale 24/k. */
  readonly spread?: { readonly q: number; readonly scale: number };
}

/** The codes that mean "too late": the window had passed (with consent recall on, `needs_consent`). */
export const WINDOW_CODES: ReadonlySet<string> = new Set(['recall_window_expired', 'needs_consent']);
const FOLLOW_UPS = ['correction', 'hide', 'message', 'none'] as const;

export interface FigureInput {
  readonly params: SimParams;
  readonly plan: Plan;
  readonly run: Execution;
  readonly report: stats.RecallStats;
  /** Period reported on, ms. */
  readonly from: number;
  readonly to: number;
  /** The server's analytics zone (days of "active senders"), and the report's zone (hours). */
  readonly activityZone: string;
  readonly hourShares: readonly number[];
  /**
   * When the probe messages were sent (by the admin, not a simulated user): the server counts their sender
   * as active on that day, so the count put in does too. Embedded mode probes the day before.
   */
  readonly probeAt: number;
}

export function figures(i: FigureInput): Figure[] {
  const inRange = (t: number): boolean => t >= i.from && t < i.to;
  const attempts = i.run.attempts.filter((a) => inRange(a.decidedAt));
  const denied = attempts.filter((a) => a.outcome !== 'recalled');
  const byWindow = denied.filter((a) => WINDOW_CODES.has(a.outcome));

  // Active senders per day, as the server counts them: sent that day; attempted that day too.
  const days = new Set<string>();
  for (let t = i.from; t < i.to; t += 3_600_000) days.add(localOf(t, i.activityZone).day);
  const sendersByDay = new Map<string, Set<number>>();
  for (const s of i.run.sent) {
    const day = localOf(s.sentAt, i.activityZone).day;
    if (!days.has(day)) continue;
    if (!sendersByDay.has(day)) sendersByDay.set(day, new Set());
    sendersByDay.get(day)!.add(s.user);
  }
  let senders = days.has(localOf(i.probeAt, i.activityZone).day) ? 1 : 0;
  let attempted = 0;
  for (const [day, users] of sendersByDay) {
    senders += users.size;
    const attempters = new Set(
      i.run.attempts.filter((a) => localOf(a.decidedAt, i.activityZone).day === day).map((a) => a.user),
    );
    attempted += [...users].filter((u) => attempters.has(u)).length;
  }

  const resolved = denied.filter((a) => a.followUp !== null);
  const share = (num: number, den: number): number | null => (den > 0 ? num / den : null);
  const r = i.report;
  const serverResolved = FOLLOW_UPS.reduce((a, k) => a + r.followUps.counts[k], 0);

  const hourCounts = new Array<number>(24).fill(0);
  for (const a of attempts) hourCounts[localOf(a.decidedAt, r.timeZone).hour]! += 1;
  const peaks = i.params.peakHours;
  const peakMean = (counts: (h: number) => number): number =>
    peaks.reduce((s, h) => s + counts(h), 0) / peaks.length;
  const putInPeak =
    peaks.length && attempts.length ? peakMean((h) => hourCounts[h]!) / (attempts.length / 24) : null;
  const serverPeak =
    peaks.length && r.byHour.average > 0
      ? peakMean((h) => r.byHour.hours.find((x) => x.hour === h)?.attempts ?? 0) / r.byHour.average
      : null;

  const kindCount = (kind: 'direct' | 'group'): number =>
    r.byConversationKind.find((k) => k.kind === kind)?.attempts ?? 0;
  const planned = i.plan.attempts;
  const count = (
    key: string,
    label: string,
    param: number | null,
    putIn: number,
    server: number,
  ): Figure => ({
    key,
    label,
    kind: 'count',
    param,
    putIn,
    server,
    n: putIn,
  });

  return [
    {
      key: 'attemptShare',
      label: 'active senders who attempted a recall',
      kind: 'share',
      param: i.params.attemptShare,
      putIn: share(attempted, senders),
      server: r.activeSenders.share,
      n: senders,
    },
    {
      key: 'lateShare',
      label: 'attempts after the window',
      kind: 'share',
      param: i.params.lateShare,
      putIn: share(byWindow.length, attempts.length),
      server: share(r.denials.dueToWindow, r.attempts.total),
      n: attempts.length,
    },
    {
      key: 'windowShare',
      label: 'denials due to the window',
      kind: 'share',
      // The simulator denies itself nothing but by waiting too long.
      param: 1,
      putIn: share(byWindow.length, denied.length),
      server: r.denials.windowShare,
      n: denied.length,
    },
    ...FOLLOW_UPS.map((k): Figure => ({
      key: `followUp.${k}`,
      label: `after a denial: ${k === 'message' ? 'another message' : k === 'hide' ? 'delete for me' : k}`,
      kind: 'share',
      param: i.params.followUps[k],
      putIn: share(resolved.filter((a) => a.followUp === k).length, resolved.length),
      server: share(r.followUps.counts[k], serverResolved),
      n: resolved.length,
    })),
    {
      key: 'peakRatio',
      label: `attempts in peak hours (${peaks.map((h) => `${h}–${h + 1}`).join(', ') || 'none'}) vs average hour`,
      kind: 'ratio',
      param: expectedPeakRatio(i.hourShares, peaks),
      putIn: putInPeak,
      server: serverPeak,
      n: attempts.length,
      spread: { q: peakShare(i.hourShares, peaks), scale: peaks.length ? 24 / peaks.length : 0 },
    },
    count(
      'senders',
      'active senders',
      i.plan.activeUsers,
      senders,
      sum(r.activeSenders.days.map((d) => d.senders)),
    ),
    count(
      'attempters',
      'senders who attempted',
      i.plan.attemptingUsers,
      attempted,
      sum(r.activeSenders.days.map((d) => d.attempted)),
    ),
    count('attempts', 'recall attempts', planned.length, attempts.length, r.attempts.total),
    count('denied', 'denied', planned.filter((a) => a.late).length, denied.length, r.denials.total),
    count(
      'recalled',
      'recalled',
      planned.filter((a) => !a.late).length,
      attempts.length - denied.length,
      r.attempts.byOutcome['recalled'] ?? 0,
    ),
    count(
      'direct',
      'attempts in direct chats',
      null,
      attempts.filter((a) => a.kind === 'direct').length,
      kindCount('direct'),
    ),
    count(
      'group',
      'attempts in groups',
      null,
      attempts.filter((a) => a.kind === 'group').length,
      kindCount('group'),
    ),
    count('pending', 'follow-ups still pending', 0, 0, r.followUps.counts.pending),
  ];
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * How far a reported figure may sit from its parameter by chance alone: k standard errors of a
 * proportion over n samples, k·sqrt(p(1−p)/n), plus one count (1/n) for the odd request whose timing
 * lands on the other side of a boundary. The peak ratio is a scaled proportion, and scales likewise.
 */
export function tolerance(f: Figure, k: number): number | null {
  if (f.kind === 'count' || f.param === null || f.n === 0) return null;
  if (f.kind === 'ratio') {
    const { q, scale } = f.spread ?? { q: 0, scale: 0 };
    return scale * (k * Math.sqrt((q * (1 - q)) / f.n) + 1 / f.n);
  }
  const p = f.param;
  return k * Math.sqrt((p * (1 - p)) / f.n) + 1 / f.n;
}
