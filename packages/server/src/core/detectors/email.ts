import { DOT } from './mask.js';
import type { Detector, Finding } from './types.js';

// Pragmatic address shape: a local part of up to 64 common characters that starts a run (so a long run of
// letters is scanned once, not from every position), '@', then dot-separated DNS labels and an alphabetic
// top-level domain of 2-24 letters. Trailing punctuation is never part of the match because a label cannot
// end with '.' or '-'. Dotless domains ("user@localhost", "a@b") are deliberately not matched.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9_-]|\.[A-Za-z0-9])/g;

export const detectEmail: Detector = (text) => {
  const out: Finding[] = [];
  for (const m of text.matchAll(EMAIL)) {
    const at = m[0].indexOf('@');
    out.push({
      detector: 'email',
      start: m.index,
      end: m.index + m[0].length,
      preview: `${m[0].charAt(0)}${DOT.repeat(3)}${m[0].slice(at)}`,
      reason: `looks like an e-mail address: a local part, '@', and the domain ${m[0].slice(at + 1)}`,
      confidence: 'high',
    });
  }
  return out;
};
