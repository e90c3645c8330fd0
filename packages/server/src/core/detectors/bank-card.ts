import { digitsOnly, looksLikeYyyymmdd, luhnValid } from './checks.js';
import { group, maskMiddle } from './mask.js';
import type { Detector, Finding } from './types.js';

interface Network {
  readonly name: string;
  /** Inclusive IIN ranges, compared on the first `digits` digits. */
  readonly ranges: ReadonlyArray<readonly [number, number, number]>; // [digits, from, to]
  readonly lengths: readonly number[];
}

const span = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Issuer identification number prefixes with the card lengths each network actually issues. */
export const CARD_NETWORKS: readonly Network[] = [
  { name: 'Visa', ranges: [[1, 4, 4]], lengths: [13, 16, 19] },
  {
    name: 'Mastercard',
    ranges: [
      [2, 51, 55],
      [4, 2221, 2720],
    ],
    lengths: [16],
  },
  {
    name: 'American Express',
    ranges: [
      [2, 34, 34],
      [2, 37, 37],
    ],
    lengths: [15],
  },
  { name: 'UnionPay', ranges: [[2, 62, 62]], lengths: span(16, 19) },
  {
    name: 'Discover',
    ranges: [
      [4, 6011, 6011],
      [3, 644, 649],
      [2, 65, 65],
    ],
    lengths: span(16, 19),
  },
  { name: 'JCB', ranges: [[4, 3528, 3589]], lengths: span(16, 19) },
  {
    name: 'Diners Club',
    ranges: [
      [3, 300, 305],
      [2, 36, 36],
      [2, 38, 39],
    ],
    lengths: span(14, 19),
  },
  { name: 'Mir', ranges: [[4, 2200, 2204]], lengths: span(16, 19) },
  {
    name: 'Maestro',
    ranges: [
      [2, 50, 50],
      [2, 56, 58],
      [4, 6304, 6304],
      [4, 6759, 6759],
      [4, 6761, 6763],
    ],
    lengths: span(13, 19),
  },
];

function network(digits: string): { name: string; prefix: string } | null {
  for (const n of CARD_NETWORKS) {
    if (!n.lengths.includes(digits.length)) continue;
    for (const [len, from, to] of n.ranges) {
      const p = Number(digits.slice(0, len));
      if (p >= from && p <= to) return { name: n.name, prefix: digits.slice(0, len) };
    }
  }
  return null;
}

// Either one contiguous run of 13-19 digits, or the printed groupings 4-4-4-(1..4)[-3] and 4-6-(4|5) with
// one consistent separator (space or dash). Neither may start or end inside a longer digit run: no digit,
// letter or '+' (a phone number) right before, no digit or letter right after, nothing dash-joined; a grouped
// number also may not be continued by a further space-joined 4-digit group. Bounded quantifiers only.
const CARD = new RegExp(
  [
    String.raw`(?<![0-9A-Za-z_+]|\d-)\d{13,19}(?![0-9A-Za-z_]|-\d)`,
    String.raw`(?<![0-9A-Za-z_+]|\d-|\d{4} )(?:\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![0-9A-Za-z_]|-\d| \d{4})`,
  ].join('|'),
  'g',
);

function judge(digits: string): { confidence: 'high' | 'medium'; reason: string } | null {
  if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return null;
  const net = network(digits);
  if (net) {
    return {
      confidence: 'high',
      reason: `valid bank card number: ${digits.length} digits, Luhn checksum passes, issuer prefix ${net.prefix} (${net.name})`,
    };
  }
  // Without a known issuer the Luhn check alone passes one number in ten, so drop the shapes that are
  // usually something else: major industry identifier 0/1 (no card issuer; millisecond timestamps start with
  // 1), a leading yyyymmdd (date-stamped order numbers), or one repeated digit.
  if (digits[0] === '0' || digits[0] === '1') return null;
  if (looksLikeYyyymmdd(digits.slice(0, 8))) return null;
  if (/^(\d)\1*$/.test(digits)) return null;
  return {
    confidence: 'medium',
    reason: `possible bank card number: ${digits.length} digits and the Luhn checksum passes, but no known issuer prefix for that length`,
  };
}

export const detectBankCard: Detector = (text) => {
  const out: Finding[] = [];
  for (const m of text.matchAll(CARD)) {
    const sep = m[1] ?? m[2];
    const candidates = [m[0]];
    // 4-4-4-4-3: if the 19-digit reading fails, the trailing 3 digits may be a CVV after a 16-digit card.
    if (sep !== undefined && m[0].split(sep).length === 5) candidates.push(m[0].slice(0, 19));
    const groups = sep === undefined ? [] : m[0].split(sep);
    if (groups.length === 5 && groups[3]?.length !== 4) continue;
    for (const raw of candidates) {
      const digits = digitsOnly(raw);
      const verdict = judge(digits);
      if (!verdict) continue;
      out.push({
        detector: 'bank_card',
        start: m.index,
        end: m.index + raw.length,
        preview: group(maskMiddle(digits, 4, 4), 4),
        reason: verdict.reason,
        confidence: verdict.confidence,
      });
      break;
    }
  }
  return out;
};
