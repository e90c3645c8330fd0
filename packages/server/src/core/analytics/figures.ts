import type { stats } from '@retract/protocol';
import type { DailyActivityRecord, RecallBucketRecord } from '../../storage/analytics-records.js';
import { DELAY_EDGES, delayBucketRange } from './delay-buckets.js';
import { clampBucket, isAllowed, isWindowDenial, share } from './outcomes.js';
import { daysBetween } from './period.js';
import { dayOf, localTime, type LocalTime } from './time-zone.js';

export { whatIf, type WhatIfOptions } from './what-if.js';

/**
 * The recall figures (`GET /v1/admin/stats`) from the stored counts. Pure: the period, the zone and the
 * window are inputs; rows outside [from, to) are ignored, so a caller's wider read cannot leak in.
 */
export interface StatsOptions {
  /** UTC ms, a slot boundary (inclusive). */
  readonly from: number;
  /** UTC ms, a slot boundary (exclusive). */
  readonly to: number;
  /** The zone hours of day and weekdays are reported in. */
  readonly timeZone: string;
  /** The default policy's sender window, reported alongside (null: unlimited). */
  readonly windowSeconds: number | null;
  /** The zone the activity rows' days were recorded in (the server's `analytics.timeZone`); default `timeZone`. */
  readonly activityTimeZone?: string;
}

interface Tally {
  attempts: number;
  recalled: number;
  denied: number;
}

type FollowUpCounts = stats.RecallStats['followUps']['counts'];

export function computeStats(
  rows: readonly RecallBucketRecord[],
  activity: readonly DailyActivityRecord[],
  options: StatsOptions,
): stats.RecallStats {
  const { from, to, timeZone } = options;
  const outcomes = new Map<string, number>();
  const all = tally();
  let dueToWindow = 0;
  const hours = new Array<number>(24).fill(0);
  const weekdays = new Array<number>(7).fill(0);
  const delay = DELAY_EDGES.map(() => ({ recalled: 0, denied: 0 }));
  const followUps: FollowUpCounts = { correction: 0, hide: 0, message: 0, none: 0, pending: 0 };
  // Both kinds are always reported, with zeros when there was no attempt in one.
  const kinds: Record<'direct' | 'group', Tally> = { direct: tally(), group: tally() };
  const types = new Map<string, Tally>();
  const localOf = cachedLocalTime(timeZone);

  for (const row of rows) {
    if (row.slot < from || row.slot >= to || row.count <= 0) continue;
    const n = row.count;
    const allowed = isAllowed(row.outcome);
    outcomes.set(row.outcome, (outcomes.get(row.outcome) ?? 0) + n);
    for (const t of [all, kinds[row.conversationKind], typeTally(types, row.contentType)]) {
      add(t, allowed, n);
    }
    if (!allowed && isWindowDenial(row.outcome)) dueToWindow += n;
    // A slot is 15 minutes and every zone's offset is a multiple of 15 minutes, so the whole slot lies in
    // the local hour its start does — across daylight-saving changes too.
    const local = localOf(row.slot);
    hours[local.hour]! += n;
    weekdays[local.weekday]! += n;
    const bucket = delay[clampBucket(row.delayBucket)]!;
    if (allowed) bucket.recalled += n;
    else bucket.denied += n;
    if (!allowed && row.followUp !== null) followUps[row.followUp] += n;
  }

  const resolved = followUps.correction + followUps.hide + followUps.message + followUps.none;
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    timeZone,
    windowSeconds: options.windowSeconds,
    attempts: {
      total: all.attempts,
      byOutcome: Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))),
    },
    denials: { total: all.denied, dueToWindow, windowShare: share(dueToWindow, all.denied) },
    activeSenders: activeSenders(activity, from, to, options.activityTimeZone ?? timeZone),
    delay: {
      buckets: delay.map((b, i) => {
        const range = delayBucketRange(i);
        return { fromSeconds: range.from, toSeconds: range.to, ...b };
      }),
    },
    byHour: { hours: hours.map((attempts, hour) => ({ hour, attempts })), average: all.attempts / 24 },
    byWeekday: weekdays.map((attempts, weekday) => ({ weekday, attempts })),
    followUps: {
      counts: followUps,
      shares: {
        correction: share(followUps.correction, resolved),
        hide: share(followUps.hide, resolved),
        message: share(followUps.message, resolved),
        none: share(followUps.none, resolved),
      },
    },
    byConversationKind: [
      { kind: 'direct', ...kinds.direct },
      { kind: 'group', ...kinds.group },
    ],
    byContentType: [...types]
      .sort(([a, x], [b, y]) => y.attempts - x.attempts || a.localeCompare(b))
      .map(([type, t]) => ({ type, ...t })),
  };
}

/** Every day the period touches in the activity zone, with zeros where nobody was active. */
function activeSenders(
  activity: readonly DailyActivityRecord[],
  from: number,
  to: number,
  timeZone: string,
): stats.RecallStats['activeSenders'] {
  const byDay = new Map(activity.map((a) => [a.day, a]));
  const days = to > from ? daysBetween(dayOf(from, timeZone), dayOf(to - 1, timeZone)) : [];
  let senders = 0;
  let attempted = 0;
  const rows = days.map((day) => {
    const a = byDay.get(day);
    const s = a?.senders ?? 0;
    const t = a?.sendersWhoAttempted ?? 0;
    senders += s;
    attempted += t;
    return { day, senders: s, attempted: t, share: share(t, s) };
  });
  return { timeZone, days: rows, share: share(attempted, senders) };
}

function tally(): Tally {
  return { attempts: 0, recalled: 0, denied: 0 };
}

function add(t: Tally, allowed: boolean, n: number): void {
  t.attempts += n;
  if (allowed) t.recalled += n;
  else t.denied += n;
}

function typeTally(types: Map<string, Tally>, type: string): Tally {
  let t = types.get(type);
  if (!t) types.set(type, (t = tally()));
  return t;
}

/** localTime per slot, computed once: many rows share a slot, and Intl formatting is the costly part. */
function cachedLocalTime(timeZone: string): (slot: number) => LocalTime {
  const cache = new Map<number, LocalTime>();
  return (slot) => {
    let local = cache.get(slot);
    if (!local) cache.set(slot, (local = localTime(slot, timeZone)));
    return local;
  };
}
