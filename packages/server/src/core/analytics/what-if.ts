import type { stats } from '@retract/protocol';
import type { RecallBucketRecord } from '../../storage/analytics-records.js';
import { DELAY_EDGES, delayBucketRange } from './delay-buckets.js';
import { clampBucket, isAllowed, isWindowDenial, share } from './outcomes.js';

/**
 * "How many denials would a longer window have allowed?" (`GET /v1/admin/stats/what-if`). Pure. Only the
 * delay bucket of each denial is known, not its exact delay: a window on a bucket edge is answered
 * exactly; one inside a bucket counts that bucket in proportion, and says the figure is an estimate.
 */
export interface WhatIfOptions {
  /** UTC ms, a slot boundary (inclusive). */
  readonly from: number;
  /** UTC ms, a slot boundary (exclusive). */
  readonly to: number;
  /** The window to try, seconds (≥ 1). */
  readonly windowSeconds: number;
}

export function whatIf(rows: readonly RecallBucketRecord[], options: WhatIfOptions): stats.WhatIf {
  const { from, to, windowSeconds } = options;
  const perBucket = new Array<number>(DELAY_EDGES.length).fill(0);
  let denied = 0;
  for (const row of rows) {
    if (row.slot < from || row.slot >= to || row.count <= 0) continue;
    if (isAllowed(row.outcome) || !isWindowDenial(row.outcome)) continue;
    denied += row.count;
    perBucket[clampBucket(row.delayBucket)]! += row.count;
  }

  let allowed = 0;
  perBucket.forEach((count, i) => {
    const range = delayBucketRange(i);
    // A delay d is allowed when d < windowSeconds; a bucket is [from, to).
    if (range.to !== null && range.to <= windowSeconds) allowed += count;
    else if (range.to !== null && range.from < windowSeconds) {
      // Delays are assumed spread evenly across the bucket: linear share of it.
      allowed += (count * (windowSeconds - range.from)) / (range.to - range.from);
    }
    // The open-ended last bucket has no width to share out: nothing of it is counted (a lower bound).
  });
  const wouldAllow = Math.round(allowed);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    windowSeconds,
    deniedByWindow: denied,
    wouldAllow,
    share: share(wouldAllow, denied),
    estimated: !DELAY_EDGES.includes(windowSeconds),
  };
}
