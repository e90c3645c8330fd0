/** Order statistics of latency samples, in milliseconds. */
export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles; an empty sample gives NaN everywhere. */
export function distribution(samples: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const n = sorted.length;
  const at = (q: number): number => (n === 0 ? NaN : sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]!);
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: n === 0 ? NaN : sorted[n - 1]!,
    mean: n === 0 ? NaN : sum / n,
  };
}

/** Events per second over a span in milliseconds; 0 when nothing happened. */
export function rate(count: number, spanMs: number): number {
  return count > 0 && spanMs > 0 ? (count * 1000) / spanMs : 0;
}
