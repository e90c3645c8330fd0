import { digitsOnly } from './checks.js';
import { DOT } from './mask.js';
import type { Detector, Finding } from './types.js';

// Mainland China mobile: 1[3-9]x xxxx xxxx, optional +86/0086, optional single space/dash separators in
// the 3-4-4 grouping. Must not sit inside a longer digit run (digits or dash-joined digits on either side);
// a space before or after is fine, so "13812345678 13912345678" is two numbers.
const CN_MOBILE =
  /(?<![0-9A-Za-z_+]|\d-)((?:\+86|0086)[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?![0-9A-Za-z_]|-?\d)/g;
// E.164: '+', country code 1-9, then digits with optional single separators (space, dash, dot, or
// parentheses around an area code); 8-15 digits in total, checked after matching.
const E164 = /(?<![0-9A-Za-z_+])\+[1-9][\d ().-]{6,24}\d(?![0-9A-Za-z_]|-?\d)/g;

function e164Shape(s: string): boolean {
  const n = digitsOnly(s).length;
  if (n < 8 || n > 15) return false;
  if (/[ .-]{2}|[ .-]\)|\([ .-]/.test(s)) return false;
  const open = s.split('(').length - 1;
  const close = s.split(')').length - 1;
  return open === close && open <= 1 && (open === 0 || /\(\d{1,4}\)/.test(s));
}

export const detectPhoneNumber: Detector = (text) => {
  const out: Finding[] = [];
  for (const m of text.matchAll(CN_MOBILE)) {
    const [whole, prefix, head = '', , last = ''] = m;
    out.push({
      detector: 'phone_number',
      start: m.index,
      end: m.index + whole.length,
      preview: `${prefix ? '+86 ' : ''}${head} ${DOT.repeat(4)} ${last}`,
      reason:
        'looks like a mainland China mobile number: 11 digits starting 1 then 3-9' +
        (prefix ? ', with the +86 country code' : ''),
      confidence: 'medium',
    });
  }
  for (const m of text.matchAll(E164)) {
    if (!e164Shape(m[0])) continue;
    const digits = digitsOnly(m[0]);
    out.push({
      detector: 'phone_number',
      start: m.index,
      end: m.index + m[0].length,
      preview: `+${digits.slice(0, 2)}${DOT.repeat(digits.length - 4)}${digits.slice(-2)}`,
      reason: `looks like an international phone number in E.164 form: '+' and ${digits.length} digits`,
      confidence: 'medium',
    });
  }
  return out;
};
