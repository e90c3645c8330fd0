// Independent reference implementations (deliberately written differently from the detectors' own) and
// table helpers for the detector tests.
import assert from 'node:assert/strict';
import { detect, type DetectOptions, type DetectorName } from '../../src/core/detectors/index.js';

/** Luhn via the doubled-digit lookup table. */
export function refLuhn(digits: string): boolean {
  const doubled = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
  const sum = [...digits].reverse().reduce((acc, ch, i) => acc + (i % 2 ? doubled[+ch]! : +ch), 0);
  return sum % 10 === 0;
}

/** Append the Luhn check digit. */
export function withLuhn(partial: string): string {
  for (let d = 0; d <= 9; d++) if (refLuhn(partial + d)) return partial + d;
  throw new Error('unreachable');
}

/** ISO 7064 MOD 11-2 from its definition: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11. */
export function refIdCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const c = (12 - (sum % 11)) % 11;
  return c === 10 ? 'X' : String(c);
}

export function withIdCheck(first17: string): string {
  return first17 + refIdCheck(first17);
}

/** A wrong check character for the same 17 digits. */
export function wrongIdCheck(first17: string): string {
  const right = refIdCheck(first17);
  return first17 + (right === '0' ? '1' : '0');
}

export interface Row {
  readonly text: string;
  /** Expected findings as [detector, exact matched substring, confidence]; [] for none. */
  readonly want: ReadonlyArray<readonly [DetectorName, string, 'high' | 'medium']>;
  readonly why?: string;
}

export function summaryOf(text: string, options?: DetectOptions) {
  return detect(text, options).map((f) => [f.detector, text.slice(f.start, f.end), f.confidence] as const);
}

export function check(row: Row, options?: DetectOptions): void {
  assert.deepEqual(summaryOf(row.text, options), row.want, `${row.why ?? ''} ${JSON.stringify(row.text)}`);
}
