import { canonicalBytes } from './canonical.js';
import type { HexHash } from './digest.js';
import { leafHash } from './merkle.js';

/**
 * One audit log entry: who did what to which, when and why — the record that recall, consent, policy and
 * membership changes happened, kept in a tamper-evident Merkle log.
 *
 * An entry NEVER contains message content, attachment data, push payloads or any token or secret. The log
 * is append-only, kept for years and exported in evidence bundles: an entry holding the text of a recalled
 * message would undo the recall for everyone who can read the log, and a token in it would be a
 * credential in every export. Refer to things by id; put small facts (a window in seconds, a preset name,
 * a count) in `details`. A salted content commitment (`commitment.ts`) is allowed: it reveals nothing.
 */

/**
 * What happened. To add a kind, append it here; the encoding, the tree and the verifiers do not depend on
 * the set (old verifiers keep verifying entries of kinds they do not know).
 */
export const auditKinds = [
  'message.recalled',
  'consent.approved',
  'policy.changed',
  'member.role_changed',
  'member.added',
  'member.removed',
  'disappearing.changed',
  'compliance.read',
  'audit.exported',
] as const;
export type AuditKind = (typeof auditKinds)[number];

export function isAuditKind(value: unknown): value is AuditKind {
  return typeof value === 'string' && (auditKinds as readonly string[]).includes(value);
}

export interface AuditActor {
  /** Null when the system itself acted (a sweeper, an expiry). */
  readonly userId: string | null;
  /** The capacity the actor acted in (`sender`, `owner`, `server_admin`, `system`, …). */
  readonly role: string;
  /** The id of the API key used, when the actor authenticated with one — never the key itself. */
  readonly keyId?: string;
}

/** What the action was about; only the ids that apply. */
export interface AuditTarget {
  readonly conversationId?: string;
  readonly messageId?: string;
  readonly userId?: string;
  readonly jobId?: string;
  /** A consent request (not an HTTP request: that is `AuditEntry.requestId`). */
  readonly requestId?: string;
}

export type AuditDetailValue = string | number | boolean | null;

export interface AuditEntry {
  /** Position in the log, from 0. It is hashed into the leaf, so an entry cannot move unnoticed. */
  readonly index: number;
  readonly kind: AuditKind;
  /** When, on the server's clock (ISO 8601, UTC). */
  readonly at: string;
  readonly actor: AuditActor;
  readonly target: AuditTarget;
  /** The reason the actor gave (moderation), or null. */
  readonly reason: string | null;
  /** The HTTP request id, to correlate with server logs; null when not caused by a request. */
  readonly requestId: string | null;
  /** Small facts about the action. Never content (see above). */
  readonly details?: Readonly<Record<string, AuditDetailValue>>;
}

/**
 * The bytes a leaf is computed from: the entry's canonical JSON (RFC 8785) in UTF-8. Throws
 * `CanonicalizationError` if the entry holds a value JSON cannot carry faithfully (NaN, a Date, …).
 */
export function encodeEntry(entry: AuditEntry): Uint8Array {
  return canonicalBytes(entry);
}

/** The entry's Merkle leaf hash: `leafHash(encodeEntry(entry))`. What a writer stores with each row. */
export function entryLeafHash(entry: AuditEntry): HexHash {
  return leafHash(encodeEntry(entry));
}
