import type { KeyObject } from 'node:crypto';
import { verifyCheckpoint, type SignedCheckpoint } from './checkpoint.js';
import { commitmentAlgorithm, contentCommitmentDetail } from './commitment.js';
import { isHexHash, preview, type HexHash } from './digest.js';
import { encodeEntry, entryLeafHash, type AuditEntry } from './entry.js';
import { exportPublicKey, importPublicKey, keyIdOf } from './keys.js';
import { isTreeIndex, leafHash } from './merkle.js';
import { inclusionProofs, verifyInclusion } from './proofs.js';

/**
 * Evidence bundles: a few audit entries, each with its inclusion proof, and the signed checkpoint the
 * proofs lead to — a self-contained file that shows "these entries are in the log the server signed",
 * checkable by anyone with `verifyBundle` alone, offline, without access to the server or its database.
 *
 * What is authenticated: the checkpoint (signed) and the entries (proven into its root). What is not:
 * `createdAt`, the order of entries, and `publicKey` itself — the bundle proves it is consistent with
 * that key, so a verifier should compare the key (or its id) with one obtained independently
 * (`trustedKeys`). Commitments count only when anchored in a proven entry (see commitment.ts).
 */

export const bundleFormat = 'retract-evidence-v1';

export interface EvidenceEntry {
  readonly entry: AuditEntry;
  /** The entry's position in the log: equal to `entry.index`. */
  readonly leafIndex: number;
  /** Hex subtree hashes, leaf level first (RFC 6962 PATH) — up to the checkpoint's tree size. */
  readonly inclusionProof: readonly HexHash[];
}

export interface ContentCommitment {
  readonly messageId: string;
  readonly algorithm: typeof commitmentAlgorithm;
  /** `commitContent(originalText, salt)`; the salt is not in the bundle. */
  readonly commitment: HexHash;
}

export interface EvidenceBundle {
  readonly format: typeof bundleFormat;
  /** When the bundle was made (ISO 8601); informational, not authenticated. */
  readonly createdAt: string;
  /** `exportPublicKey` of the key that signed the checkpoint. */
  readonly publicKey: string;
  readonly checkpoint: SignedCheckpoint;
  readonly entries: readonly EvidenceEntry[];
  readonly commitments?: readonly ContentCommitment[];
}

export interface BundleParts {
  readonly createdAt: string;
  readonly publicKey: KeyObject;
  readonly checkpoint: SignedCheckpoint;
  /** The log's leaf hashes from index 0, at least `checkpoint.treeSize` of them. */
  readonly leafHashes: readonly HexHash[];
  /** The entries to prove; each must be inside the checkpointed tree. */
  readonly entries: readonly AuditEntry[];
  readonly commitments?: readonly ContentCommitment[];
}

/**
 * Assembles a bundle and proves its entries. Throws if the parts do not fit together (an entry outside
 * the checkpoint, an entry that does not hash to its leaf, a checkpoint the key did not sign, leaf
 * hashes that do not give the checkpoint's root): a bundle that would not verify is never returned.
 */
export function buildBundle(parts: BundleParts): EvidenceBundle {
  const { checkpoint, leafHashes } = parts;
  if (!verifyCheckpoint(checkpoint, parts.publicKey)) {
    throw new Error('the checkpoint is not signed by this public key');
  }
  const treeSize = checkpoint.treeSize;
  for (const entry of parts.entries) {
    if (!isTreeIndex(entry.index) || entry.index >= treeSize) {
      throw new RangeError(`entry ${entry.index} is not in the checkpointed tree of ${treeSize}`);
    }
    if (leafHashes[entry.index] !== entryLeafHash(entry)) {
      throw new Error(`entry ${entry.index} does not hash to the leaf hash given for index ${entry.index}`);
    }
  }
  const proofs = inclusionProofs(
    leafHashes,
    parts.entries.map((entry) => entry.index),
    treeSize,
  );
  const bundle: EvidenceBundle = {
    format: bundleFormat,
    createdAt: parts.createdAt,
    publicKey: exportPublicKey(parts.publicKey),
    checkpoint: {
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      issuedAt: checkpoint.issuedAt,
      keyId: checkpoint.keyId,
      signature: checkpoint.signature,
    },
    entries: parts.entries.map((entry, i) => ({
      entry: structuredClone(entry),
      leafIndex: entry.index,
      inclusionProof: proofs[i] as HexHash[],
    })),
    ...(parts.commitments === undefined ? {} : { commitments: parts.commitments.map((c) => ({ ...c })) }),
  };
  const check = verifyBundle(bundle);
  if (!check.ok) throw new Error(`the parts do not make a valid bundle: ${check.problems.join('; ')}`);
  return bundle;
}

export interface BundleVerification {
  readonly ok: boolean;
  /** Human-readable, one per problem; empty when ok. */
  readonly problems: readonly string[];
  /** Entries whose inclusion in the checkpointed tree was proven. */
  readonly entries: number;
}

export interface VerifyBundleOptions {
  /** Keys obtained independently of the bundle; when given, the bundle's key must be one of them. */
  readonly trustedKeys?: KeyObject | readonly KeyObject[];
}

/**
 * Verifies a bundle with nothing but the bundle: the checkpoint's signature with the bundled key, each
 * entry's leaf hash recomputed from its canonical encoding and its inclusion proof against the signed
 * root, and each commitment's anchor. Never throws; a malformed bundle is a list of problems (validate
 * the file with `validateBundle` first for precise messages about its shape).
 */
export function verifyBundle(bundle: EvidenceBundle, options: VerifyBundleOptions = {}): BundleVerification {
  if (typeof bundle !== 'object' || bundle === null) {
    return { ok: false, problems: ['not an evidence bundle'], entries: 0 };
  }
  const problems: string[] = [];
  if (bundle.format !== bundleFormat)
    problems.push(`format is ${preview(bundle.format)}, not ${bundleFormat}`);
  const checkpoint = bundle.checkpoint;
  checkSignature(bundle, options, problems);

  // Entries are proven against the root even when the signature failed, to report everything at once.
  const anchors = new Set<string>();
  let proven = 0;
  const entries: readonly EvidenceEntry[] = Array.isArray(bundle.entries) ? bundle.entries : [];
  if (!Array.isArray(bundle.entries)) problems.push('entries is not a list');
  entries.forEach((item, i) => {
    const problem = entryProblem(item, checkpoint);
    if (problem !== null) {
      problems.push(`entry ${i}${describeEntry(item)}: ${problem}`);
      return;
    }
    proven += 1;
    const commitment = item.entry.details?.[contentCommitmentDetail];
    const messageId = item.entry.target?.messageId;
    if (typeof commitment === 'string' && typeof messageId === 'string')
      anchors.add(`${messageId}\n${commitment}`);
  });

  const commitments = bundle.commitments ?? [];
  if (!Array.isArray(commitments)) problems.push('commitments is not a list');
  else {
    commitments.forEach((c, i) => {
      const name = `commitment ${i} (message ${preview(c?.messageId)})`;
      if (c?.algorithm !== commitmentAlgorithm) {
        problems.push(`${name}: unknown algorithm ${preview(c?.algorithm)}`);
      } else if (!isHexHash(c.commitment)) {
        problems.push(`${name}: not a SHA-256 hash`);
      } else if (!anchors.has(`${c.messageId}\n${c.commitment}`)) {
        problems.push(
          `${name}: not anchored — no proven entry about this message carries it in ` +
            `details.${contentCommitmentDetail}, so nothing signed vouches for it`,
        );
      }
    });
  }
  return { ok: problems.length === 0, problems, entries: proven };
}

function checkSignature(bundle: EvidenceBundle, options: VerifyBundleOptions, problems: string[]): void {
  let key: KeyObject;
  try {
    key = importPublicKey(bundle.publicKey);
  } catch {
    problems.push('publicKey is not an Ed25519 public key (base64 of its 32 raw bytes)');
    return;
  }
  const keyId = keyIdOf(key);
  if (options.trustedKeys !== undefined) {
    const trusted = Array.isArray(options.trustedKeys) ? options.trustedKeys : [options.trustedKeys];
    if (!trusted.some((k: KeyObject) => keyIdOf(k) === keyId)) {
      problems.push(`the bundle's key ${keyId} is not one of the trusted keys`);
    }
  }
  const checkpoint = bundle.checkpoint;
  if (typeof checkpoint !== 'object' || checkpoint === null) {
    problems.push('the checkpoint is missing');
  } else if (checkpoint.keyId !== keyId) {
    problems.push(`the checkpoint names key ${preview(checkpoint.keyId)}, but the bundled key is ${keyId}`);
  } else if (!verifyCheckpoint(checkpoint, key)) {
    problems.push(
      'the checkpoint signature does not verify with the bundled key: the checkpoint was altered',
    );
  }
}

function entryProblem(item: EvidenceEntry, checkpoint: SignedCheckpoint | undefined): string | null {
  if (typeof item !== 'object' || item === null || typeof item.entry !== 'object' || item.entry === null) {
    return 'malformed';
  }
  if (item.leafIndex !== item.entry.index) {
    return `its leafIndex ${preview(item.leafIndex)} is not the index inside the entry (${preview(item.entry.index)})`;
  }
  const treeSize = checkpoint?.treeSize;
  if (isTreeIndex(item.leafIndex) && isTreeIndex(treeSize) && item.leafIndex >= treeSize) {
    return `it is at index ${item.leafIndex}, outside the checkpointed tree of ${treeSize}`;
  }
  let hash: HexHash;
  try {
    hash = leafHash(encodeEntry(item.entry));
  } catch (error) {
    return `cannot be encoded: ${String(error)}`;
  }
  if (
    !verifyInclusion(hash, item.leafIndex, treeSize ?? -1, item.inclusionProof, String(checkpoint?.rootHash))
  ) {
    return 'its inclusion proof does not lead to the checkpoint root: the entry or its proof was altered';
  }
  return null;
}

function describeEntry(item: EvidenceEntry): string {
  const entry = typeof item === 'object' && item !== null ? item.entry : undefined;
  if (typeof entry !== 'object' || entry === null) return '';
  return ` (index ${preview(entry.index)}, ${preview(entry.kind)})`;
}
