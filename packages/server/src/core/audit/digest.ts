import * as crypto from 'node:crypto';

/**
 * Hash conventions for the audit log.
 *
 * At every public boundary a hash is a `HexHash`: 64 lowercase hex characters (SHA-256). That form goes
 * into JSON, SQL columns and evidence bundles unchanged, and two hashes compare with `===`. Inside the
 * Merkle code hashes are 32-byte Buffers, converted once at the edge, because a verifier streams millions
 * of leaves and re-encoding every intermediate node would double its work. The Buffer-level helpers here
 * are for the audit core itself and are not re-exported from `index.ts`.
 */
export type HexHash = string;

export const hashLength = 32;

const hexHashPattern = /^[0-9a-f]{64}$/;

/** A SHA-256 hash in the public form: exactly 64 lowercase hex characters. */
export function isHexHash(value: unknown): value is HexHash {
  return typeof value === 'string' && hexHashPattern.test(value);
}

/**
 * Decodes a `HexHash`, strictly. `Buffer.from(s, 'hex')` silently stops at the first non-hex character
 * (`'zz…'` decodes to an empty buffer), which would let a malformed hash compare as something else.
 */
export function hashFromHex(hex: string): Buffer {
  if (!isHexHash(hex))
    throw new TypeError(`not a SHA-256 hash (64 lowercase hex characters): ${preview(hex)}`);
  return Buffer.from(hex, 'hex');
}

export function hashToHex(hash: Uint8Array): HexHash {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('hex');
}

// One-shot hashing (Node ≥ 20.12) skips the Hash object per call: a verifier hashes each row about
// log2(n) times, and those objects were most of its garbage.
const oneShot = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'buffer') => Buffer })
  .hash;

/** SHA-256 over the concatenation of `parts`. */
export function sha256(...parts: readonly Uint8Array[]): Buffer {
  if (oneShot !== undefined)
    return oneShot('sha256', parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts), 'buffer');
  const h = crypto.createHash('sha256');
  for (const part of parts) h.update(part);
  return h.digest();
}

/** A short, safe rendering of a value for an error message. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
