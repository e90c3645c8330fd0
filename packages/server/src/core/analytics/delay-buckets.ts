/**
 * Send-to-attempt times are kept as counts per bucket, never per message. The edges are fine where
 * recall windows usually sit (seconds to minutes) so that a what-if for any common window — 1, 2, 5, 10,
 * 15, 30 minutes, an hour, a day — falls exactly on an edge; coarser beyond.
 */
function edges(): number[] {
  const out: number[] = [];
  for (let s = 0; s < 300; s += 5) out.push(s); // 5 s steps to 5 min
  for (let s = 300; s < 1800; s += 30) out.push(s); // 30 s steps to 30 min
  for (let s = 1800; s < 7200; s += 300) out.push(s); // 5 min steps to 2 h
  for (let s = 7200; s < 86_400; s += 3600) out.push(s); // 1 h steps to 1 day
  for (let s = 86_400; s < 7 * 86_400; s += 86_400) out.push(s); // 1 day steps to 7 days
  out.push(7 * 86_400); // the last bucket is open-ended
  return out;
}

/** `DELAY_EDGES[i]` is the lower bound (seconds, inclusive) of bucket i; the last bucket has no upper bound. */
export const DELAY_EDGES: readonly number[] = Object.freeze(edges());

/** The bucket of a send-to-attempt time in seconds (negative counts as 0). */
export function delayBucketOf(seconds: number): number {
  const s = Math.max(0, seconds);
  let lo = 0;
  let hi = DELAY_EDGES.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (DELAY_EDGES[mid]! <= s) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Bucket i covers [from, to) seconds; `to` is null for the last, open-ended one. */
export function delayBucketRange(index: number): { from: number; to: number | null } {
  return { from: DELAY_EDGES[index]!, to: DELAY_EDGES[index + 1] ?? null };
}
