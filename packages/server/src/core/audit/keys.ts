import { createPublicKey, type KeyObject } from 'node:crypto';
import { sha256 } from './digest.js';

/**
 * Ed25519 public keys at the boundary. A public key travels as the base64 (standard alphabet, padded) of
 * its raw 32 bytes — 44 characters: short enough for a bundle, a config line or a QR code, and the form
 * most Ed25519 tools (minisign, signify, ssh's wire format) can produce; SPKI PEM would add a fixed
 * 12-byte header and line wrapping for nothing. Generating and storing keys is not done here (that is
 * I/O); these functions only take and make KeyObjects.
 */

export const publicKeyLength = 32;

/**
 * A short, stable name for a key: the first 16 hex characters (64 bits) of SHA-256 over the raw public
 * key. Checkpoints carry it so a verifier holding several keys (after a rotation) picks the right one.
 * Accepts a private key too (its public half is used).
 */
export function keyIdOf(key: KeyObject): string {
  return sha256(rawPublicKey(key)).toString('hex').slice(0, 16);
}

/** The public key as base64 of its raw 32 bytes. Accepts a private key (exports its public half). */
export function exportPublicKey(key: KeyObject): string {
  return rawPublicKey(key).toString('base64');
}

/** The inverse of `exportPublicKey`. Throws `TypeError` unless given exactly 32 bytes in canonical base64. */
export function importPublicKey(encoded: string): KeyObject {
  const raw = decodeBase64Exact(encoded, publicKeyLength);
  if (raw === null) throw new TypeError('not an Ed25519 public key (base64 of 32 raw bytes)');
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

/** The raw 32-byte Ed25519 public key of a public or private KeyObject. */
export function rawPublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TypeError(`expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  return Buffer.from(String(jwk.x), 'base64url');
}

/**
 * Decodes base64 only if it is the canonical encoding of exactly `length` bytes. Node's decoder skips
 * invalid characters and ignores bad padding, so without the round trip two different strings could
 * stand for one key or signature.
 */
export function decodeBase64Exact(encoded: unknown, length: number): Buffer | null {
  if (typeof encoded !== 'string') return null;
  const bytes = Buffer.from(encoded, 'base64');
  return bytes.length === length && bytes.toString('base64') === encoded ? bytes : null;
}
