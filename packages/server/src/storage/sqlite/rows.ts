import type { EventType, Role } from '@retract/protocol';
import type { StoredEvent } from '../records.js';

import { toMessage } from '../rows.js';

export * from '../rows.js';
/** SQLite's own column shapes (0/1 booleans, message columns flattened with an `m_` prefix); the shared ones are in ../rows.ts. */

export interface EventRow {
  seq: number;
  type: string;
  conversation_id: string | null;
  message_id: string | null;
  at: number;
  data: string;
  hidden: number;
  // The message columns, prefixed to keep them apart from the event's own.
  m_pos: number | null;
  m_id: string | null;
  m_conversation_id: string;
  m_sender_id: string;
  m_client_msg_id: string;
  m_type: string;
  m_body: string | null;
  m_sent_at: number;
  m_recalled_at: number | null;
  m_recalled_by: string | null;
  m_recall_role: string | null;
  m_recall_reason: string | null;
  m_recall_label: string | null;
  m_recall_approved_by: string | null;
  m_flags: string | null;
  m_reply_to: string | null;
  m_corrects: string | null;
  m_attachment_id: string | null;
  m_expires_at: number | null;
}
export const toStoredEvent = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  type: r.type as EventType,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  at: r.at,
  data: JSON.parse(r.data) as Record<string, unknown>,
  hidden: r.hidden === 1,
  message:
    r.m_id === null || r.m_pos === null
      ? null
      : toMessage({
          pos: r.m_pos,
          id: r.m_id,
          conversation_id: r.m_conversation_id,
          sender_id: r.m_sender_id,
          client_msg_id: r.m_client_msg_id,
          type: r.m_type,
          body: r.m_body,
          sent_at: r.m_sent_at,
          recalled_at: r.m_recalled_at,
          recalled_by: r.m_recalled_by,
          recall_role: r.m_recall_role,
          recall_reason: r.m_recall_reason,
          recall_label: r.m_recall_label,
          recall_approved_by: r.m_recall_approved_by,
          flags: r.m_flags,
          reply_to: r.m_reply_to,
          corrects: r.m_corrects,
          attachment_id: r.m_attachment_id,
          expires_at: r.m_expires_at,
        }),
});

export const asRole = (role: string): Role => role as Role;
