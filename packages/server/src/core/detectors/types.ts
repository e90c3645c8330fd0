/** Every detector, in order of specificity: when two findings overlap, the earlier name wins a tie. */
export const DETECTOR_NAMES = [
  'private_key',
  'api_key',
  'cn_id_card',
  'bank_card',
  'email',
  'phone_number',
  'password',
  'high_entropy_token',
] as const;

export type DetectorName = (typeof DETECTOR_NAMES)[number];

export type Confidence = 'high' | 'medium';

/** One piece of sensitive-looking content. Offsets are UTF-16 code units, `end` exclusive. */
export interface Finding {
  readonly detector: DetectorName;
  readonly start: number;
  readonly end: number;
  /** The matched text with its secret part masked, safe to show or log. */
  readonly preview: string;
  /** Plain-English explanation of why this matched. Never contains the unmasked value. */
  readonly reason: string;
  readonly confidence: Confidence;
}

export interface DetectOptions {
  /** Report only these detectors. Overlaps are still resolved against all detectors, so a finding's kind
   *  never depends on this filter (a JWT stays an `api_key` and is simply not reported). */
  readonly detectors?: readonly DetectorName[];
  /** Latest plausible birth year for ID numbers. Defaults to 2100 so the core stays clock-free; callers
   *  that know the date may pass the current year. */
  readonly currentYear?: number;
}

export interface DetectContext {
  readonly currentYear: number;
}

/** A detector scans the whole text and returns every candidate; overlaps are resolved afterwards. */
export type Detector = (text: string, ctx: DetectContext) => Finding[];
