import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeStats, whatIf } from '../../src/core/analytics/figures.js';
import { DELAY_EDGES, delayBucketOf } from '../../src/core/analytics/delay-buckets.js';
import { daysBetween, roundOutToSlots } from '../../src/core/analytics/period.js';
import {
  SLOT_MS,
  type DailyActivityRecord,
  type RecallBucketRecord,
} from '../../src/storage/analytics-records.js';

/** Recall figures from hand-built rows: every expected number below is worked out by hand. */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function row(over: Partial<RecallBucketRecord> & { slot: number }): RecallBucketRecord {
  return {
    outcome: 'recalled',
    conversationKind: 'group',
    contentType: 'text',
    role: 'sender',
    delayBucket: 0,
    followUp: null,
    count: 1,
    ...over,
  };
}

/** One attempt in every slot of [from, to). */
function everySlot(from: number, to: number): RecallBucketRecord[] {
  const rows: RecallBucketRecord[] = [];
  for (let slot = from; slot < to; slot += SLOT_MS) rows.push(row({ slot }));
  return rows;
}

const stats = (rows: RecallBucketRecord[], from: number, to: number, timeZone: string) =>
  computeStats(rows, [], { from, to, timeZone, windowSeconds: 120 });

const hoursOf = (s: ReturnType<typeof stats>) => s.byHour.hours.map((h) => h.attempts);
const weekdaysOf = (s: ReturnType<typeof stats>) => s.byWeekday.map((d) => d.attempts);

describe('recall figures', () => {
  // Monday 2026-01-05 and Tuesday 2026-01-06, UTC.
  const from = Date.UTC(2026, 0, 5);
  const to = from + 2 * DAY;
  const lastBucket = DELAY_EDGES.length - 1;
  const rows: RecallBucketRecord[] = [
    row({ slot: from + 9 * HOUR, count: 4 }),
    row({ slot: from + 9 * HOUR, delayBucket: 1 }),
    row({
      slot: from + 9 * HOUR + SLOT_MS,
      outcome: 'recall_window_expired',
      delayBucket: delayBucketOf(150),
      followUp: 'correction',
      count: 2,
    }),
    row({
      slot: from + DAY + 23 * HOUR + 3 * SLOT_MS,
      outcome: 'needs_consent',
      conversationKind: 'direct',
      contentType: 'image',
      delayBucket: delayBucketOf(400),
      followUp: 'none',
    }),
    row({ slot: from + 10 * HOUR, outcome: 'not_permitted', role: 'admin', followUp: 'pending', count: 3 }),
    row({
      slot: from + 10 * HOUR,
      outcome: 'recall_window_expired',
      conversationKind: 'direct',
      delayBucket: delayBucketOf(10 * 86_400),
      followUp: 'hide',
    }),
    // Outside the period: the first slot after it, the last slot before it.
    row({ slot: to, count: 100 }),
    row({ slot: from - SLOT_MS, outcome: 'recall_window_expired', count: 100 }),
  ];
  const activity: DailyActivityRecord[] = [
    { day: '2026-01-05', senders: 4, attempters: 3, sendersWhoAttempted: 2 },
    { day: '2026-01-06', senders: 6, attempters: 1, sendersWhoAttempted: 1 },
    { day: '2026-01-07', senders: 100, attempters: 100, sendersWhoAttempted: 100 },
  ];
  const s = computeStats(rows, activity, { from, to, timeZone: 'UTC', windowSeconds: 120 });

  it('counts attempts by outcome, and denials due to the window', () => {
    assert.equal(s.from, '2026-01-05T00:00:00.000Z');
    assert.equal(s.to, '2026-01-07T00:00:00.000Z');
    assert.equal(s.timeZone, 'UTC');
    assert.equal(s.windowSeconds, 120);
    assert.deepEqual(s.attempts, {
      total: 12,
      byOutcome: {
        needs_consent: 1,
        not_permitted: 3,
        recall_window_expired: 3,
        recalled: 5,
      },
    });
    assert.deepEqual(s.denials, { total: 7, dueToWindow: 4, windowShare: 4 / 7 });
  });

  it('shares active senders per day and over the period, zeros for a day without a row', () => {
    assert.deepEqual(s.activeSenders, {
      timeZone: 'UTC',
      days: [
        { day: '2026-01-05', senders: 4, attempted: 2, share: 0.5 },
        { day: '2026-01-06', senders: 6, attempted: 1, share: 1 / 6 },
      ],
      share: 3 / 10,
    });
    const quiet = computeStats([], [], { from, to, timeZone: 'UTC', windowSeconds: null });
    assert.deepEqual(
      quiet.activeSenders.days.map((d) => [d.day, d.senders, d.share]),
      [
        ['2026-01-05', 0, null],
        ['2026-01-06', 0, null],
      ],
    );
    assert.equal(quiet.activeSenders.share, null);
    assert.equal(quiet.denials.windowShare, null);
    assert.equal(quiet.windowSeconds, null);
  });

  it('puts every attempt in its delay bucket, all buckets listed in order', () => {
    const buckets = s.delay.buckets;
    assert.equal(buckets.length, DELAY_EDGES.length);
    assert.deepEqual(buckets[0], { fromSeconds: 0, toSeconds: 5, recalled: 4, denied: 3 });
    assert.deepEqual(buckets[1], { fromSeconds: 5, toSeconds: 10, recalled: 1, denied: 0 });
    assert.deepEqual(buckets[delayBucketOf(150)], {
      fromSeconds: 150,
      toSeconds: 155,
      recalled: 0,
      denied: 2,
    });
    assert.deepEqual(buckets[delayBucketOf(400)], {
      fromSeconds: 390,
      toSeconds: 420,
      recalled: 0,
      denied: 1,
    });
    assert.deepEqual(buckets[lastBucket], { fromSeconds: 604_800, toSeconds: null, recalled: 0, denied: 1 });
    const sum = buckets.reduce((n, b) => n + b.recalled + b.denied, 0);
    assert.equal(sum, s.attempts.total);
  });

  it('counts by hour and weekday of the slot', () => {
    const hours = new Array<number>(24).fill(0);
    hours[9] = 7;
    hours[10] = 4;
    hours[23] = 1;
    assert.deepEqual(hoursOf(s), hours);
    assert.equal(s.byHour.average, 0.5);
    assert.deepEqual(weekdaysOf(s), [0, 11, 1, 0, 0, 0, 0]);
  });

  it('shares follow-ups over resolved denials, pending ones apart', () => {
    assert.deepEqual(s.followUps, {
      counts: { correction: 2, hide: 1, message: 0, none: 1, pending: 3 },
      shares: { correction: 0.5, hide: 0.25, message: 0, none: 0.25 },
    });
  });

  it('splits by conversation kind (both always present) and content type (most attempts first)', () => {
    assert.deepEqual(s.byConversationKind, [
      { kind: 'direct', attempts: 2, recalled: 0, denied: 2 },
      { kind: 'group', attempts: 10, recalled: 5, denied: 5 },
    ]);
    assert.deepEqual(s.byContentType, [
      { type: 'text', attempts: 11, recalled: 5, denied: 6 },
      { type: 'image', attempts: 1, recalled: 0, denied: 1 },
    ]);
  });
});

describe('recall figures across daylight-saving changes', () => {
  /** Asserts that the local day [start, end) got `hours` hours: 4 slots each, except the hours listed. */
  function assertDay(
    timeZone: string,
    start: number,
    end: number,
    expect: { hours: number; missing?: number; doubled?: number; weekday: number },
  ) {
    // One slot more on either side: they belong to the days before and after.
    const s = stats(everySlot(start - SLOT_MS, end + SLOT_MS), start - SLOT_MS, end + SLOT_MS, timeZone);
    assert.equal((end - start) / SLOT_MS, expect.hours * 4, 'slots in the local day');
    const hours = new Array<number>(24).fill(4);
    if (expect.missing !== undefined) hours[expect.missing] = 0;
    if (expect.doubled !== undefined) hours[expect.doubled] = 8;
    hours[23]! += 1; // the slot before local midnight
    hours[0]! += 1; // the slot after the next local midnight
    assert.deepEqual(hoursOf(s), hours);
    const weekdays = new Array<number>(7).fill(0);
    weekdays[expect.weekday] = expect.hours * 4;
    weekdays[(expect.weekday + 6) % 7]! += 1;
    weekdays[(expect.weekday + 1) % 7]! += 1;
    assert.deepEqual(weekdaysOf(s), weekdays);
    assert.equal(s.attempts.total, expect.hours * 4 + 2, 'no slot lost or counted twice');
  }

  it('America/New_York, Sunday 2026-03-08: 23 hours, 02:00–02:59 never happens', () => {
    // Local midnight is 05:00 UTC (EST); the next is 04:00 UTC (EDT).
    assertDay('America/New_York', Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 9, 4), {
      hours: 23,
      missing: 2,
      weekday: 0,
    });
    // Either side of the change: 06:45 UTC is 01:45 EST, 07:00 UTC is 03:00 EDT.
    const one = (slot: number) => hoursOf(stats([row({ slot })], slot, slot + SLOT_MS, 'America/New_York'));
    assert.equal(one(Date.UTC(2026, 2, 8, 6, 45))[1], 1);
    assert.equal(one(Date.UTC(2026, 2, 8, 7))[3], 1);
  });

  it('America/New_York, Sunday 2026-11-01: 25 hours, 01:00–01:59 happens twice', () => {
    assertDay('America/New_York', Date.UTC(2026, 10, 1, 4), Date.UTC(2026, 10, 2, 5), {
      hours: 25,
      doubled: 1,
      weekday: 0,
    });
  });

  it('Europe/Berlin, Sunday 2026-03-29: 23 hours, 02:00–02:59 never happens', () => {
    assertDay('Europe/Berlin', Date.UTC(2026, 2, 28, 23), Date.UTC(2026, 2, 29, 22), {
      hours: 23,
      missing: 2,
      weekday: 0,
    });
  });

  it('Europe/Berlin, Sunday 2026-10-25: 25 hours, 02:00–02:59 happens twice', () => {
    assertDay('Europe/Berlin', Date.UTC(2026, 9, 24, 22), Date.UTC(2026, 9, 25, 23), {
      hours: 25,
      doubled: 2,
      weekday: 0,
    });
  });
});

describe('recall figures in zones with half- and quarter-hour offsets', () => {
  it('Asia/Kolkata (+05:30): the day turns at 18:30 UTC', () => {
    const before = Date.UTC(2026, 0, 4, 18, 15); // Sunday 23:45 IST
    const after = Date.UTC(2026, 0, 4, 18, 30); // Monday 00:00 IST
    const s = stats(
      [row({ slot: before }), row({ slot: after, count: 2 })],
      before,
      after + SLOT_MS,
      'Asia/Kolkata',
    );
    assert.equal(s.byHour.hours[23]?.attempts, 1);
    assert.equal(s.byHour.hours[0]?.attempts, 2);
    assert.deepEqual(weekdaysOf(s), [1, 2, 0, 0, 0, 0, 0]);
    // The same rows in UTC: both in Sunday's hour 18.
    const utc = stats(
      [row({ slot: before }), row({ slot: after, count: 2 })],
      before,
      after + SLOT_MS,
      'UTC',
    );
    assert.equal(utc.byHour.hours[18]?.attempts, 3);
    assert.deepEqual(weekdaysOf(utc), [3, 0, 0, 0, 0, 0, 0]);
  });

  it('Asia/Kolkata: activity days are the local days the period touches', () => {
    const activity: DailyActivityRecord[] = [
      { day: '2026-01-04', senders: 5, attempters: 1, sendersWhoAttempted: 1 },
      { day: '2026-01-05', senders: 2, attempters: 2, sendersWhoAttempted: 2 },
    ];
    const options = { timeZone: 'UTC', windowSeconds: 120, activityTimeZone: 'Asia/Kolkata' };
    // Exactly Monday in IST: Sunday is not touched, though in UTC the period starts on Sunday.
    const monday = computeStats([], activity, {
      ...options,
      from: Date.UTC(2026, 0, 4, 18, 30),
      to: Date.UTC(2026, 0, 5, 18, 30),
    });
    assert.equal(monday.activeSenders.timeZone, 'Asia/Kolkata');
    assert.deepEqual(
      monday.activeSenders.days.map((d) => d.day),
      ['2026-01-05'],
    );
    assert.equal(monday.activeSenders.share, 1);
    const oneSlotEarlier = computeStats([], activity, {
      ...options,
      from: Date.UTC(2026, 0, 4, 18, 15),
      to: Date.UTC(2026, 0, 5, 18, 30),
    });
    assert.deepEqual(
      oneSlotEarlier.activeSenders.days.map((d) => d.day),
      ['2026-01-04', '2026-01-05'],
    );
    assert.equal(oneSlotEarlier.activeSenders.share, 3 / 7);
  });

  it('Asia/Kathmandu (+05:45): every slot of a local day lands in that day, four per hour', () => {
    // Local midnight of Wednesday 2026-01-07 is 18:15 UTC on the 6th.
    const start = Date.UTC(2026, 0, 6, 18, 15);
    const s = stats(everySlot(start, start + DAY), start, start + DAY, 'Asia/Kathmandu');
    assert.deepEqual(hoursOf(s), new Array<number>(24).fill(4));
    assert.deepEqual(weekdaysOf(s), [0, 0, 0, 96, 0, 0, 0]);
    // One slot earlier is still Tuesday 23:45 there.
    const late = stats([row({ slot: start - SLOT_MS })], start - SLOT_MS, start, 'Asia/Kathmandu');
    assert.equal(late.byHour.hours[23]?.attempts, 1);
    assert.equal(late.byWeekday[2]?.attempts, 1);
  });
});

describe('what-if', () => {
  const from = Date.UTC(2026, 0, 5);
  const to = from + DAY;
  const rows: RecallBucketRecord[] = [
    row({ slot: from, outcome: 'recall_window_expired', delayBucket: delayBucketOf(100), count: 2 }),
    row({ slot: from, outcome: 'recall_window_expired', delayBucket: delayBucketOf(150), count: 3 }),
    row({ slot: from + HOUR, outcome: 'needs_consent', delayBucket: delayBucketOf(300), count: 4 }),
    row({ slot: from, outcome: 'recall_window_expired', delayBucket: delayBucketOf(10 * 86_400), count: 5 }),
    // Not window denials, or outside the period: never counted.
    row({ slot: from, outcome: 'not_permitted', delayBucket: 0, count: 7 }),
    row({ slot: from, outcome: 'recalled', delayBucket: 0, count: 9 }),
    row({ slot: to, outcome: 'recall_window_expired', delayBucket: 0, count: 11 }),
  ];
  const at = (windowSeconds: number) => whatIf(rows, { from, to, windowSeconds });

  it('is exact when the window is a bucket edge: a delay counts when it is below the window', () => {
    assert.deepEqual(at(150), {
      from: '2026-01-05T00:00:00.000Z',
      to: '2026-01-06T00:00:00.000Z',
      windowSeconds: 150,
      deniedByWindow: 14,
      wouldAllow: 2,
      share: 2 / 14,
      estimated: false,
    });
    assert.equal(at(155).wouldAllow, 5);
    assert.equal(at(330).wouldAllow, 9);
    assert.equal(at(100).wouldAllow, 0);
    assert.equal(at(7 * 86_400).estimated, false);
    assert.equal(at(7 * 86_400).wouldAllow, 9);
  });

  it('counts the bucket a window splits in proportion, and says it is an estimate', () => {
    // [300, 330) holds 4: 315 takes half of them, 310 a third (1.33, rounded).
    assert.deepEqual([at(315).wouldAllow, at(315).estimated], [7, true]);
    assert.deepEqual([at(310).wouldAllow, at(310).estimated], [6, true]);
    assert.equal(at(310).share, 6 / 14);
    // Past the open-ended last bucket nothing of it is counted: a lower bound.
    assert.deepEqual([at(30 * 86_400).wouldAllow, at(30 * 86_400).estimated], [9, true]);
  });

  it('has no share without window denials', () => {
    const none = whatIf([row({ slot: from })], { from, to, windowSeconds: 300 });
    assert.deepEqual([none.deniedByWindow, none.wouldAllow, none.share], [0, 0, null]);
  });
});

describe('periods', () => {
  it('rounds out to whole quarter hours', () => {
    const t = Date.UTC(2026, 0, 5, 9, 7, 30);
    assert.deepEqual(roundOutToSlots(t, t + 60_000), {
      from: Date.UTC(2026, 0, 5, 9, 0),
      to: Date.UTC(2026, 0, 5, 9, 15),
    });
    const edge = Date.UTC(2026, 0, 5, 9, 15);
    assert.deepEqual(roundOutToSlots(edge, edge + SLOT_MS), { from: edge, to: edge + SLOT_MS });
  });

  it('lists calendar days across month ends and leap days', () => {
    assert.deepEqual(daysBetween('2028-02-28', '2028-03-01'), ['2028-02-28', '2028-02-29', '2028-03-01']);
    assert.deepEqual(daysBetween('2026-12-31', '2027-01-01'), ['2026-12-31', '2027-01-01']);
    assert.deepEqual(daysBetween('2026-01-02', '2026-01-01'), []);
  });
});
