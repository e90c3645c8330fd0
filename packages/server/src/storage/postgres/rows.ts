import type { EventType, Role } from '@retract/protocol';
import type { MemberRecord, RecallJobRecord, StoredEvent } from '../records.js';

import { toMessage, type MemberRow, type MessageRow } from '../rows.js';

export * from '../rows.js';
/**
 * Column shapes as node-postgres returns them here — BIGINT already parsed to a number (pool.ts), BYTEA
 * as a Buffer, booleans as booleans, JSON as the text it was stored as — and their mapping to the port's
 * records.
 */

const json = <T>(text: string): T => JSON.parse(text) as T;

export const toMember = (r: MemberRow): MemberRecord => ({
  conversationId: r.conversation_id,
  userId: r.user_id,
  username: r.username,
  role: r.role as Role,
  joinedAt: r.joined_at,
});

/**
 * An inbox entry joined with its event and, as one `message` column (a row value, null when the event
 * has no message or it no longer exists), the message's current state.
 */
export interface EventRow {
  seq: number;
  type: string;
  conversation_id: string | null;
  message_id: string | null;
  at: number;
  data: string;
  hidden: boolean;
  message: MessageRow | null;
}
export const toStoredEvent = (r: EventRow): StoredEvent => ({
  seq: r.seq,
  type: r.type as EventType,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  at: r.at,
  data: json<Record<string, unknown>>(r.data),
  hidden: r.hidden,
  message: r.message === null ? null : toMessage(r.message),
});

export interface JobRow {
  id: string;
  conversation_id: string;
  actor_id: string;
  params: string;
  status: string;
  total: number;
  results: string;
  created_at: number;
  finished_at: number | null;
}
export const toRecallJob = (r: JobRow): RecallJobRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  actorId: r.actor_id,
  params: json<Record<string, unknown>>(r.params),
  status: r.status as RecallJobRecord['status'],
  total: r.total,
  results: json<RecallJobRecord['results']>(r.results),
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});
