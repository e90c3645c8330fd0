import { SLOT_MS } from '../../storage/analytics-records.js';

/**
 * Periods and calendar days for the analytics figures. Pure: instants are inputs, never read from a clock.
 */

/** A report covers at most this many days: past it, the figures would outlive the data's retention anyway. */
export const MAX_PERIOD_DAYS = 400;

const DAY_MS = 86_400_000;

/**
 * The smallest run of whole quarter-hour slots that contains [from, to): counts are kept per slot, so a
 * period cut inside one could not be answered exactly; rounding out says honestly what is counted.
 */
export function roundOutToSlots(from: number, to: number): { from: number; to: number } {
  return { from: Math.floor(from / SLOT_MS) * SLOT_MS, to: Math.ceil(to / SLOT_MS) * SLOT_MS };
}

/**
 * Every calendar day from `first` to `last` (`YYYY-MM-DD`, both included). Calendar arithmetic only, done
 * in UTC where every day has 24 hours, so no zone's daylight-saving change can skip or repeat a day.
 */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let ms = Date.parse(`${first}T00:00:00Z`); ms <= end; ms += DAY_MS) {
    out.push(new Date(ms).toISOString().slice(0, 10));
  }
  return out;
}
