import { randomBytes } from 'node:crypto';

/**
 * Opaque ids with a one-letter kind prefix; 96 random bits make collisions negligible. Kinds: user,
 * device, conversation, message, attachment, job (bulk recall), k: consent request.
 */
export type IdKind = 'u' | 'd' | 'c' | 'm' | 'a' | 'j' | 'k';

export function newId(kind: IdKind): string {
  return `${kind}_${randomBytes(12).toString('base64url')}`;
}
