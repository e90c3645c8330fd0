import type { ContentType, EffectivePolicy, RecallContext } from '../core/policy/index.js';
import { tombstoneView } from '../core/views.js';
import type { MessageRecord } from '../storage/records.js';
import type { StorageReader } from '../storage/storage.js';
import type { ActionContext, Actor } from './context.js';
import { policyFor } from './policy.js';

/**
 * Gathers what a recall decision needs about one message and one actor. Null when the message does not
 * exist. A member who joined after the message was stored does not see it: to them it is as if it were
 * not there (unless they hold the server admin role).
 */
export async function recallContext(
  ctx: ActionContext,
  tx: StorageReader,
  actor: Actor,
  messageId: string,
): Promise<{ message: MessageRecord; policy: EffectivePolicy; context: RecallContext } | null> {
  const message = await tx.findMessage(messageId);
  if (!message) return null;
  const conversation = await tx.findConversation(message.conversationId);
  if (!conversation) return null;
  const membership = await tx.findMembership(message.conversationId, actor.userId);
  const visible = membership !== null && message.pos > membership.fromPos;
  const policy = policyFor(ctx, conversation);
  return {
    message,
    policy,
    context: {
      actor: {
        userId: actor.userId,
        conversationRole: visible ? membership.role : null,
        serverAdmin: actor.serverAdmin,
      },
      conversationKind: conversation.kind,
      message: {
        senderId: message.senderId,
        type: message.type as ContentType,
        sentAtMs: message.sentAt,
        tombstone: message.tombstone && tombstoneView(message.tombstone),
        flagged: message.flags.length > 0,
        readByOthers: await tx.readByOthers(message),
      },
      policy,
      nowMs: ctx.clock.now(),
    },
  };
}
