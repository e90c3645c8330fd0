import { randomBytes } from 'node:crypto';
import type { StorageTx } from '../storage/storage.js';
import type { WebhookRef } from '../storage/webhook-records.js';
import type { WebhookEventType } from './event-types.js';

/**
 * Queues an event for every subscription to its type, in the caller's transaction: the outbox row
 * commits with the action or not at all, and the worker POSTs only what committed (publish after commit).
 * Only ids go in; the body is rendered when it is sent, from the state at that moment.
 */
export async function queueWebhooks(
  tx: StorageTx,
  type: WebhookEventType,
  ref: Partial<WebhookRef>,
  at: number,
): Promise<void> {
  await tx.queueWebhookEvent({
    eventId: `whe_${randomBytes(12).toString('hex')}`,
    type,
    ref: {
      conversationId: ref.conversationId ?? null,
      messageId: ref.messageId ?? null,
      subjectId: ref.subjectId ?? null,
      detail: ref.detail ?? null,
    },
    occurredAt: at,
  });
}
