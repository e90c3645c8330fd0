/**
 * Every behaviour of the simulated population, as one object: defaults (the article's figures, which
 * are its claims, not measurements), then a JSON file (`--params`), then flags. Validated together so
 * that every problem is reported at once.
 */
export type Range = readonly [number, number];

export interface FollowUpShares {
  readonly correction: number;
  readonly hide: number;
  /** Another, unrelated message in the same conversation. The article has no such figure: 0. */
  readonly message: number;
  readonly none: number;
}

export interface SimParams {
  readonly seed: number;
  readonly users: number;
  /** Share of users placed in groups; the rest are paired in direct chats. */
  readonly groupShare: number;
  readonly groupSize: Range;
  /** Share of users who send anything during the span ("active senders"). */
  readonly activeShare: number;
  /** Mean messages per active user over the span (Poisson). */
  readonly messagesPerUser: number;
  /** Share of messages sent over the WebSocket (the rest over HTTP). */
  readonly wsShare: number;
  /** Base weight of each hour of the day (24 numbers) before the peaks. */
  readonly hourly: readonly number[];
  /** Hours of day (0–23) whose rate is raised to `1 + peakBoost` times the average hour. */
  readonly peakHours: readonly number[];
  readonly peakBoost: number;
  /** Share of active senders who attempt at least one recall. */
  readonly attemptShare: number;
  /** After each attempt, the chance that the same user makes another (geometric), up to maxAttempts. */
  readonly repeatShare: number;
  readonly maxAttempts: number;
  /** Share of attempts made after the sender's recall window. */
  readonly lateShare: number;
  /** Send-to-attempt delay, in multiples of the window, for attempts within and after it (log-uniform). */
  readonly withinDelay: Range;
  readonly lateDelay: Range;
  /** What a denied sender does next. */
  readonly followUps: FollowUpShares;
  /** Seconds (simulated) between a denial and the follow-up (uniform). */
  readonly followUpDelay: Range;
  /** The server's `analytics.followUpSeconds`: how long it waits for a follow-up. */
  readonly followUpSeconds: number;
  /** The simulated day, YYYY-MM-DD; null: today in `tz`. */
  readonly date: string | null;
  readonly tz: string;
  /** The simulated span within the day: [startHour, endHour), whole hours. */
  readonly hours: Range;
  /** Real seconds the span takes (sets the clock speed in embedded mode). */
  readonly duration: number;
  /** Requests in flight at most. */
  readonly concurrency: number;
  /** Watchdog: the whole run is abandoned after this many real seconds. */
  readonly maxTime: number;
  /** Text put into every message body (the privacy test's canary). */
  readonly canary: string;
}

export const defaultParams: SimParams = {
  seed: 1,
  users: 200,
  groupShare: 0.5,
  groupSize: [3, 8],
  activeShare: 0.9,
  messagesPerUser: 15,
  wsShare: 0.5,
  hourly: Array.from({ length: 24 }, () => 1),
  peakHours: [10, 15],
  peakBoost: 0.4,
  attemptShare: 0.12,
  repeatShare: 0.2,
  maxAttempts: 5,
  lateShare: 0.67,
  withinDelay: [0.1, 0.7],
  lateDelay: [1.3, 10],
  followUps: { correction: 0.34, hide: 0.21, message: 0, none: 0.45 },
  followUpDelay: [5, 120],
  followUpSeconds: 600,
  date: null,
  tz: 'UTC',
  hours: [0, 24],
  duration: 60,
  concurrency: 32,
  maxTime: 180,
  canary: '',
};

/** Thrown with every problem found; the command prints them one per line. */
export class ParamsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid simulation parameters:\n  ${problems.join('\n  ')}`);
    this.name = 'ParamsError';
  }
}

const keys = Object.keys(defaultParams) as (keyof SimParams)[];

/** Merges layers over the defaults (later wins; `followUps` key by key) and validates the result. */
export function resolveParams(...layers: readonly Partial<Record<string, unknown>>[]): SimParams {
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...defaultParams };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (!(keys as string[]).includes(key)) {
        problems.push(`unknown parameter '${key}' (known: ${keys.join(', ')})`);
        continue;
      }
      merged[key] =
        key === 'followUps' && isRecord(value)
          ? { ...(merged['followUps'] as Record<string, unknown>), ...value }
          : value;
    }
  }
  problems.push(...validate(merged));
  if (problems.length > 0) throw new ParamsError(problems);
  return merged as unknown as SimParams;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function validate(p: Record<string, unknown>): string[] {
  const out: string[] = [];
  const num = (key: string, min: number, max: number, integer = false): void => {
    const v = p[key];
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      v < min ||
      v > max ||
      (integer && !Number.isInteger(v))
    )
      out.push(
        `${key}: ${JSON.stringify(v)} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
      );
  };
  const range = (key: string, min: number, max: number, integer = false): void => {
    const v = p[key];
    const ok =
      Array.isArray(v) &&
      v.length === 2 &&
      v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= min && x <= max) &&
      (!integer || v.every((x) => Number.isInteger(x))) &&
      (v[0] as number) <= (v[1] as number);
    if (!ok) out.push(`${key}: ${JSON.stringify(v)} must be [low, high] with ${min} ≤ low ≤ high ≤ ${max}`);
  };
  num('seed', 0, 2 ** 32 - 1, true);
  num('users', 4, 5000, true);
  num('groupShare', 0, 1);
  range('groupSize', 3, 100, true);
  num('activeShare', 0.01, 1);
  num('messagesPerUser', 1, 2000);
  num('wsShare', 0, 1);
  num('peakBoost', 0, 5);
  num('attemptShare', 0, 1);
  num('repeatShare', 0, 0.95);
  num('maxAttempts', 1, 50, true);
  num('lateShare', 0, 1);
  range('withinDelay', 0.01, 0.9);
  range('lateDelay', 1.1, 1000);
  range('followUpDelay', 1, 86_400);
  num('followUpSeconds', 1, 86_400, true);
  range('hours', 0, 24, true);
  num('duration', 1, 3600);
  num('concurrency', 1, 1000, true);
  num('maxTime', 5, 86_400);
  const hourly = p['hourly'];
  if (!Array.isArray(hourly) || hourly.length !== 24 || !hourly.every((w) => typeof w === 'number' && w >= 0))
    out.push('hourly: must be 24 weights ≥ 0, one per hour of day');
  const peaks = p['peakHours'];
  if (!Array.isArray(peaks) || !peaks.every((h) => Number.isInteger(h) && h >= 0 && h <= 23))
    out.push('peakHours: must be hours of day, integers 0–23');
  else if (new Set(peaks).size !== peaks.length) out.push('peakHours: an hour is listed twice');
  const hours = p['hours'] as number[];
  if (Array.isArray(hours) && hours[0] === hours[1]) out.push('hours: the span is empty');
  const f = p['followUps'];
  const names = ['correction', 'hide', 'message', 'none'];
  if (!isRecord(f) || Object.keys(f).some((k) => !names.includes(k))) {
    out.push(`followUps: must be an object with ${names.join(', ')}`);
  } else {
    const values = names.map((n) => f[n]);
    if (!values.every((v) => typeof v === 'number' && v >= 0 && v <= 1))
      out.push('followUps: every share must be a number from 0 to 1');
    else if (Math.abs((values as number[]).reduce((a, b) => a + b, 0) - 1) > 1e-6)
      out.push(
        `followUps: the shares must add up to 1 (they add up to ${(values as number[]).reduce((a, b) => a + b, 0)})`,
      );
  }
  const delay = p['followUpDelay'];
  const period = p['followUpSeconds'];
  if (Array.isArray(delay) && typeof period === 'number' && (delay[1] as number) > period * 0.8)
    out.push(
      `followUpDelay: must end by 80% of followUpSeconds (${period * 0.8} s), or the server would count "none"`,
    );
  if (
    p['date'] !== null &&
    (typeof p['date'] !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(p['date'] as string))
  )
    out.push('date: must be YYYY-MM-DD');
  if (typeof p['tz'] !== 'string' || !isTimeZone(p['tz']))
    out.push(`tz: '${String(p['tz'])}' is not an IANA time zone`);
  if (typeof p['canary'] !== 'string' || (p['canary'] as string).length > 200)
    out.push('canary: must be a string of at most 200 characters');
  return out;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
