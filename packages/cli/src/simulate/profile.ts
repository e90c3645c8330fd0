import type { SimParams } from './params.js';

/**
 * The hourly traffic profile: the base weights, with each peak hour raised so that it carries
 * `1 + peakBoost` times the average hour of the day. That is how "peaks at +40%" reads, and it is the
 * figure the server's attempts-by-hour table shows (an hour against the average of all 24).
 */
export function hourWeights(p: Pick<SimParams, 'hourly' | 'peakHours' | 'peakBoost'>): number[] {
  const peaks = new Set(p.peakHours);
  const base = p.hourly.map((w, h) => (peaks.has(h) ? 0 : w));
  const rest = base.reduce((a, b) => a + b, 0);
  const factor = 1 + p.peakBoost;
  // x = factor · (rest + k·x) / 24, solved for x: every peak hour gets the same weight x.
  const denominator = 24 - peaks.size * factor;
  if (peaks.size > 0 && (denominator <= 0 || rest === 0)) {
    throw new Error(
      'peakHours × (1 + peakBoost) leaves no room for the other hours: fewer peaks or a smaller boost',
    );
  }
  const peak = peaks.size > 0 ? (factor * rest) / denominator : 0;
  return base.map((w, h) => (peaks.has(h) ? peak : w));
}

/** The probability that an event falls in each hour of day, given it falls within [from, to). */
export function spanShares(weights: readonly number[], hours: readonly [number, number]): number[] {
  const inSpan = weights.map((w, h) => (h >= hours[0] && h < hours[1] ? w : 0));
  const total = inSpan.reduce((a, b) => a + b, 0);
  if (total === 0) throw new Error('the hourly weights are all 0 within the simulated hours');
  return inSpan.map((w) => w / total);
}

/**
 * What the server's "peak hours against the average" should read for these parameters: the mean share
 * of the peak hours within the span, against 1/24 (the server averages over all 24 hours).
 */
export function expectedPeakRatio(shares: readonly number[], peakHours: readonly number[]): number | null {
  if (peakHours.length === 0) return null;
  const mean = peakHours.reduce((a, h) => a + (shares[h] ?? 0), 0) / peakHours.length;
  return mean * 24;
}

/** The share of events expected in the peak hours (for a tolerance on the peak ratio). */
export function peakShare(shares: readonly number[], peakHours: readonly number[]): number {
  return peakHours.reduce((a, h) => a + (shares[h] ?? 0), 0);
}
