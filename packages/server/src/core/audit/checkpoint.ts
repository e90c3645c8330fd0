import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalBytes } from './canonical.js';
import { isHexHash, preview, type HexHash } from './digest.js';
import { decodeBase64Exact, keyIdOf } from './keys.js';
import { isTreeIndex } from './merkle.js';

/**
 * Signed checkpoints: the server's signed statement "the audit log had `treeSize` entries and this root".
 * Anyone who keeps a checkpoint can later prove the log was rewritten: the entries no longer hash to the
 * root at that size, and no consistency proof can link it to a later checkpoint.
 *
 * The signature is Ed25519 over `checkpointDomain ‖ canonicalJson({ treeSize, rootHash, issuedAt, keyId })`.
 * The domain prefix keeps a checkpoint signature from ever being valid as a signature over anything else
 * the same key might sign (and the reverse); `-v1` lets the format change without ambiguity.
 */

export const checkpointDomain = 'retract-audit-checkpoint-v1\n';

export interface Checkpoint {
  readonly treeSize: number;
  readonly rootHash: HexHash;
  /** When the server signed it (ISO 8601, UTC), from the caller's clock. */
  readonly issuedAt: string;
  /** `keyIdOf` the signing key. */
  readonly keyId: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Base64 (standard, padded) of the 64-byte Ed25519 signature. */
  readonly signature: string;
}

/** What `signCheckpoint` takes: `keyId` is filled in from the key (and checked if given). */
export type UnsignedCheckpoint = Omit<Checkpoint, 'keyId'> & { readonly keyId?: string };

const signatureLength = 64;
const isoUtc = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const domainBytes = new TextEncoder().encode(checkpointDomain);

/** The exact bytes a checkpoint signature covers. Only the four checkpoint fields are included. */
export function checkpointSigningPayload(checkpoint: Checkpoint): Uint8Array {
  const { treeSize, rootHash, issuedAt, keyId } = checkpoint;
  return Buffer.concat([domainBytes, canonicalBytes({ treeSize, rootHash, issuedAt, keyId })]);
}

/** Signs a checkpoint with an Ed25519 private key. Throws on a malformed checkpoint or the wrong key. */
export function signCheckpoint(checkpoint: UnsignedCheckpoint, privateKey: KeyObject): SignedCheckpoint {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new TypeError('checkpoints are signed with an Ed25519 private key');
  }
  if (!isTreeIndex(checkpoint.treeSize)) throw new TypeError(`bad treeSize: ${preview(checkpoint.treeSize)}`);
  if (!isHexHash(checkpoint.rootHash)) throw new TypeError(`bad rootHash: ${preview(checkpoint.rootHash)}`);
  if (typeof checkpoint.issuedAt !== 'string' || !isoUtc.test(checkpoint.issuedAt)) {
    throw new TypeError(`issuedAt must be an ISO 8601 UTC time: ${preview(checkpoint.issuedAt)}`);
  }
  const keyId = keyIdOf(createPublicKey(privateKey));
  if (checkpoint.keyId !== undefined && checkpoint.keyId !== keyId) {
    throw new Error(`checkpoint names key ${checkpoint.keyId} but is being signed with key ${keyId}`);
  }
  const unsigned: Checkpoint = {
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    issuedAt: checkpoint.issuedAt,
    keyId,
  };
  const signature = sign(null, checkpointSigningPayload(unsigned), privateKey).toString('base64');
  return { ...unsigned, signature };
}

/**
 * Is this a well-formed checkpoint signed by `publicKey`? False (never a throw) for anything else,
 * including a checkpoint whose `keyId` names another key: the signature covers `keyId`, so a mismatch
 * means the statement claims to come from a key it does not come from.
 */
export function verifyCheckpoint(signed: SignedCheckpoint, publicKey: KeyObject): boolean {
  if (!isWellFormed(signed)) return false;
  const signature = decodeBase64Exact(signed.signature, signatureLength);
  if (signature === null) return false;
  try {
    if (signed.keyId !== keyIdOf(publicKey)) return false;
    return verify(null, checkpointSigningPayload(signed), publicKey, signature);
  } catch {
    return false;
  }
}

function isWellFormed(value: SignedCheckpoint): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    isTreeIndex(value.treeSize) &&
    isHexHash(value.rootHash) &&
    typeof value.issuedAt === 'string' &&
    typeof value.keyId === 'string' &&
    typeof value.signature === 'string'
  );
}

/** `checkpoint #2 (size 16, issued 2025-…)`: how problems name a checkpoint. */
export function describeCheckpoint(position: number, checkpoint: Checkpoint): string {
  return `checkpoint #${position} (size ${checkpoint.treeSize}, issued ${checkpoint.issuedAt})`;
}
