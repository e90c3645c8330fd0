import type { Message, MessageType } from '@retract/protocol';
import { messageCreated } from '../core/events.js';
import { detect } from '../core/detectors/index.js';
import { messageView, type References } from '../core/views.js';
import { loadReferences } from './references.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { HeldMessageRecord, MessageRecord, NewMessage } from '../storage/records.js';
import type { StorageReader, StorageTx } from '../storage/storage.js';
import { requireMember } from './conversations.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { noteSent, nothingAfterCommit } from './analytics/index.js';
import { queueWebhooks } from '../webhooks/queue.js';
import { queueNotifyInTx, type PushOrigin } from './push.js';

/** What a send asks for, once validated: the same whether delivered now or held for undo send. */
export interface SendInput {
  conversationId: string;
  clientMsgId: string;
  type?: MessageType | undefined;
  body?: string | undefined;
  attachmentId?: string | undefined;
  replyTo?: string | undefined;
  corrects?: string | undefined;
}

/**
 * Sends a message: text, or an uploaded attachment (image, file, voice, video) with an optional caption.
 * The client message id makes it idempotent: a retry returns the original message
 * (`created: false`) and writes nothing; reusing the id for different content is an error.
 *
 * With a send delay set (undo send), the message is checked and held instead: nobody receives it until
 * the delay has passed, and until then its sender may cancel it (`actions/held.ts`).
 */
export async function sendMessage(
  ctx: ActionContext,
  actor: Actor,
  input: SendInput,
): Promise<{ message: Message; created: boolean; held?: { until: string } }> {
  const { storage } = ctx;
  const outcome = await storage.transaction(async (tx) => {
    const existing = await tx.findMessageByClientId(actor.userId, input.clientMsgId);
    if (existing) return { kind: 'retry' as const, existing, refs: await loadReferences(tx, [existing]) };
    const heldBefore = await tx.findHeldMessageByClientId(actor.userId, input.clientMsgId);
    if (heldBefore) {
      return { kind: 'held' as const, held: heldBefore, created: false, analytics: nothingAfterCommit };
    }
    await requireMember(tx, input.conversationId, actor.userId);
    await checkReferences(tx, actor, input);
    const type = input.type ?? 'text';
    const id = newId('m');
    if (type === 'text' && (input.body === undefined || input.attachmentId !== undefined)) {
      throw new AppError('invalid_request', { reason: 'a text message has a body and no attachment' });
    }
    if (type !== 'text') await claimAttachment(tx, actor, type, input.attachmentId, id);
    const draft: Draft = {
      id,
      conversationId: input.conversationId,
      senderId: actor.userId,
      clientMsgId: input.clientMsgId,
      type,
      body: input.body ?? null,
      attachmentId: input.attachmentId ?? null,
      replyTo: input.replyTo ?? null,
      corrects: input.corrects ?? null,
    };
    const now = ctx.clock.now();
    const { sendDelaySeconds } = await tx.findUserSettings(actor.userId);
    // Analytics count a send when it is asked for, held or not: the sender's intent (the follow-up to a
    // denied recall) is at request time, and a held message is counted once here, not again when the
    // sweeper delivers it. Last in the transaction: see noteSent on lock order.
    const note = async () =>
      noteSent(
        tx,
        ctx,
        { userId: actor.userId, conversationId: input.conversationId, corrects: draft.corrects !== null },
        now,
      );
    if (sendDelaySeconds > 0) {
      const held = { ...draft, heldAt: now, deliverAt: now + sendDelaySeconds * 1000 };
      await tx.insertHeldMessage(held);
      return { kind: 'held' as const, held, created: true, analytics: await note() };
    }
    const delivered = await deliverInTx(tx, draft, now, {
      holdSeconds: ctx.config.push.holdSeconds,
      deviceId: actor.deviceId,
    });
    return { kind: 'created' as const, ...delivered, analytics: await note() };
  });
  switch (outcome.kind) {
    case 'retry':
      return { message: retried(outcome.existing, input, outcome.refs), created: false };
    case 'held':
      outcome.analytics();
      return heldResponse(ctx, outcome.held, input, outcome.created);
    case 'created':
      outcome.analytics();
      await publishCommitted(ctx, outcome.pair, outcome.deliveries);
      ctx.metrics.messagesSent.inc();
      return { message: messageView(outcome.record, false, outcome.refs), created: true };
  }
}

/** A message ready to be stored and delivered: checked, its attachment claimed. */
export type Draft = Omit<NewMessage, 'sentAt' | 'flags'>;

/**
 * Stores a checked message and appends its `message.created` for every member, in the caller's
 * transaction; the caller publishes after commit. Shared by sending now and delivering a held message.
 */
export async function deliverInTx(tx: StorageTx, draft: Draft, now: number, push: PushOrigin) {
  let record = await tx.insertMessage({
    ...draft,
    sentAt: now,
    // Names of what the detectors found, for the smart window — never the matched text.
    flags: draft.body === null ? [] : [...new Set(detect(draft.body).map((f) => f.detector))],
  });
  const disappearing = await tx.findDisappearing(draft.conversationId);
  if (disappearing?.mode === 'after_send') {
    const expiresAt = record.sentAt + disappearing.seconds * 1000;
    await tx.setExpiry(record.id, expiresAt);
    // The live `message.created` and the sender's reply carry the expiry, as sync and history will.
    record = { ...record, expiresAt };
  }
  const refs = await loadReferences(tx, [record]);
  const pair = messageCreated(record, refs);
  const recipients = (await tx.listMembers(draft.conversationId)).map((m) => m.userId);
  await queueWebhooks(
    tx,
    'message.created',
    { conversationId: record.conversationId, messageId: record.id },
    now,
  );
  // Notify pushes are queued in this transaction, rendered only when sent (docs/push.md).
  await queueNotifyInTx(tx, record, push);
  return { record, refs, pair, deliveries: await tx.appendEvent(pair.stored, recipients) };
}

/** The sender's view of a held message: as it will be, stamped with the moment it is due. */
async function heldResponse(
  ctx: ActionContext,
  held: HeldMessageRecord,
  input: SendInput,
  created: boolean,
): Promise<{ message: Message; created: boolean; held: { until: string } }> {
  if (held.conversationId !== input.conversationId || held.body !== (input.body ?? null)) {
    throw new AppError('idempotency_key_reused', { messageId: held.id });
  }
  // No expiry yet: an `after_send` timer starts on delivery, under the setting in force then.
  const record: MessageRecord = {
    ...held,
    pos: 0,
    sentAt: held.deliverAt,
    flags: [],
    tombstone: null,
    expiresAt: null,
  };
  const refs = await ctx.storage.read((tx) => loadReferences(tx, [record]));
  const until = new Date(held.deliverAt).toISOString();
  return { message: messageView(record, false, refs), created, held: { until } };
}

/**
 * A reply must quote a message of the same conversation that the sender can see; a correction must
 * name the sender's own earlier message in the same conversation. Anything else is reported as missing.
 */
async function checkReferences(
  tx: StorageReader,
  actor: Actor,
  input: { conversationId: string; replyTo?: string | undefined; corrects?: string | undefined },
): Promise<void> {
  if (input.replyTo !== undefined) {
    const { message } = await requireVisibleMessage(tx, input.replyTo, actor.userId);
    if (message.conversationId !== input.conversationId)
      throw new AppError('not_found', { replyTo: input.replyTo });
  }
  if (input.corrects !== undefined) {
    const { message } = await requireVisibleMessage(tx, input.corrects, actor.userId);
    if (message.conversationId !== input.conversationId)
      throw new AppError('not_found', { corrects: input.corrects });
    if (message.senderId !== actor.userId) {
      throw new AppError('not_permitted', { reason: 'only your own messages can be corrected' });
    }
  }
}

/** An attachment message takes an upload of the caller's, of the same kind, not yet sent with another. */
async function claimAttachment(
  tx: StorageTx,
  actor: Actor,
  type: Exclude<MessageType, 'text'>,
  attachmentId: string | undefined,
  messageId: string,
): Promise<void> {
  const attachment = attachmentId === undefined ? null : await tx.findAttachment(attachmentId);
  if (!attachment || attachment.uploaderId !== actor.userId || attachment.deletedAt !== null) {
    throw new AppError('attachment_invalid', { attachmentId: attachmentId ?? null });
  }
  if (attachment.kind !== type)
    throw new AppError('attachment_invalid', { attachmentId, kind: attachment.kind, type });
  if (!(await tx.claimAttachment(attachment.id, messageId))) {
    throw new AppError('attachment_invalid', { attachmentId, reason: 'already sent with another message' });
  }
}

function retried(
  existing: MessageRecord,
  input: { conversationId: string; body?: string | undefined },
  refs: References,
): Message {
  // A recalled original has no body left to compare: the retry still names the same message.
  const sameContent = existing.tombstone !== null || existing.body === (input.body ?? null);
  if (existing.conversationId !== input.conversationId || !sameContent) {
    throw new AppError('idempotency_key_reused', { messageId: existing.id });
  }
  return messageView(existing, false, refs);
}

/** A message the actor may see: in a conversation they belong to, stored since they joined. */
export async function requireVisibleMessage(tx: StorageReader, messageId: string, userId: string) {
  const message = await tx.findMessage(messageId);
  if (!message) throw new AppError('not_found');
  const membership = await tx.findMembership(message.conversationId, userId);
  if (!membership || message.pos <= membership.fromPos) throw new AppError('not_found');
  return { message, membership };
}

/** One page of history, newest first; hidden messages are left out, recalled ones are tombstones. */
export async function history(
  ctx: ActionContext,
  actor: Actor,
  conversationId: string,
  page: { before?: string | undefined; limit: number },
): Promise<{ messages: Message[]; nextBefore: string | null }> {
  return ctx.storage.read(async (tx) => {
    await requireMember(tx, conversationId, actor.userId);
    const before = page.before === undefined ? null : Number(page.before);
    const rows = await tx.listMessages(conversationId, actor.userId, before, page.limit + 1);
    const more = rows.length > page.limit;
    const messages = rows.slice(0, page.limit);
    const last = messages.at(-1);
    const refs = await loadReferences(tx, messages);
    return {
      messages: messages.map((m) => messageView(m, false, refs)),
      nextBefore: more && last ? String(last.pos) : null,
    };
  });
}
