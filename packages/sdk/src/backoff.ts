export interface BackoffOptions {
  /** Upper bound of the first delay. */
  readonly baseMs: number;
  /** No delay ever exceeds this. */
  readonly maxMs: number;
}

export const defaultBackoff: BackoffOptions = { baseMs: 250, maxMs: 10_000 };

/**
 * Exponential backoff with full jitter: uniform in [0, min(maxMs, baseMs · 2^attempt)).
 * Full jitter (rather than a fixed ladder) spreads out the reconnect storm when a node dies and all of
 * its clients lose their socket at the same instant.
 *
 * @param attempt 0 for the first retry.
 * @param random  a source in [0, 1), injectable for tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  // Cap the exponent: 2^31 is already far beyond any sane maxMs, and avoids Infinity.
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(Math.max(attempt, 0), 31));
  return Math.floor(random() * ceiling);
}
