/**
 * The audit log as the storage port speaks it. Hashes are 64 lowercase hex characters; an entry is kept
 * as the exact canonical JSON text its leaf hash was computed from, so a verifier hashes what is stored
 * rather than a re-encoding of it.
 */

export interface AuditRowRecord {
  /** Position in the log, from 0, gap-free. */
  readonly index: number;
  /** The entry's canonical JSON (RFC 8785) text. */
  readonly entry: string;
  readonly leafHash: string;
  /** The tree root right after this row was appended (tree size `index + 1`). */
  readonly rootAfter: string;
  /** Copied from the entry's target, to find the entries about a conversation or a message. */
  readonly conversationId: string | null;
  readonly messageId: string | null;
}

/** The Merkle accumulator after the last row: the roots of the perfect subtrees tiling the log. */
export interface AuditStateRecord {
  readonly size: number;
  readonly nodes: readonly string[];
}

/** A signed checkpoint (signed tree head), as `signCheckpoint` made it. */
export interface AuditCheckpointRecord {
  readonly treeSize: number;
  readonly rootHash: string;
  /** ISO 8601, UTC. */
  readonly issuedAt: string;
  readonly keyId: string;
  /** Base64 of the Ed25519 signature. */
  readonly signature: string;
}

/** Which entries to find: those about one message, or about one conversation. */
export type AuditTargetQuery = { readonly messageId: string } | { readonly conversationId: string };
