import { loadOrCreateKeyFile } from './key-file.js';
import { aad, open, seal } from './sealing.js';

/**
 * The compliance key: one 32-byte key, in a file of its own, that seals recalled content kept under a
 * compliance hold. Recall still destroys the message's data key at once; what is held is a copy sealed
 * under this key, and only there.
 *
 * Why a key apart from the master key: who may read held content is a different question from who runs
 * the server, so the file can live on another volume with other owners; a copy of the key store and
 * its master key opens no held content; and deleting this one file shreds every held copy at once
 * (when holds are lifted, or the key is rotated). Expiring one held item is not crypto-shredding —
 * the key stays for the others — so the held ciphertext itself must then be erased for real (deleted
 * with secure_delete and the WAL truncated, as recalled content is).
 *
 * Never log the key, nor pass it where it could be serialised.
 */
export async function loadOrCreateComplianceKey(path: string): Promise<Buffer> {
  return (await loadOrCreateKeyFile(path, 'compliance key')).key;
}

/** Seals recalled content for a hold, bound to its message id in the `hold:` domain. */
export function sealForHold(
  complianceKey: Uint8Array,
  content: Uint8Array | string,
  messageId: string,
): Buffer {
  return seal(complianceKey, content, aad.held(messageId));
}

/** The content of a {@link sealForHold} envelope. @throws {SealError} when it does not open. */
export function openHeld(complianceKey: Uint8Array, envelope: Uint8Array, messageId: string): Buffer {
  return open(complianceKey, envelope, aad.held(messageId));
}
