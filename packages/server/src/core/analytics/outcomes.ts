import { DELAY_EDGES } from './delay-buckets.js';

/**
 * How the figures read a stored row: its outcome (`recalled` or a denial code) and
 * its delay bucket.
 */

/** Denials a longer window would have turned into recalls: the window had passed, or only consent was left. */
const WINDOW_DENIALS = new Set(['recall_window_expired', 'needs_consent']);

/**
 * `recalled` is the one allowed outcome; every other is a denial code. (A repeat on a recalled message is
 * answered with its tombstone and not recorded at all: it is no new decision.)
 */
export function isAllowed(outcome: string): boolean {
  return outcome === 'recalled';
}

export function isWindowDenial(outcome: string): boolean {
  return WINDOW_DENIALS.has(outcome);
}

/** `part ÷ whole`, or null when there is nothing to divide by (0 % of nothing is not 0 %). */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** A bucket index from storage, held to the known buckets so every count lands somewhere. */
export function clampBucket(index: number): number {
  return Math.min(Math.max(0, Math.trunc(index)), DELAY_EDGES.length - 1);
}
