/** Masking helpers: previews show just enough to recognise the value, never the value itself. */

export const DOT = '•';

/** Keep the first `head` and last `tail` characters of `s`, replacing the rest one-for-one with dots. */
export function maskMiddle(s: string, head: number, tail: number): string {
  if (s.length <= head + tail) return DOT.repeat(s.length);
  return s.slice(0, head) + DOT.repeat(s.length - head - tail) + s.slice(s.length - tail);
}

/** Split into groups of `size` separated by spaces: '6222••••••••1234' → '6222 •••• •••• 1234'. */
export function group(s: string, size: number): string {
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += size) parts.push(s.slice(i, i + size));
  return parts.join(' ');
}

/** A secret: show a recognisable prefix (a key's type marker) and a fixed run of dots, no length leak. */
export function maskSecret(prefix: string): string {
  return `${prefix}${DOT.repeat(8)}`;
}
