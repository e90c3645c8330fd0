/**
 * Recall analytics as storage keeps them: counts, never messages. No row holds message content; the
 * only identifiers are in `PendingFollowUpRecord` (kept at most `analytics.followUpSeconds`, to tell what
 * the sender did next) and `ActivityRecord` (a user id per day, to count distinct senders; deleted with
 * the rest after `analytics.retentionDays`).
 */

/** What happened after a denied attempt; null for allowed attempts, `pending` until it is known. */
export type FollowUp = 'pending' | 'correction' | 'hide' | 'message' | 'none';

/** Length of one aggregation slot. Quarter hours, in UTC: every zone's offset is a multiple of 15 min. */
export const SLOT_MS = 15 * 60 * 1000;

/** One cell of the aggregate: the attempts that share all of these. */
export interface RecallBucketKey {
  /** UTC ms at the start of the quarter hour the attempt fell in (a multiple of SLOT_MS). */
  readonly slot: number;
  /** `recalled`, or the denial code (`recall_window_expired`, `needs_consent`, `not_permitted`, …). */
  readonly outcome: string;
  readonly conversationKind: 'direct' | 'group';
  /** The message's content type (`text`, `image`, `file`, …). */
  readonly contentType: string;
  /** The capacity the actor acted in or tried (`sender`, `peer`, `owner`, `admin`, `server_admin`, …). */
  readonly role: string;
  /** Index into core/analytics/delay-buckets DELAY_EDGES of the send-to-attempt time. */
  readonly delayBucket: number;
  /** Null for allowed attempts; for denials, `pending` until resolved. */
  readonly followUp: FollowUp | null;
}

export interface RecallBucketRecord extends RecallBucketKey {
  readonly count: number;
}

/** A denial waiting to learn its follow-up; removed when resolved. */
export interface PendingFollowUpRecord {
  readonly id: string;
  readonly userId: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly deniedAt: number;
  /** The bucket the denial was counted in, with followUp `pending`: resolving moves one count out of it. */
  readonly bucket: RecallBucketKey;
}

/** Per day (in the operator's zone, `analytics.timeZone`): how many users sent, how many attempted a recall. */
export interface DailyActivityRecord {
  readonly day: string;
  readonly senders: number;
  /** Users who attempted a recall that day (whether or not they also sent). */
  readonly attempters: number;
  /** Users who did both: the numerator of "share of active senders who attempt a recall". */
  readonly sendersWhoAttempted: number;
}
