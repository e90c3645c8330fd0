import { randomBytes } from 'node:crypto';
import {
  commitContent,
  commitmentSaltLength,
  contentCommitmentDetail,
  type AuditActor,
  type AuditDetailValue,
  type AuditEntry,
} from '../core/audit/index.js';
import type { MessageRecord, TombstoneRecord } from '../storage/records.js';
import type { StorageTx } from '../storage/storage.js';
import { appendAudit, byActor } from './audit.js';
import type { ActionContext, Actor } from './context.js';

/** Who recalled, through what: what `eraseInTx` needs beyond the tombstone to write the audit entry. */
export interface RecallAudit {
  /** The user and the capacity they acted in; `userId` null when the server acted (expiry). */
  readonly actor: AuditActor;
  /** The HTTP request (or WebSocket command) that caused it; null for the server's own sweeps. */
  readonly requestId: string | null;
  /** The bulk recall job this recall is a step of. */
  readonly jobId?: string;
  /** The consent request whose approval this recall carries out. */
  readonly consentRequestId?: string;
}

/**
 * A recall by a user through a request, in the capacity the policy decided. An admin API key is no user:
 * its entry's actor is `{ userId: null, role, keyId }`.
 */
export function recallBy(actor: Actor, role: string, extra: Partial<RecallAudit> = {}): RecallAudit {
  const by = byActor(actor, role);
  const who = actor.keyId === undefined ? by.actor : { userId: null, role, keyId: actor.keyId };
  return { ...by, actor: who, ...extra };
}

/** An erasure the server made on its own: a disappearing message's timer ran out. */
export const expiryRecall: RecallAudit = { actor: { userId: null, role: 'expiry' }, requestId: null };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Appends the `message.recalled` entry for an erasure, in its transaction. The entry says who recalled
 * which message of whom, when, in which role, why, and — when the message had text — a salted
 * commitment to that text (core/audit/commitment.ts): the salt is returned, never stored, so only the
 * device that receives it can later show that a text it kept is the one that was recalled.
 */
export async function auditRecall(
  tx: StorageTx,
  ctx: Pick<ActionContext, 'clock'>,
  message: MessageRecord,
  tombstone: TombstoneRecord,
  why: RecallAudit,
): Promise<{ entry: AuditEntry; commitmentSalt: string | null }> {
  const salt = message.body === null ? null : randomBytes(commitmentSaltLength);
  const details: Record<string, AuditDetailValue> = {
    type: message.type,
    sentAt: iso(message.sentAt),
  };
  if (tombstone.label !== null) details['label'] = tombstone.label;
  if (tombstone.approvedBy !== undefined) details['approvedBy'] = tombstone.approvedBy;
  if (salt !== null && message.body !== null)
    details[contentCommitmentDetail] = commitContent(message.body, salt);
  const entry = await appendAudit(tx, ctx, {
    kind: 'message.recalled',
    at: iso(tombstone.recalledAt),
    actor: why.actor,
    target: {
      conversationId: message.conversationId,
      messageId: message.id,
      userId: message.senderId,
      ...(why.jobId === undefined ? {} : { jobId: why.jobId }),
      ...(why.consentRequestId === undefined ? {} : { requestId: why.consentRequestId }),
    },
    reason: tombstone.reason,
    requestId: why.requestId,
    details,
  });
  return { entry, commitmentSalt: salt === null ? null : salt.toString('hex') };
}
