import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption (AEAD) for content at rest: AES-256-GCM, node:crypto only, no I/O.
 *
 * An envelope describes itself, so the format can change later without guessing:
 *
 *     version (1 byte) ‖ nonce (12 bytes, random) ‖ ciphertext (as long as the plaintext) ‖ tag (16 bytes)
 *
 * The version byte is authenticated together with the caller's AAD, so it cannot be swapped either.
 *
 * The AAD (additional authenticated data) is not secret and not stored in the envelope: the caller
 * supplies it again to open. It binds a ciphertext to where it belongs — a body sealed for message A
 * does not open as message B's body, nor as an attachment or a held copy — so someone who can write to
 * the database cannot move ciphertexts around. Use the {@link aad} helpers rather than raw ids: their
 * domain prefixes keep bodies, blobs, held copies and wrapped keys apart even when ids coincide.
 *
 * Random 96-bit nonces are safe for about 2^32 seals under one key. A data key seals one message or one
 * attachment, far below that; a long-lived key (the master key that wraps data keys, the compliance key)
 * reaches it only after billions of messages, and is then due for rotation.
 */

export const ENVELOPE_VERSION = 1;
export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
/** Bytes an envelope adds to its plaintext: version, nonce and tag. */
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

const CIPHER = 'aes-256-gcm';
const HEADER = Buffer.from([ENVELOPE_VERSION]);

/**
 * Why an envelope did not open. AES-GCM cannot tell a wrong key from a wrong AAD from a changed byte,
 * and should not: all three are `authentication_failed`, and no plaintext is released.
 */
export type SealFailure = 'malformed' | 'unsupported_version' | 'authentication_failed';

const failureMessages: Record<SealFailure, string> = {
  malformed: 'sealed data is too short to be an envelope',
  unsupported_version: 'sealed data has an unknown envelope version',
  authentication_failed: 'sealed data did not authenticate (wrong key, wrong context, or altered bytes)',
};

/** An envelope did not open. Carries no key, AAD or content: it is safe to log. */
export class SealError extends Error {
  constructor(readonly reason: SealFailure) {
    super(failureMessages[reason]);
    this.name = 'SealError';
  }
}

export function isSealError(error: unknown): error is SealError {
  return error instanceof SealError;
}

/**
 * Domain-separated AADs. Each prefix ends in a colon and none is a prefix of another, so no two
 * domains can ever produce the same AAD, whatever the ids.
 */
export const aad = {
  /** A message body, bound to its message. */
  messageBody: (messageId: string) => `body:${messageId}`,
  /** An attachment's bytes, bound to the attachment. */
  blob: (attachmentId: string) => `blob:${attachmentId}`,
  /** Recalled content kept under a compliance hold, bound to its message. */
  held: (messageId: string) => `hold:${messageId}`,
  /** A data key wrapped under a key-encryption key, bound to its key id. */
  wrappedKey: (keyId: string) => `wrap:${keyId}`,
  /** The known value a key store seals to check, at open, that its master key is the right one. */
  keyCheck: () => 'kcheck:',
} as const;

/** A fresh random 256-bit data key. */
export function newDataKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Encrypts and authenticates `plaintext` (strings as UTF-8) under `key`, bound to `aadText`. */
export function seal(key: Uint8Array, plaintext: Uint8Array | string, aadText: string): Buffer {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(aadText));
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const body = Buffer.concat([cipher.update(data), cipher.final()]);
  return Buffer.concat([HEADER, nonce, body, cipher.getAuthTag()]);
}

/**
 * Decrypts an envelope made by {@link seal} with the same key and AAD.
 * @throws {SealError} when the envelope is malformed, of an unknown version, or does not authenticate.
 * @throws {RangeError} when `key` is not 32 bytes (a programming error, not bad data).
 */
export function open(key: Uint8Array, envelope: Uint8Array, aadText: string): Buffer {
  assertKey(key);
  if (envelope.byteLength < SEAL_OVERHEAD) throw new SealError('malformed');
  if (envelope[0] !== ENVELOPE_VERSION) throw new SealError('unsupported_version');
  const bytes = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const nonce = bytes.subarray(1, 1 + NONCE_BYTES);
  const body = bytes.subarray(1 + NONCE_BYTES, bytes.length - TAG_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv(CIPHER, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(aadText));
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(body);
  try {
    // final() is where GCM checks the tag; until it passes, the bytes from update() are not trusted.
    return Buffer.concat([plaintext, decipher.final()]);
  } catch {
    plaintext.fill(0);
    throw new SealError('authentication_failed');
  }
}

/** Seals a data key under a key-encryption key, bound to its id, for storage at rest. */
export function wrapKey(kek: Uint8Array, dataKey: Uint8Array, keyId: string): Buffer {
  assertKey(dataKey);
  return seal(kek, dataKey, aad.wrappedKey(keyId));
}

/** The data key inside a {@link wrapKey} envelope. @throws {SealError} as {@link open}. */
export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array, keyId: string): Buffer {
  const key = open(kek, wrapped, aad.wrappedKey(keyId));
  // Unreachable with an authentic envelope from wrapKey; a guard against sealing the wrong thing.
  if (key.length !== KEY_BYTES) throw new SealError('malformed');
  return key;
}

/** Seals a message body, bound to its message id. */
export function sealMessageBody(key: Uint8Array, body: string, messageId: string): Buffer {
  return seal(key, body, aad.messageBody(messageId));
}

/** The body inside a {@link sealMessageBody} envelope. @throws {SealError} as {@link open}. */
export function openMessageBody(key: Uint8Array, envelope: Uint8Array, messageId: string): string {
  return open(key, envelope, aad.messageBody(messageId)).toString('utf8');
}

/** Throws a RangeError (without the key's bytes) unless `key` is a 32-byte key. */
export function assertKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.byteLength !== KEY_BYTES) {
    throw new RangeError(`a key must be ${KEY_BYTES} bytes`);
  }
}

function associatedData(aadText: string): Buffer {
  return Buffer.concat([HEADER, Buffer.from(aadText, 'utf8')]);
}
