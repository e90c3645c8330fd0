import { aad, open, seal, SEAL_OVERHEAD } from './sealing.js';

/**
 * Attachment bytes sealed with their attachment's data key, before they reach the blob store. Whole
 * buffers in memory: attachments are bounded by configuration, and GCM releases nothing before its tag
 * checks anyway, so streaming would not let a reader start earlier.
 *
 * The AAD binds the envelope to the attachment id (in its own `blob:` domain): a sealed file copied
 * under another attachment's name, or offered as a message body, does not open.
 *
 * What the blob store then records is about the envelope, not the file: its size is the plaintext's
 * plus {@link BLOB_SEAL_OVERHEAD}, and its sha256 is the ciphertext's. Sniff the content type, check the
 * declared size and hash the plaintext before sealing; raise the store's `maxBytes` by the overhead.
 */
export const BLOB_SEAL_OVERHEAD = SEAL_OVERHEAD;

/** Seals an attachment's bytes under its data key. */
export function sealBlob(key: Uint8Array, bytes: Uint8Array, attachmentId: string): Buffer {
  return seal(key, bytes, aad.blob(attachmentId));
}

/** The bytes inside a {@link sealBlob} envelope. @throws {SealError} when it does not open. */
export function openBlob(key: Uint8Array, envelope: Uint8Array, attachmentId: string): Buffer {
  return open(key, envelope, aad.blob(attachmentId));
}
