import type { stats } from '@retract/protocol';
import { computeStats, whatIf } from '../core/analytics/figures.js';
import { MAX_PERIOD_DAYS, roundOutToSlots } from '../core/analytics/period.js';
import { dayOf, isTimeZone } from '../core/analytics/time-zone.js';
import { senderWindow } from '../core/policy/index.js';
import { AppError } from '../errors.js';
import type { ActionContext, Actor } from './context.js';
import { policyFor, requireServerAdmin } from './policy.js';

const ADMINS_ONLY = 'recall analytics are for server admins';

/**
 * Recall analytics for server admins: the figures over a period, and what a longer window would have
 * allowed. The counts name nobody, but how often people regret what they wrote is the operator's business
 * only, so nobody else may read them.
 */

const DAY_MS = 86_400_000;
const DEFAULT_PERIOD_MS = 7 * DAY_MS;

interface Period {
  readonly from: number;
  readonly to: number;
  readonly timeZone: string;
}

export async function recallStats(
  ctx: ActionContext,
  actor: Actor,
  query: stats.StatsQuery,
): Promise<stats.RecallStats> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const period = periodOf(ctx, query);
  // Daily activity is counted per day of the server's zone when it happens; those days are read whatever
  // zone the request names, and the response says which zone they are in.
  const activityTimeZone = ctx.config.analytics.timeZone;
  const [rows, activity] = await ctx.storage.read((tx) =>
    Promise.all([
      tx.listRecallBuckets(period.from, period.to),
      tx.listDailyActivity(dayOf(period.from, activityTimeZone), dayOf(period.to - 1, activityTimeZone)),
    ]),
  );
  return computeStats(rows, activity, {
    ...period,
    windowSeconds: defaultSenderWindow(ctx),
    activityTimeZone,
  });
}

export async function recallWhatIf(
  ctx: ActionContext,
  actor: Actor,
  query: stats.WhatIfQuery,
): Promise<stats.WhatIf> {
  requireServerAdmin(actor, ADMINS_ONLY);
  const period = periodOf(ctx, query);
  const rows = await ctx.storage.read((tx) => tx.listRecallBuckets(period.from, period.to));
  return whatIf(rows, { from: period.from, to: period.to, windowSeconds: query.windowSeconds });
}

/**
 * The sender's window for a text message in a group without a policy of its own: what the server's
 * configuration gives, the baseline a what-if is compared with. Null when unlimited.
 */
function defaultSenderWindow(ctx: ActionContext): number | null {
  return senderWindow(policyFor(ctx, { kind: 'group', policy: null }), 'group', 'text');
}

/** The query's period and zone, defaults filled in, checked, and rounded out to whole quarter hours. */
function periodOf(ctx: ActionContext, query: stats.StatsQuery): Period {
  const timeZone = query.tz ?? ctx.config.analytics.timeZone;
  if (!isTimeZone(timeZone)) {
    throw invalid(
      '/tz',
      `'${timeZone}' is not a time zone this server knows (IANA name, e.g. Europe/Berlin)`,
    );
  }
  const to = query.to === undefined ? ctx.clock.now() : instant('/to', query.to);
  const from = query.from === undefined ? to - DEFAULT_PERIOD_MS : instant('/from', query.from);
  if (from >= to) throw invalid('/from', 'must be before to');
  if (to - from > MAX_PERIOD_DAYS * DAY_MS) {
    throw invalid('/from', `the period may be at most ${MAX_PERIOD_DAYS} days long`);
  }
  return { ...roundOutToSlots(from, to), timeZone };
}

function instant(path: string, text: string): number {
  const ms = Date.parse(text);
  // The schema checks the format over HTTP; this guards other callers and years Date cannot hold.
  if (Number.isNaN(ms)) throw invalid(path, 'must be an ISO 8601 date-time with an offset');
  return ms;
}

/** The same shape as a schema failure, so clients read one kind of invalid_request. */
function invalid(path: string, message: string): AppError {
  return new AppError('invalid_request', { in: 'querystring', problems: [{ path, message }] });
}
