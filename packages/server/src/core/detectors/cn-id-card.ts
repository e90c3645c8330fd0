import { idCheckChar, isCalendarDate } from './checks.js';
import { DOT } from './mask.js';
import type { Detector, Finding } from './types.js';

// 18 characters, contiguous or grouped 6-8-4 with single spaces (the same separator twice); the last
// character may be X. Bounded quantifiers plus a look-behind that refuses to start inside a run keep this
// linear on adversarial input.
const ID18 = /(?<![0-9A-Za-z_])([1-9]\d{5})( ?)(\d{8})\2(\d{3}[0-9Xx])(?![0-9A-Za-z_])/g;
// Legacy first-generation IDs: 15 digits, yymmdd birth date in the 1900s, no check character.
const ID15 = /(?<![0-9A-Za-z_])[1-9]\d{14}(?![0-9A-Za-z_])/g;

function preview(chars: string): string {
  return chars.slice(0, 4) + DOT.repeat(chars.length - 8) + chars.slice(-4);
}

export const detectCnIdCard: Detector = (text, ctx) => {
  const out: Finding[] = [];
  for (const m of text.matchAll(ID18)) {
    const [whole, region = '', , birth = '', tail = ''] = m;
    const chars = (region + birth + tail).toUpperCase();
    const year = Number(birth.slice(0, 4));
    if (year < 1900 || year > ctx.currentYear) continue;
    if (!isCalendarDate(year, Number(birth.slice(4, 6)), Number(birth.slice(6, 8)))) continue;
    const check = chars.charAt(17);
    if (idCheckChar(chars.slice(0, 17)) !== check) continue;
    out.push({
      detector: 'cn_id_card',
      start: m.index,
      end: m.index + whole.length,
      preview: preview(chars),
      reason:
        `valid PRC resident ID number: 18 characters, ISO 7064 MOD 11-2 check character ${check === 'X' ? 'X' : 'digit'} ` +
        `matches, birth date is a real calendar date between 1900 and ${ctx.currentYear}, region code starts 1-9`,
      confidence: 'high',
    });
  }
  for (const m of text.matchAll(ID15)) {
    const digits = m[0];
    const yy = Number(digits.slice(6, 8));
    if (!isCalendarDate(1900 + yy, Number(digits.slice(8, 10)), Number(digits.slice(10, 12)))) continue;
    out.push({
      detector: 'cn_id_card',
      start: m.index,
      end: m.index + digits.length,
      preview: preview(digits),
      reason:
        'possible legacy (15-digit) PRC resident ID number: digits 7-12 form a real 19yy-mm-dd birth date; ' +
        'this format has no checksum',
      confidence: 'medium',
    });
  }
  return out;
};
