import { DETECTOR_NAMES, type Finding } from './types.js';

const RANK = new Map(DETECTOR_NAMES.map((name, i) => [name, i]));

/**
 * Keep a non-overlapping subset, most specific first: high confidence beats medium, then the detector order
 * in DETECTOR_NAMES (a JWT is an api_key, not a high_entropy_token; an email containing a phone number is an
 * email), then the longer span, then the earlier one. Result sorted by start.
 */
export function resolveOverlaps(candidates: readonly Finding[]): Finding[] {
  const ordered = [...candidates]
    .filter((f) => f.end > f.start)
    .sort(
      (a, b) =>
        (a.confidence === b.confidence ? 0 : a.confidence === 'high' ? -1 : 1) ||
        (RANK.get(a.detector) ?? 0) - (RANK.get(b.detector) ?? 0) ||
        b.end - b.start - (a.end - a.start) ||
        a.start - b.start,
    );
  const kept: Finding[] = []; // non-overlapping, sorted by start
  for (const f of ordered) {
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((kept[mid]?.start ?? 0) < f.start) lo = mid + 1;
      else hi = mid;
    }
    const before = kept[lo - 1];
    const after = kept[lo];
    if (before && before.end > f.start) continue;
    if (after && after.start < f.end) continue;
    kept.splice(lo, 0, f);
  }
  return kept;
}
