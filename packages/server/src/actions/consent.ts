import type { api, ConsentEventType } from '@retract/protocol';
import { consentStepped, type EventPair } from '../core/events.js';
import { consentStep, decideRecall, mayDecideConsent, type ConsentAction } from '../core/policy/index.js';
import { consentView, tombstoneView } from '../core/views.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type {
  ConsentRequestRecord,
  ConsentSettlement,
  ConversationRecord,
  Delivery,
  TombstoneRecord,
} from '../storage/records.js';
import type { StorageReader, StorageTx } from '../storage/storage.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { eraseInTx, finishErasures, type Erasure } from './erase.js';
import { recallContext } from './recall-context.js';
import type { RecallAudit } from './recall-audit.js';
import { queueWebhooks } from '../webhooks/queue.js';

/**
 * Consent recall. Past the window, a sender whose policy allows it asks; the other person of a direct
 * chat, or an owner/admin of a group, approves or declines; the sender may cancel; unanswered requests
 * expire. Every step is an event to the sender and the deciders (not to the rest of a group: a request
 * that is declined should not become gossip). Approval recalls the message in the same transaction,
 * exactly as the sender's own recall would — same tombstone (role `sender`, with `approvedBy`), same
 * erasure, same `message.recalled` to everyone.
 */

interface Stepped {
  readonly pair: EventPair;
  readonly deliveries: Delivery[];
}

/** Asks for consent to recall the caller's own message. Idempotent while a request is pending. */
export async function askConsent(
  ctx: ActionContext,
  actor: Actor,
  messageId: string,
  input: { reason?: string | undefined },
): Promise<{ request: api.ConsentRequestView; created: boolean }> {
  const reason = input.reason?.trim() ? input.reason.trim() : null;
  const outcome = await ctx.storage.transaction(async (tx) => {
    const found = await recallContext(ctx, tx, actor, messageId);
    if (!found) throw new AppError('not_found');
    const decision = decideRecall({ ...found.context, reason: null });
    switch (decision.kind) {
      case 'hidden':
        throw new AppError('not_found');
      case 'already_recalled':
        throw new AppError('consent_not_needed', { recalled: true });
      case 'allowed':
        throw new AppError('consent_not_needed', { as: decision.as, basis: decision.basis });
      case 'denied':
        if (decision.code !== 'needs_consent') throw new AppError(decision.code, { ...decision.facts });
    }
    const latest = await tx.latestConsentRequest(messageId);
    if (latest?.status === 'pending') {
      return { request: latest, view: (await describe(tx, actor, latest)).view, stepped: null };
    }
    if (latest?.status === 'declined')
      throw new AppError('consent_declined', { consentRequestId: latest.id });
    const now = ctx.clock.now();
    const request: ConsentRequestRecord = {
      id: newId('k'),
      conversationId: found.message.conversationId,
      messageId,
      requesterId: actor.userId,
      reason,
      status: 'pending',
      createdAt: now,
      expiresAt: now + found.policy.consent.requestTtlSeconds * 1000,
      decidedBy: null,
      decidedAt: null,
      note: null,
    };
    await tx.insertConsentRequest(request);
    const conversation = await requireConversation(tx, request.conversationId);
    const stepped = await announce(tx, conversation, 'consent.requested', request, now);
    return { request, view: (await describe(tx, actor, request)).view, stepped };
  });
  if (outcome.stepped) await publish(ctx, outcome.stepped);
  ctx.metrics.consentSteps.inc({ step: outcome.stepped ? 'requested' : 'repeated' });
  return { request: outcome.view, created: outcome.stepped !== null };
}

/** Requests the caller made or may decide, newest first. */
export async function listConsent(
  ctx: ActionContext,
  actor: Actor,
  query: api.ConsentListQuery,
): Promise<api.ConsentRequestList> {
  return ctx.storage.read(async (tx) => {
    const records = await tx.listConsentRequests(actor.userId, query.status ?? null, query.limit ?? 50);
    const requests: api.ConsentRequestView[] = [];
    for (const r of records) requests.push((await describe(tx, actor, r)).view);
    return { requests };
  });
}

export async function getConsent(
  ctx: ActionContext,
  actor: Actor,
  requestId: string,
): Promise<api.ConsentRequestResponse> {
  return ctx.storage.read(async (tx) => {
    const request = await tx.findConsentRequest(requestId);
    if (!request) throw new AppError('not_found');
    const { view, mayDecide } = await describe(tx, actor, request);
    // Only the sender and the deciders know a request exists.
    if (!mayDecide && request.requesterId !== actor.userId) throw new AppError('not_found');
    return { request: view };
  });
}

/**
 * Approves (recalling the message), declines, or — for the sender — cancels a pending request. A step
 * that comes too late still records what happened (expired, or withdrawn because the message is
 * already gone) before it is refused, so every device hears the request's real end.
 */
export async function stepConsent(
  ctx: ActionContext,
  actor: Actor,
  requestId: string,
  action: ConsentAction,
  input: { note?: string | undefined } = {},
): Promise<{ request: api.ConsentRequestView; recall?: api.ConsentApproveResponse['recall'] }> {
  const note = input.note?.trim() ? input.note.trim() : null;
  async function stepInTx(tx: StorageTx) {
    const request = await tx.findConsentRequest(requestId);
    if (!request) throw new AppError('not_found');
    const conversation = await requireConversation(tx, request.conversationId);
    const membership = await tx.findMembership(request.conversationId, actor.userId);
    const isRequester = request.requesterId === actor.userId;
    const mayDecide = mayDecideConsent({
      conversationKind: conversation.kind,
      role: membership?.role ?? null,
      serverAdmin: actor.serverAdmin,
      isRequester,
    });
    // Only the sender and the deciders know a request exists.
    if (!isRequester && !mayDecide) throw new AppError('not_found');
    const message = await tx.findMessage(request.messageId);
    const now = ctx.clock.now();
    const step = consentStep({
      action,
      status: request.status,
      expiresAtMs: request.expiresAt,
      nowMs: now,
      mayDecide,
      isRequester,
      messageRecalled: !message || message.tombstone !== null,
    });
    switch (step.kind) {
      case 'not_permitted':
        throw new AppError('not_permitted', {
          reason:
            action === 'cancel'
              ? 'only the sender who asked can cancel'
              : conversation.kind === 'direct'
                ? 'the other person of the chat decides'
                : 'owners and admins of the group decide',
        });
      case 'not_pending':
        throw new AppError('consent_not_pending', { status: step.status });
      case 'expire':
      case 'withdraw': {
        const status = step.kind === 'expire' ? 'expired' : 'cancelled';
        const ended = await settle(tx, conversation, request, {
          status,
          decidedBy: null,
          decidedAt: now,
          note: null,
        });
        return { request: ended?.request ?? request, stepped: ended?.stepped ?? null, refused: status };
      }
      case 'proceed':
        break;
    }
    if (action !== 'approve' || !message) {
      const status = action === 'decline' ? 'declined' : 'cancelled';
      const ended = await settle(tx, conversation, request, {
        status,
        decidedBy: actor.userId,
        decidedAt: now,
        note: action === 'decline' ? note : null,
      });
      if (!ended) throw new AppError('consent_not_pending', { status: request.status });
      return { ...ended, refused: null };
    }
    const ended = await settle(tx, conversation, request, {
      status: 'approved',
      decidedBy: actor.userId,
      decidedAt: now,
      note,
    });
    if (!ended) throw new AppError('consent_not_pending', { status: request.status });
    // The sender's recall, approved: recorded as theirs, with who consented.
    const tombstone: TombstoneRecord = {
      recalledAt: now,
      recalledBy: request.requesterId,
      role: 'sender',
      reason: request.reason,
      label: null,
      approvedBy: actor.userId,
    };
    // Logged as the sender's recall (the tombstone's role), with who approved and which request.
    const why: RecallAudit = {
      actor: { userId: request.requesterId, role: tombstone.role },
      requestId: actor.requestId ?? null,
      consentRequestId: request.id,
    };
    const erasure = await eraseInTx(tx, ctx, message, tombstone, why);
    return { ...ended, refused: null, erasure, tombstone };
  }
  const outcome = await ctx.storage.transaction(async (tx) => {
    const done = await stepInTx(tx);
    // The caller's view of the request as it ended, read in the same transaction.
    return { ...done, view: (await describe(tx, actor, done.request)).view };
  });

  if (outcome.stepped) await publish(ctx, outcome.stepped);
  const erasure: Erasure | undefined = 'erasure' in outcome ? outcome.erasure : undefined;
  if (erasure) await finishErasures(ctx, [erasure]);
  if (outcome.stepped) ctx.metrics.consentSteps.inc({ step: outcome.request.status });
  if (outcome.refused !== null) throw new AppError('consent_not_pending', { status: outcome.refused });
  const request = outcome.view;
  if (!('tombstone' in outcome) || outcome.tombstone === undefined) return { request };
  ctx.metrics.recalls.inc({ outcome: 'recalled' });
  return {
    request,
    recall: {
      messageId: outcome.request.messageId,
      conversationId: outcome.request.conversationId,
      tombstone: tombstoneView(outcome.tombstone),
    },
  };
}

/** Ends requests that ran out unanswered; called by the server's sweeper (and by tests). */
export async function expireConsentRequests(ctx: ActionContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  const stepped = await ctx.storage.transaction(async (tx) => {
    const done: Stepped[] = [];
    for (const id of await tx.listExpiredConsentRequests(now, limit)) {
      const request = await tx.findConsentRequest(id);
      if (!request) continue;
      const conversation = await requireConversation(tx, request.conversationId);
      const ended = await settle(tx, conversation, request, {
        status: 'expired',
        decidedBy: null,
        decidedAt: now,
        note: null,
      });
      if (ended) done.push(ended.stepped);
    }
    return done;
  });
  for (const s of stepped) await publish(ctx, s);
  if (stepped.length > 0) ctx.metrics.consentSteps.inc({ step: 'expired' }, stepped.length);
  return stepped.length;
}

/** Writes the end of a pending request and its event; null when someone else ended it first. */
async function settle(
  tx: StorageTx,
  conversation: ConversationRecord,
  request: ConsentRequestRecord,
  settlement: ConsentSettlement,
): Promise<{ request: ConsentRequestRecord; stepped: Stepped } | null> {
  if (!(await tx.settleConsentRequest(request.id, settlement))) return null;
  const ended: ConsentRequestRecord = { ...request, ...settlement };
  const type = `consent.${settlement.status}` as ConsentEventType;
  return { request: ended, stepped: await announce(tx, conversation, type, ended, settlement.decidedAt) };
}

/** Appends a step's event for the sender and everyone who may decide. */
async function announce(
  tx: StorageTx,
  conversation: ConversationRecord,
  type: ConsentEventType,
  request: ConsentRequestRecord,
  at: number,
): Promise<Stepped> {
  const members = await tx.listMembers(conversation.id);
  const deciders = members.filter((m) =>
    mayDecideConsent({
      conversationKind: conversation.kind,
      role: m.role,
      serverAdmin: false,
      isRequester: m.userId === request.requesterId,
    }),
  );
  const recipients = [...new Set([request.requesterId, ...deciders.map((m) => m.userId)])];
  const pair = consentStepped(type, request, at);
  await queueWebhooks(
    tx,
    type,
    { conversationId: request.conversationId, messageId: request.messageId, subjectId: request.id },
    at,
  );
  return { pair, deliveries: await tx.appendEvent(pair.stored, recipients) };
}

async function publish(ctx: ActionContext, s: Stepped): Promise<void> {
  await publishCommitted(ctx, s.pair, s.deliveries);
}

async function requireConversation(tx: StorageReader, id: string): Promise<ConversationRecord> {
  const conversation = await tx.findConversation(id);
  if (!conversation) throw new AppError('not_found');
  return conversation;
}

/** The request as this caller sees it: `canDecide` while they may decide and it is still pending. */
async function describe(
  tx: StorageReader,
  actor: Actor,
  r: ConsentRequestRecord,
): Promise<{ view: api.ConsentRequestView; mayDecide: boolean }> {
  const conversation = await tx.findConversation(r.conversationId);
  const membership = await tx.findMembership(r.conversationId, actor.userId);
  const mayDecide =
    conversation !== null &&
    mayDecideConsent({
      conversationKind: conversation.kind,
      role: membership?.role ?? null,
      serverAdmin: actor.serverAdmin,
      isRequester: r.requesterId === actor.userId,
    });
  return { view: { ...consentView(r), canDecide: mayDecide && r.status === 'pending' }, mayDecide };
}
