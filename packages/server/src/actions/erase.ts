import { messageRecalled, type EventPair } from '../core/events.js';
import type { Delivery, MessageRecord, TombstoneRecord } from '../storage/records.js';
import type { StorageTx } from '../storage/storage.js';
import { publishCommitted, type ActionContext } from './context.js';
import { auditRecall, type RecallAudit } from './recall-audit.js';
import { queueWebhooks } from '../webhooks/queue.js';
import { retractPushesInTx } from './push.js';

/** What an erasure committed, for `finishErasures` to act on after commit. */
export interface Erasure {
  readonly pair: EventPair;
  readonly deliveries: Delivery[];
  readonly attachmentId: string | null;
  /** The salt of the audit entry's content commitment (hex), for the recalling device only; never stored. */
  readonly commitmentSalt: string | null;
}

/**
 * The one erasure every way out uses (recall, moderation, consent, bulk jobs, expiry), inside the
 * caller's transaction: tombstone and content erased, the attachment marked gone, the `message.recalled`
 * audit entry appended (`why` says who and through what), and `message.recalled` appended for everyone
 * who received the message and every current member — someone who joined later may hold a reply quoting
 * it, and that quote must turn into the tombstone too.
 */
export async function eraseInTx(
  tx: StorageTx,
  ctx: Pick<ActionContext, 'clock' | 'faults'>,
  message: MessageRecord,
  tombstone: TombstoneRecord,
  why: RecallAudit,
): Promise<Erasure> {
  await tx.eraseMessage(message.id, tombstone);
  // Fault seam for the crash tests: between the tombstone and its audit entry, inside the transaction.
  ctx.faults?.afterErase?.();
  const { commitmentSalt } = await auditRecall(tx, ctx, message, tombstone, why);
  if (message.attachmentId !== null)
    await tx.markAttachmentDeleted(message.attachmentId, tombstone.recalledAt);
  const pair = messageRecalled(message, tombstone);
  const members = (await tx.listMembers(message.conversationId)).map((m) => m.userId);
  const recipients = [...new Set([...(await tx.usersWhoReceived(message.id)), ...members])];
  await queueWebhooks(
    tx,
    'message.recalled',
    { conversationId: message.conversationId, messageId: message.id },
    tombstone.recalledAt,
  );
  // Its pending pushes are dropped and every notification of it on a device is retracted (docs/push.md).
  await retractPushesInTx(tx, message.id, tombstone.recalledAt);
  return {
    pair,
    deliveries: await tx.appendEvent(pair.stored, recipients),
    attachmentId: message.attachmentId,
    commitmentSalt,
  };
}

/**
 * After commit: publish each erasure, delete its file (its metadata already says it is gone, so its URL
 * answers 410), then purge erased bytes from the storage files — before anyone is told "done".
 */
export async function finishErasures(ctx: ActionContext, erasures: readonly Erasure[]): Promise<void> {
  if (erasures.length === 0) return;
  for (const e of erasures) {
    await publishCommitted(ctx, e.pair, e.deliveries);
    if (e.attachmentId === null) continue;
    try {
      await ctx.blobs.delete(e.attachmentId);
    } catch (error) {
      ctx.log.error({ err: error, attachmentId: e.attachmentId }, 'deleting an erased attachment failed');
    }
  }
  try {
    await ctx.storage.purgeErased();
  } catch (error) {
    // The content is already erased in the committed state; only old file pages may linger until the
    // next checkpoint. Worth an alarm, not a failed recall.
    ctx.log.error({ err: error }, 'purging erased content from storage files failed');
  }
}
