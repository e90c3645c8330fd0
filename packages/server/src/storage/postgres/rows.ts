import type {
  ConsentStatus,
  ConversationKind,
  EventType,
  MessageType,
  RecallRole,
  Role,
} from '@retract/protocol';
import type {
  AttachmentRecord,
  ComplianceHoldRecord,
  ConsentRequestRecord,
  ConversationRecord,
  DeviceRecord,
  HeldMessageRecord,
  MemberRecord,
  MessageRecord,
  RecallJobRecord,
  StoredEvent,
  UserRecord,
} from '../records.js';

/**
 * Column shapes as node-postgres returns them here — BIGINT already parsed to a number (pool.ts), BYTEA
 * as a Buffer, booleans as booleans, JSON as the text it was stored as — and their mapping to the port's
 * records.
 */

const json = <T>(text: string): T => JSON.parse(text) as T;

export interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: number;
}
export const toUser = (r: UserRow): UserRecord => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

export interface DeviceRow {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  cursor: number;
}
export const toDevice = (r: DeviceRow): DeviceRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  tokenHash: r.token_hash,
  createdAt: r.created_at,
  cursor: r.cursor,
});

export interface ConversationRow {
  id: string;
  kind: string;
  title: string | null;
  created_at: number;
  direct_key: string | null;
  policy: string | null;
}
export const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id,
  kind: r.kind as ConversationKind,
  title: r.title,
  createdAt: r.created_at,
  directKey: r.direct_key,
  policy: r.policy === null ? null : json<unknown>(r.policy),
});

export interface MemberRow {
  conversation_id: string;
  user_id: string;
  username: string;
  role: string;
  joined_at: number;
}
export const toMember = (r: MemberRow): MemberRecord => ({
  conversationId: r.conversation_id,
  userId: r.user_id,
  username: r.username,
  role: r.role as Role,
  joinedAt: r.joined_at,
});

export interface MessageRow {
  pos: number;
  id: string;
  conversation_id: string;
  sender_id: string;
  client_msg_id: string;
  type: string;
  body: string | null;
  sent_at: number;
  recalled_at: number | null;
  recalled_by: string | null;
  recall_role: string | null;
  recall_reason: string | null;
  recall_label: string | null;
  recall_approved_by: string | null;
  flags: string | null;
  reply_to: string | null;
  corrects: string | null;
  attachment_id: string | null;
}
export const toMessage = (r: MessageRow): MessageRecord => ({
  id: r.id,
  pos: r.pos,
  conversationId: r.conversation_id,
  senderId: r.sender_id,
  clientMsgId: r.client_msg_id,
  type: r.type as MessageType,
  attachmentId: r.attachment_id,
  body: r.body,
  sentAt: r.sent_at,
  flags: r.flags === null ? [] : json<string[]>(r.flags),
  replyTo: r.reply_to,
  corrects: r.corrects,
  tombstone:
    r.recalled_at === null
      ? null
      : {
          recalledAt: r.recalled_at,
          recalledBy: r.recalled_by ?? '',
          role: (r.recall_role ?? 'sender') as RecallRole,
          reason: r.recall_reason,
          label: r.recall_label,
          ...(r.recall_approved_by === null ? {} : { approvedBy: r.recall_approved_by }),
        },
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

export interface AttachmentRow {
  id: string;
  uploader_id: string;
  kind: string;
  mime: string;
  name: string;
  size: number;
  sha256: string;
  created_at: number;
  message_id: string | null;
  deleted_at: number | null;
}
export const toAttachment = (r: AttachmentRow): AttachmentRecord => ({
  id: r.id,
  uploaderId: r.uploader_id,
  kind: r.kind as AttachmentRecord['kind'],
  mime: r.mime,
  name: r.name,
  size: r.size,
  sha256: r.sha256,
  createdAt: r.created_at,
  messageId: r.message_id,
  deletedAt: r.deleted_at,
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

export interface ConsentRow {
  id: string;
  conversation_id: string;
  message_id: string;
  requester_id: string;
  reason: string | null;
  status: string;
  created_at: number;
  expires_at: number;
  decided_by: string | null;
  decided_at: number | null;
  note: string | null;
}
export const toConsentRequest = (r: ConsentRow): ConsentRequestRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  requesterId: r.requester_id,
  reason: r.reason,
  status: r.status as ConsentStatus,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  note: r.note,
});

export interface HeldRow {
  id: string;
  conversation_id: string;
  sender_id: string;
  client_msg_id: string;
  type: string;
  body: string | null;
  attachment_id: string | null;
  reply_to: string | null;
  corrects: string | null;
  held_at: number;
  deliver_at: number;
}
export const toHeldMessage = (r: HeldRow): HeldMessageRecord => ({
  id: r.id,
  conversationId: r.conversation_id,
  senderId: r.sender_id,
  clientMsgId: r.client_msg_id,
  type: r.type as MessageType,
  body: r.body,
  attachmentId: r.attachment_id,
  replyTo: r.reply_to,
  corrects: r.corrects,
  heldAt: r.held_at,
  deliverAt: r.deliver_at,
});

export interface HoldRow {
  message_id: string;
  conversation_id: string;
  sender_id: string;
  type: string;
  sealed_body: Buffer | null;
  sent_at: number;
  recalled_at: number;
  hold_until: number;
}
export const toComplianceHold = (r: HoldRow): ComplianceHoldRecord => ({
  messageId: r.message_id,
  conversationId: r.conversation_id,
  senderId: r.sender_id,
  type: r.type as MessageType,
  sealedBody: r.sealed_body,
  sentAt: r.sent_at,
  recalledAt: r.recalled_at,
  holdUntil: r.hold_until,
});
