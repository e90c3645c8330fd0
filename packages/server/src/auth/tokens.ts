import { createHash, randomBytes } from 'node:crypto';

/**
 * Session tokens are 256 random bits. Only their SHA-256 is stored: a leaked database holds no usable
 * token, and a fast hash is enough for a secret with that much entropy.
 */
export function newToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
