import { Type, type Static } from '@sinclair/typebox';
import { ConversationKind } from './models.js';

/**
 * Recall analytics (`GET /v1/admin/stats`, `GET /v1/admin/stats/what-if`): counts of recall attempts,
 * never content. docs/analytics.md says how each figure is computed.
 */
const strict = { additionalProperties: false } as const;

/** A day in the report's time zone. */
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const Instant = Type.String({ minLength: 1, maxLength: 40, description: 'ISO 8601' });
/** An instant a client sends: RFC 3339 with its offset (`2026-03-08T00:00:00Z`), so it is never ambiguous. */
const QueryInstant = Type.String({ format: 'date-time', maxLength: 40, description: 'ISO 8601 with offset' });
const Count = Type.Integer({ minimum: 0 });
const Share = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
  description: 'a fraction of 1; null when its denominator is 0',
});

/** The follow-ups a denial can have; `pending` while the follow-up period runs. */
export const FollowUpKind = Type.Union([
  Type.Literal('correction'),
  Type.Literal('hide'),
  Type.Literal('message'),
  Type.Literal('none'),
  Type.Literal('pending'),
]);
export type FollowUpKind = Static<typeof FollowUpKind>;

export const StatsQuery = Type.Object(
  {
    /** Start of the period (ISO, inclusive); default: 7 days before `to`. At most 400 days before `to`. */
    from: Type.Optional(QueryInstant),
    /** End of the period (ISO, exclusive); default: now. */
    to: Type.Optional(QueryInstant),
    /** IANA time zone for hours and weekdays; default: the server's `analytics.timeZone`. */
    tz: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  strict,
);
export type StatsQuery = Static<typeof StatsQuery>;

const OutcomeCounts = Type.Object({
  attempts: Count,
  recalled: Count,
  denied: Count,
});

export const RecallStats = Type.Object({
  /** The period actually covered: `from` and `to` rounded out to whole quarter hours. */
  from: Instant,
  to: Instant,
  timeZone: Type.String(),
  /** The sender's recall window of the server's default policy, seconds; null when unlimited. */
  windowSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  attempts: Type.Object({
    total: Count,
    /** By `recalled` or denial code. */
    byOutcome: Type.Record(Type.String(), Count),
  }),
  denials: Type.Object({
    total: Count,
    /** Denials because the window had passed (`recall_window_expired` and `needs_consent`). */
    dueToWindow: Count,
    windowShare: Share,
  }),
  /**
   * Per day: users who sent a message, and of them, who attempted a recall. Every day the period touches,
   * in order (a day with no activity has zeros).
   */
  activeSenders: Type.Object({
    /**
     * The zone the days are in: always the server's `analytics.timeZone`, whatever `tz` asked for, because
     * distinct users are counted per day as they act and cannot be re-cut into another zone's days.
     */
    timeZone: Type.String(),
    days: Type.Array(Type.Object({ day: Day, senders: Count, attempted: Count, share: Share })),
    /** Over all days of the period: sum of `attempted` ÷ sum of `senders`. */
    share: Share,
  }),
  /**
   * Send-to-attempt times; every bucket [fromSeconds, toSeconds) in order, the last open-ended (toSeconds
   * null).
   */
  delay: Type.Object({
    buckets: Type.Array(
      Type.Object({
        fromSeconds: Count,
        toSeconds: Type.Union([Count, Type.Null()]),
        recalled: Count,
        denied: Count,
      }),
    ),
  }),
  /** Attempts by hour of day (0–23) in `timeZone`, every hour present; `average` = total ÷ 24. */
  byHour: Type.Object({
    hours: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), attempts: Count })),
    average: Type.Number({ minimum: 0 }),
  }),
  /** Attempts by weekday, 0 = Sunday, every day present. */
  byWeekday: Type.Array(Type.Object({ weekday: Type.Integer({ minimum: 0, maximum: 6 }), attempts: Count })),
  /** What senders did within the follow-up period after a denial. Shares are of resolved denials. */
  followUps: Type.Object({
    counts: Type.Object({
      correction: Count,
      hide: Count,
      message: Count,
      none: Count,
      pending: Count,
    }),
    shares: Type.Object({ correction: Share, hide: Share, message: Share, none: Share }),
  }),
  byConversationKind: Type.Array(Type.Object({ kind: ConversationKind, ...OutcomeCounts.properties })),
  byContentType: Type.Array(Type.Object({ type: Type.String(), ...OutcomeCounts.properties })),
});
export type RecallStats = Static<typeof RecallStats>;

export const WhatIfQuery = Type.Object(
  {
    ...StatsQuery.properties,
    /** The longer window to try, in seconds. */
    windowSeconds: Type.Integer({ minimum: 1, maximum: 30 * 86_400 }),
  },
  strict,
);
export type WhatIfQuery = Static<typeof WhatIfQuery>;

export const WhatIf = Type.Object({
  from: Instant,
  to: Instant,
  windowSeconds: Type.Integer({ minimum: 1 }),
  /** Denials because the window had passed, in the period. */
  deniedByWindow: Count,
  /** Of those, how many came within `windowSeconds` of the send. */
  wouldAllow: Count,
  share: Share,
  /**
   * True when `windowSeconds` falls inside a delay bucket: then the bucket it splits is counted in
   * proportion (linear), and the figure is an estimate. Beyond 7 days (the open-ended last bucket) that
   * bucket is not counted at all, so `wouldAllow` is a lower bound.
   */
  estimated: Type.Boolean(),
});
export type WhatIf = Static<typeof WhatIf>;
