import type { api } from '@retract/protocol';
import { AppError } from '../errors.js';
import type { EventPair } from '../core/events.js';
import type { Delivery } from '../storage/records.js';
import { publishCommitted, type ActionContext, type Actor } from './context.js';
import { deliverInTx } from './messages.js';

/**
 * Undo send. A user may set a send delay; their messages are then held (see `sendMessage`) and delivered
 * when it has passed. Until then nobody else has them — not in any stream, not on any device — so
 * cancelling needs no recall: the held row is deleted and its text purged from the storage files.
 */

export async function getSettings(ctx: ActionContext, actor: Actor): Promise<api.SettingsResponse> {
  return { settings: await ctx.storage.read((tx) => tx.findUserSettings(actor.userId)) };
}

export async function setSettings(
  ctx: ActionContext,
  actor: Actor,
  settings: api.UserSettings,
): Promise<api.SettingsResponse> {
  await ctx.storage.transaction((tx) => tx.setUserSettings(actor.userId, settings));
  return { settings };
}

/** Cancels a held message of the caller's before it is delivered; its content returns as a draft. */
export async function cancelSend(
  ctx: ActionContext,
  actor: Actor,
  messageId: string,
): Promise<api.CancelSendResponse> {
  const held = await ctx.storage.transaction(async (tx) => {
    const found = await tx.findHeldMessage(messageId);
    if (!found || found.senderId !== actor.userId) {
      const delivered = await tx.findMessage(messageId);
      if (delivered && delivered.senderId === actor.userId) throw new AppError('send_already_delivered');
      throw new AppError('not_found');
    }
    // Due is due: the sweeper may not have come round yet, but the moment to undo has passed.
    if (ctx.clock.now() >= found.deliverAt) throw new AppError('send_already_delivered');
    await tx.deleteHeldMessage(found.id);
    if (found.attachmentId !== null) await tx.releaseAttachment(found.attachmentId);
    return found;
  });
  ctx.metrics.sendsCancelled.inc();
  try {
    await ctx.storage.purgeErased();
  } catch (error) {
    ctx.log.error({ err: error }, 'purging a cancelled message from storage files failed');
  }
  return {
    messageId: held.id,
    cancelled: true,
    draft: {
      type: held.type,
      body: held.body,
      attachmentId: held.attachmentId,
      replyTo: held.replyTo,
      corrects: held.corrects,
    },
  };
}

/**
 * Delivers every held message whose delay has passed, exactly once (the held row is deleted in the same
 * transaction that stores the message). A sender who left the conversation meanwhile has nothing
 * delivered. Called by the server's sweeper and timers, and directly by tests.
 */
export async function deliverHeld(ctx: ActionContext, limit = 100): Promise<number> {
  const now = ctx.clock.now();
  const published = await ctx.storage.transaction(async (tx) => {
    const done: { pair: EventPair; deliveries: Delivery[] }[] = [];
    for (const id of await tx.listDueHeldMessages(now, limit)) {
      const held = await tx.findHeldMessage(id);
      if (!held || !(await tx.deleteHeldMessage(id))) continue;
      if (!(await tx.findMembership(held.conversationId, held.senderId))) {
        if (held.attachmentId !== null) await tx.releaseAttachment(held.attachmentId);
        ctx.log.info({ messageId: id }, 'held message dropped: its sender left the conversation');
        continue;
      }
      const { heldAt: _heldAt, deliverAt: _deliverAt, ...draft } = held;
      // The held row does not record the sending device: none of the sender's devices is pushed to.
      const push = { holdSeconds: ctx.config.push.holdSeconds, deviceId: null };
      const { pair, deliveries } = await deliverInTx(tx, draft, now, push);
      done.push({ pair, deliveries });
    }
    return done;
  });
  for (const p of published) {
    await publishCommitted(ctx, p.pair, p.deliveries);
    ctx.metrics.messagesSent.inc();
  }
  return published.length;
}
