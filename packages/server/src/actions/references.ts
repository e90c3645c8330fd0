import type { Event } from '@retract/protocol';
import { renderStoredEvent, type References } from '../core/views.js';
import type { AttachmentRecord, MessageRecord } from '../storage/records.js';
import type { StorageReader } from '../storage/storage.js';

/**
 * Loads what a batch of messages refers to — quoted originals and latest corrections — in two queries,
 * so quotes are rendered from the originals' current state rather than from a stored copy.
 */
export async function loadReferences(
  tx: StorageReader,
  messages: readonly MessageRecord[],
): Promise<References> {
  const quoted = [...new Set(messages.flatMap((m) => (m.replyTo === null ? [] : [m.replyTo])))];
  const originals = await tx.findMessages(quoted);
  const attachments = new Map<string, AttachmentRecord>();
  for (const m of messages) {
    if (m.attachmentId === null) continue;
    const found = await tx.findAttachment(m.attachmentId);
    if (found) attachments.set(found.id, found);
  }
  return {
    messages: new Map(originals.map((m) => [m.id, m] as const)),
    corrections: await tx.latestCorrections(messages.map((m) => m.id)),
    attachments,
  };
}

/** A page of the user's events, rendered from current state with their references. */
export async function readRenderedEvents(
  tx: StorageReader,
  userId: string,
  after: number,
  limit: number,
): Promise<Event[]> {
  const rows = await tx.readEvents(userId, after, limit);
  const refs = await loadReferences(
    tx,
    rows.flatMap((r) => (r.message === null ? [] : [r.message])),
  );
  return rows.map((r) => renderStoredEvent(r, refs) as Event);
}
