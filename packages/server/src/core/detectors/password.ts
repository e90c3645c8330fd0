import { maskSecret } from './mask.js';
import type { Confidence, Detector, Finding } from './types.js';

// English cue word, then ':' / '=' / '：' or the verb 'is'/'was', then a quoted string or a token of up to
// 128 non-space characters.
const EN =
  /(?<![A-Za-z])(password|passwd|passcode|passphrase|pwd|pin)(?:\s{0,3}([:=：])[ \t]{0,3}|\s{1,3}(is|was):?[ \t]{1,3})("[^"\n]{1,128}"|'[^'\n]{1,128}'|“[^”\n]{1,128}”|\S{1,128})/gi;
// Chinese cue (密码, 密碼, 口令), optional '是'/'为'/':' etc., then an ASCII token (passwords are typed in ASCII,
// and requiring it is what separates "密码：abc123" from "密码忘了").
const ZH = /(密码|密碼|口令)[ \t]{0,3}([:=：]|是|为|為)?[ \t]{0,3}([\x21-\x7E]{1,128})/g;

// Sentence punctuation after the token. '!' and '?' are kept: they are common inside passwords.
const TRAILING_PUNCT = /[.,;:)\]}>。，；：、）】」]+$/;
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '`': '`', '“': '”', '‘': '’', '「': '」' };

interface Token {
  readonly start: number;
  readonly value: string;
  readonly quoted: boolean;
}

/** Strip wrapping quotes and sentence punctuation from a raw token starting at `start`. */
function clean(raw: string, start: number): Token | null {
  const close = QUOTES[raw.charAt(0)];
  if (close !== undefined) {
    const end = raw.indexOf(close, 1);
    if (end > 1) return { start: start + 1, value: raw.slice(1, end), quoted: true };
    raw = raw.slice(1);
    start += 1;
  }
  const value = raw.replace(TRAILING_PUNCT, '');
  return value.length === 0 ? null : { start, value, quoted: false };
}

/** Placeholders and already-masked values are not secrets. */
function placeholder(v: string): boolean {
  if (/^(.)\1*$/u.test(v) || /^[$<{%[]/.test(v)) return true;
  // Paths and links: "pwd: /home/me" is the shell command's output, not a password.
  if (/^(?:~?\/|\.\.?\/|[A-Za-z]:\\|https?:)/i.test(v)) return true;
  return /^(?:x{3,}|none|null|n\/a|empty|unknown)$/i.test(v);
}

function secretLike(v: string): string | null {
  if (/\d/.test(v) && /[A-Za-z]/.test(v)) return 'mixes letters and digits';
  if (/\d/.test(v) && /\D/.test(v)) return 'mixes digits and symbols';
  if (/[^A-Za-z0-9]/.test(v)) return 'contains symbols';
  if (/[a-z]/.test(v) && /[A-Z]/.test(v.slice(1))) return 'mixes upper and lower case';
  if (/^\d+$/.test(v)) return 'is a number';
  return null;
}

function finding(start: number, value: string, cue: string, why: string, confidence: Confidence): Finding {
  return {
    detector: 'password',
    start,
    end: start + value.length,
    preview: maskSecret(''),
    reason: `follows the password cue "${cue}" and the token ${why}`,
    confidence,
  };
}

export const detectPassword: Detector = (text) => {
  const out: Finding[] = [];
  for (const m of text.matchAll(EN)) {
    const [whole, word = '', punct, verb, raw = ''] = m;
    const tok = clean(raw, m.index + whole.length - raw.length);
    if (!tok || placeholder(tok.value)) continue;
    const cue = punct ? `${word}${punct}` : `${word} ${verb ?? ''}`;
    if (word.toLowerCase() === 'pin') {
      if (/^\d{4,8}$/.test(tok.value))
        out.push(finding(tok.start, tok.value, cue, 'is a 4-8 digit PIN', 'high'));
      continue;
    }
    if (tok.value.length < 3) continue;
    const why = secretLike(tok.value);
    if (why) out.push(finding(tok.start, tok.value, cue, why, 'high'));
    else if (tok.quoted) out.push(finding(tok.start, tok.value, cue, 'is quoted', 'high'));
    // "pwd=swordfish" / "password:swordfish": a tight assignment reads as a value even if it is a plain word.
    else if (punct && raw.length === whole.length - whole.indexOf(punct) - 1)
      out.push(finding(tok.start, tok.value, cue, 'is assigned directly, without spaces', 'medium'));
  }
  for (const m of text.matchAll(ZH)) {
    const [whole, word = '', sep, raw = ''] = m;
    const tok = clean(raw, m.index + whole.length - raw.length);
    if (!tok || tok.value.length < 3 || placeholder(tok.value)) continue;
    out.push(
      finding(tok.start, tok.value, `${word}${sep ?? ''}`, 'is typed in ASCII right after it', 'high'),
    );
  }
  return out;
};
