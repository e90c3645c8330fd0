import type { stats } from '@retract/protocol';

/**
 * The server keeps send-to-attempt times in fine buckets (5 s steps near the usual windows); a terminal
 * histogram reads better in fewer bins. These edges are all server edges, so no bucket is split; the
 * policy window is added as an edge of its own so the chart can mark it.
 */
const DISPLAY_EDGES = [0, 15, 30, 60, 90, 120, 180, 300, 600, 900, 1800, 3600, 7200, 21_600, 86_400];

export interface DelayBin {
  readonly from: number;
  readonly to: number | null;
  readonly recalled: number;
  readonly denied: number;
}

export function delayBins(
  buckets: stats.RecallStats['delay']['buckets'],
  windowSeconds: number | null,
): DelayBin[] {
  const edges = [...new Set([...DISPLAY_EDGES, ...(windowSeconds ? [windowSeconds] : [])])].sort(
    (a, b) => a - b,
  );
  const bins = edges.map((from, i) => ({ from, to: edges[i + 1] ?? null, recalled: 0, denied: 0 }));
  for (const b of buckets) {
    // The last display bin whose start is at or before the bucket's start holds it.
    let i = 0;
    while (i + 1 < edges.length && edges[i + 1]! <= b.fromSeconds) i += 1;
    bins[i]!.recalled += b.recalled;
    bins[i]!.denied += b.denied;
  }
  // Trailing empty bins say nothing.
  while (bins.length > 1 && bins.at(-1)!.recalled + bins.at(-1)!.denied === 0) bins.pop();
  return bins;
}
