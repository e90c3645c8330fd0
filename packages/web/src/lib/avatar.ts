import type { Conversation } from '@retract/sdk';

/**
 * Avatars without images: initials on a colour picked from the id, so a person or a group keeps the same
 * colour on every device. Every colour carries white text at 4.5:1 or more (checked by the unit tests),
 * in light and dark themes alike.
 */
export const avatarPalette = [
  '#b42318',
  '#b54708',
  '#027a48',
  '#0e7090',
  '#175cd3',
  '#5925dc',
  '#9e1a6c',
  '#475467',
  '#3e4784',
  '#93370d',
] as const;

export const avatarText = '#ffffff';

/** Up to two letters: the first of the first two words, or the first character of a CJK name. */
export function initials(name: string): string {
  const words = name
    .trim()
    .split(/[\s,，、._\-@]+/u)
    .filter((w) => w !== '');
  if (words.length === 0) return '?';
  const first = (word: string): string => Array.from(word)[0] ?? '';
  const letters =
    words.length === 1 || /[\u3400-\u9fff]/u.test(first(words[0] ?? ''))
      ? first(words[0] ?? '')
      : first(words[0] ?? '') + first(words[1] ?? '');
  return letters.toLocaleUpperCase();
}

/** FNV-1a over the id's UTF-16 units: cheap, stable, and spreads similar ids across the palette. */
export function avatarColor(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return avatarPalette[hash % avatarPalette.length] ?? avatarPalette[0];
}

/** WCAG 2 relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const value = /^#?([0-9a-f]{6})$/i.exec(hex.trim())?.[1];
  if (value === undefined) throw new Error(`not a #rrggbb colour: ${hex}`);
  const channel = (offset: number): number => {
    const c = parseInt(value.slice(offset, offset + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
}

/** WCAG 2 contrast ratio between two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** A direct chat wears the other person's colour, as their messages do; a group its own. */
export function avatarId(conversation: Conversation, myId: string | null): string {
  if (conversation.kind !== 'direct') return conversation.id;
  return conversation.members.find((m) => m.userId !== myId)?.userId ?? conversation.id;
}
