import type { api } from '@retract/protocol';
import {
  buildBundle,
  commitmentAlgorithm,
  contentCommitmentDetail,
  importPublicKey,
  type AuditEntry,
  type ContentCommitment,
  type EvidenceBundle,
} from '../core/audit/index.js';
import { AppError } from '../errors.js';
import type { AuditTargetQuery } from '../storage/audit-records.js';
import type { StorageReader } from '../storage/storage.js';
import { appendAudit, byActor } from './audit.js';
import { auditReaderRole } from './audit-queries.js';
import type { ActionContext, Actor } from './context.js';

/**
 * Evidence bundles (core/audit/bundle.ts): the audit entries about one message or one conversation,
 * each with its inclusion proof, and a checkpoint signed for the occasion — a file anyone can verify
 * offline with the public key alone, and that holds no message content (entries never do; a recall's
 * entry carries at most a salted commitment).
 *
 * Who may export: server admins and the compliance role, anything; a member, what they can see — a
 * message stored after they joined, or their conversation (leaving out entries about messages from
 * before they joined). Anyone else gets `not_found`, as for something that does not exist.
 *
 * The export is itself audited (`audit.exported`) before the bundle is built, and the bundle's
 * checkpoint is signed after that entry: every bundle proves that its own export is on the record.
 */
export async function exportEvidence(
  ctx: ActionContext,
  actor: Actor,
  query: api.EvidenceQuery,
): Promise<EvidenceBundle> {
  const target = targetOf(query);
  const access = await ctx.storage.transaction(async (tx) => {
    const granted = await evidenceAccess(ctx, tx, actor, target);
    await appendAudit(tx, ctx, {
      kind: 'audit.exported',
      ...byActor(actor, granted.role),
      target:
        'messageId' in target
          ? { conversationId: granted.conversationId, messageId: target.messageId }
          : { conversationId: target.conversationId },
      reason: null,
    });
    return granted;
  });
  const checkpoint = await ctx.audit.checkpoint();
  const { entries, leafHashes } = await ctx.storage.read(async (tx) => {
    const indexes = (await tx.auditIndexesFor(target)).filter((i) => i < checkpoint.treeSize);
    const found: AuditEntry[] = [];
    for (const index of indexes) {
      const row = (await tx.readAuditRows(index, 1))[0];
      if (row !== undefined) found.push(JSON.parse(row.entry) as AuditEntry);
    }
    return {
      entries: await access.visible(tx, found),
      leafHashes: await tx.auditLeafHashes(checkpoint.treeSize),
    };
  });
  return buildBundle({
    // Dated by its own checkpoint, signed for it just now: the file then states nothing unsigned.
    createdAt: checkpoint.issuedAt,
    publicKey: importPublicKey(ctx.audit.publicKey),
    checkpoint,
    leafHashes,
    entries,
    commitments: commitmentsIn(entries),
  });
}

function targetOf(query: api.EvidenceQuery): AuditTargetQuery {
  const { messageId, conversationId } = query;
  if ((messageId === undefined) === (conversationId === undefined)) {
    throw new AppError('invalid_request', {
      in: 'querystring',
      problems: [{ path: '/', message: 'give exactly one of messageId and conversationId' }],
    });
  }
  return messageId !== undefined ? { messageId } : { conversationId: conversationId as string };
}

interface Access {
  /** The capacity the export is logged in. */
  readonly role: string;
  readonly conversationId: string;
  /** The entries of the bundle this actor may see. */
  readonly visible: (tx: StorageReader, entries: AuditEntry[]) => Promise<AuditEntry[]>;
}

const everything = async (_tx: StorageReader, entries: AuditEntry[]) => entries;

async function evidenceAccess(
  ctx: ActionContext,
  tx: StorageReader,
  actor: Actor,
  target: AuditTargetQuery,
): Promise<Access> {
  const privileged = await auditReaderRole(ctx, tx, actor);
  if ('messageId' in target) {
    const message = await tx.findMessage(target.messageId);
    if (!message) throw new AppError('not_found');
    const { conversationId } = message;
    if (privileged !== null) return { role: privileged, conversationId, visible: everything };
    const membership = await tx.findMembership(conversationId, actor.userId);
    if (membership === null || message.pos <= membership.fromPos) throw new AppError('not_found');
    return { role: membership.role, conversationId, visible: everything };
  }
  const { conversationId } = target;
  if (!(await tx.findConversation(conversationId))) throw new AppError('not_found');
  if (privileged !== null) return { role: privileged, conversationId, visible: everything };
  const membership = await tx.findMembership(conversationId, actor.userId);
  if (membership === null) throw new AppError('not_found');
  return {
    role: membership.role,
    conversationId,
    // Entries about messages from before the member joined are not theirs to see.
    visible: async (reader, entries) => {
      const ids = [...new Set(entries.flatMap((e) => (e.target.messageId ? [e.target.messageId] : [])))];
      const seen = new Set(
        (await reader.findMessages(ids)).filter((m) => m.pos > membership.fromPos).map((m) => m.id),
      );
      return entries.filter((e) => e.target.messageId === undefined || seen.has(e.target.messageId));
    },
  };
}

/** The content commitments the recall entries carry, so a verifier finds each one anchored. */
function commitmentsIn(entries: readonly AuditEntry[]): ContentCommitment[] {
  return entries.flatMap((entry) => {
    const commitment = entry.details?.[contentCommitmentDetail];
    const messageId = entry.target.messageId;
    return entry.kind === 'message.recalled' && typeof commitment === 'string' && messageId !== undefined
      ? [{ messageId, algorithm: commitmentAlgorithm, commitment }]
      : [];
  });
}
