import { consentView, messageView, tombstoneView } from '../core/views.js';
import { loadReferences } from '../actions/references.js';
import type { StorageReader } from '../storage/storage.js';
import type { WebhookDeliveryRecord } from '../storage/webhook-records.js';

/** What a receiver gets: the event's id and type, when it happened, and `data` by type (docs/webhooks.md). */
export interface WebhookPayload {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Renders a delivery's body from current state, at send time — the outbox holds ids only. So a message
 * recalled before its `message.created` goes out is delivered as its tombstone, without text, exactly as
 * a device syncing late would see it; `message.recalled` carries ids, role, reason and label, never text.
 * Null when what the event is about no longer exists: the delivery is skipped.
 */
export async function renderWebhook(
  tx: StorageReader,
  d: WebhookDeliveryRecord,
): Promise<WebhookPayload | null> {
  const data = await renderData(tx, d);
  return data === null ? null : { id: d.eventId, type: d.eventType, occurredAt: iso(d.occurredAt), data };
}

async function renderData(
  tx: StorageReader,
  d: WebhookDeliveryRecord,
): Promise<Record<string, unknown> | null> {
  const { conversationId, messageId, subjectId, detail } = d.ref;
  switch (d.eventType) {
    case 'message.created': {
      const m = messageId === null ? null : await tx.findMessage(messageId);
      if (!m) return null;
      return { message: messageView(m, false, await loadReferences(tx, [m])) };
    }
    case 'message.recalled': {
      const m = messageId === null ? null : await tx.findMessage(messageId);
      if (!m?.tombstone) return null;
      return {
        conversationId: m.conversationId,
        messageId: m.id,
        senderId: m.senderId,
        tombstone: tombstoneView(m.tombstone),
      };
    }
    case 'recall.denied':
      return { conversationId, messageId, actorId: subjectId, code: detail };
    case 'consent.requested':
    case 'consent.approved':
    case 'consent.declined':
    case 'consent.cancelled':
    case 'consent.expired': {
      const r = subjectId === null ? null : await tx.findConsentRequest(subjectId);
      return r ? { request: consentView(r) } : null;
    }
    case 'policy.changed': {
      const c = conversationId === null ? null : await tx.findConversation(conversationId);
      if (!c) return null;
      return { conversationId, changedBy: subjectId, document: c.policy ?? null };
    }
    case 'member.added': {
      if (conversationId === null || subjectId === null) return null;
      const now = await tx.findMembership(conversationId, subjectId);
      return { conversationId, userId: subjectId, role: now?.role ?? null };
    }
    case 'member.removed':
      return { conversationId, userId: subjectId };
    default:
      return null;
  }
}
