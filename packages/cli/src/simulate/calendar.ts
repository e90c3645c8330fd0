/**
 * Calendar positions in an IANA time zone, for placing the simulated day and for counting what the
 * simulator did per day and hour the way the server reports them.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

interface Local {
  readonly day: string;
  readonly hour: number;
  /** The wall-clock reading as if it were UTC, in ms: its difference from the instant is the offset. */
  readonly wallMs: number;
}

export function localOf(ms: number, tz: string): Local {
  const p: Record<string, string> = {};
  for (const part of formatter(tz).formatToParts(ms)) p[part.type] = part.value;
  const day = `${p['year']}-${p['month']}-${p['day']}`;
  const hour = Number(p['hour']);
  const wallMs = Date.parse(`${day}T${p['hour']}:${p['minute']}:${p['second']}Z`) + (ms % 1000);
  return { day, hour, wallMs };
}

/**
 * The instant at which the wall clock in `tz` reads `day` `hour`:00. Two passes settle the offset even
 * across a daylight-saving change; an hour that does not exist (spring forward) lands just after it.
 */
export function instantOf(day: string, hour: number, tz: string): number {
  const wall = Date.parse(`${day}T00:00:00Z`) + hour * 3_600_000;
  let guess = wall;
  for (let i = 0; i < 2; i++) guess = wall - (localOf(guess, tz).wallMs - guess);
  return guess;
}

/** Today's date in `tz`. */
export function todayIn(tz: string, now = Date.now()): string {
  return localOf(now, tz).day;
}
