import { timingSafeEqual } from 'node:crypto';
import { hashToHex, isHexHash, sha256, type HexHash } from './digest.js';

/**
 * Content commitments: proof of what a recalled message said, without keeping or revealing it.
 *
 * `commitment = SHA-256(commitmentDomain ‖ salt ‖ utf8(content))` with a 32-byte random salt. The log
 * entry (and an evidence bundle) carries only the commitment; the salt goes to whoever keeps the original
 * text, separately. Later, that person shows text and salt, and anyone can check they match a logged
 * commitment — while the log itself reveals nothing.
 *
 * Why a salt: messages are short and predictable ("ok", "yes", a phone number, an amount), and SHA-256 is
 * fast, so an unsalted hash of a message could be reversed by hashing candidate texts until one matches.
 * 256 random bits make every guess need the salt too. Why a fixed salt length: with a variable one,
 * (salt "ab", text "c") and (salt "a", text "bc") would hash alike, letting someone claim another text.
 *
 * The content is hashed exactly as stored (no Unicode normalization, no trimming): the commitment is to
 * the bytes the server held.
 */

export const commitmentAlgorithm = 'sha256-salted-v1';
export const commitmentDomain = 'retract-content-commitment-v1\n';
/** Salt length in bytes. Make one with `crypto.randomBytes(commitmentSaltLength)` (not here: this core is pure). */
export const commitmentSaltLength = 32;
/**
 * The `details` key under which a `message.recalled` entry carries the commitment. An evidence bundle's
 * commitment counts only if it is anchored there: the bundle itself is not signed, the logged entry is.
 */
export const contentCommitmentDetail = 'contentCommitment';

const domainBytes = new TextEncoder().encode(commitmentDomain);
const utf8 = new TextEncoder();

/** The commitment to `content` under `salt` (32 bytes, or 64 lowercase hex characters). */
export function commitContent(content: string, salt: string | Uint8Array): HexHash {
  const saltBytes = decodeSalt(salt);
  if (saltBytes === null)
    throw new TypeError(`the salt must be ${commitmentSaltLength} bytes (or 64 hex characters)`);
  if (typeof content !== 'string') throw new TypeError('the content must be a string');
  return hashToHex(sha256(domainBytes, saltBytes, utf8.encode(content)));
}

/** Do `content` and `salt` open `commitment`? False (never a throw) for a malformed salt or commitment. */
export function verifyCommitment(commitment: HexHash, content: string, salt: string | Uint8Array): boolean {
  if (!isHexHash(commitment) || typeof content !== 'string' || decodeSalt(salt) === null) return false;
  const expected = Buffer.from(commitContent(content, salt), 'hex');
  return timingSafeEqual(expected, Buffer.from(commitment, 'hex'));
}

function decodeSalt(salt: string | Uint8Array): Uint8Array | null {
  if (typeof salt === 'string') {
    return /^[0-9a-f]+$/.test(salt) && salt.length === commitmentSaltLength * 2
      ? Buffer.from(salt, 'hex')
      : null;
  }
  return salt instanceof Uint8Array && salt.length === commitmentSaltLength ? salt : null;
}
