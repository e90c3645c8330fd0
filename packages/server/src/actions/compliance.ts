import type { api } from '@retract/protocol';
import { openHeld } from '../keys/compliance-key.js';
import { AppError } from '../errors.js';
import type { ComplianceHoldRecord } from '../storage/records.js';
import type { StorageReader, StorageTx } from '../storage/storage.js';
import { appendAudit, byActor } from './audit.js';
import { isComplianceUser } from './policy.js';
import type { ActionContext, Actor } from './context.js';

/**
 * Compliance hold: with `compliance.holdDays` set, recalled content is kept — sealed under the
 * compliance key, apart from every other key — for that many days, then deleted for real. Only users
 * the operator names in `compliance.users` may list or read held content; every read of content is an
 * entry in the audit log, written in the same transaction that reads it.
 */

const iso = (ms: number) => new Date(ms).toISOString();

function holdView(h: ComplianceHoldRecord): api.ComplianceHold {
  return {
    messageId: h.messageId,
    conversationId: h.conversationId,
    senderId: h.senderId,
    type: h.type,
    sentAt: iso(h.sentAt),
    recalledAt: iso(h.recalledAt),
    holdUntil: iso(h.holdUntil),
  };
}

/** Whether the actor holds the compliance role (named by username in the configuration). */
export async function isComplianceOfficer(
  ctx: ActionContext,
  tx: StorageReader,
  actor: Actor,
): Promise<boolean> {
  const user = await tx.findUserById(actor.userId);
  return user !== null && isComplianceUser(ctx, user.username);
}

async function requireOfficer(ctx: ActionContext, tx: StorageReader, actor: Actor): Promise<void> {
  if (!(await isComplianceOfficer(ctx, tx, actor))) {
    throw new AppError('not_permitted', { reason: 'held content is for the compliance role only' });
  }
}

/** What is held (no content): for the compliance role. */
export async function listHolds(
  ctx: ActionContext,
  actor: Actor,
  query: api.ComplianceHoldQuery,
): Promise<api.ComplianceHoldList> {
  return ctx.storage.read(async (tx) => {
    await requireOfficer(ctx, tx, actor);
    const holds = await tx.listComplianceHolds(query.conversationId ?? null, query.limit ?? 100);
    return { holds: holds.filter((h) => h.holdUntil > ctx.clock.now()).map(holdView) };
  });
}

/** The held content of one recalled message; the read is audited before the content is returned. */
export async function readHold(
  ctx: ActionContext,
  actor: Actor,
  messageId: string,
): Promise<api.ComplianceHoldContent> {
  const hold = ctx.compliance;
  return ctx.storage.transaction(async (tx) => {
    await requireOfficer(ctx, tx, actor);
    const found = await tx.findComplianceHold(messageId);
    // A hold that ran out is gone, whether or not the sweeper has deleted it yet.
    if (!found || found.holdUntil <= ctx.clock.now() || hold === null) throw new AppError('not_found');
    await recordRead(tx, ctx, actor, found);
    const body =
      found.sealedBody === null ? null : openHeld(hold.key, found.sealedBody, messageId).toString('utf8');
    return { hold: holdView(found), body };
  });
}

/** Deletes holds that ran out, then purges the storage files. Called by the server's sweeper. */
export async function expireHolds(ctx: ActionContext, limit = 500): Promise<number> {
  const now = ctx.clock.now();
  const ids = await ctx.storage.transaction(async (tx) => {
    const expired = await tx.listExpiredHolds(now, limit);
    await tx.deleteComplianceHolds(expired);
    return expired;
  });
  if (ids.length > 0) await ctx.storage.purgeErased();
  return ids.length;
}

/** One read of held content, as an audit entry in the reading transaction: who read which message. */
async function recordRead(
  tx: StorageTx,
  ctx: ActionContext,
  actor: Actor,
  hold: ComplianceHoldRecord,
): Promise<void> {
  await appendAudit(tx, ctx, {
    kind: 'compliance.read',
    ...byActor(actor, 'compliance'),
    target: { conversationId: hold.conversationId, messageId: hold.messageId, userId: hold.senderId },
    reason: null,
  });
}
