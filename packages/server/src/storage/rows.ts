import type { ConsentStatus, ConversationKind, MessageType, RecallRole } from '@retract/protocol';
import type {
  AttachmentRecord,
  ComplianceHoldRecord,
  ConsentRequestRecord,
  ConversationRecord,
  DeviceRecord,
  HeldMessageRecord,
  MessageRecord,
  UserRecord,
} from './records.js';
import type { AuditCheckpointRecord, AuditRowRecord } from './audit-records.js';
import type {
  DailyActivityRecord,
  FollowUp,
  PendingFollowUpRecord,
  RecallBucketKey,
  RecallBucketRecord,
} from './analytics-records.js';
import type { PushJobRecord, PushTargetRecord } from './push-records.js';

/**
 * Rows as both SQL backends return them (the same column names; timestamps already numbers, JSON as the
 * text it was stored as), and their mapping to the port's records. Backend-specific shapes (SQLite's
 * 0/1 booleans, PostgreSQL's row values) stay in each backend's own rows.ts.
 */

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
  policy: r.policy === null ? null : (JSON.parse(r.policy) as unknown),
});

export interface MemberRow {
  conversation_id: string;
  user_id: string;
  username: string;
  role: string;
  joined_at: number;
}

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
  expires_at: number | null;
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
  flags: r.flags === null ? [] : (JSON.parse(r.flags) as string[]),
  replyTo: r.reply_to,
  corrects: r.corrects,
  expiresAt: r.expires_at,
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

/** The audit log's rows and signed checkpoints. */
export interface AuditLogRow {
  idx: number;
  entry: string;
  leaf_hash: string;
  root_after: string;
  conversation_id: string | null;
  message_id: string | null;
}

export interface AuditCheckpointRow {
  tree_size: number;
  root_hash: string;
  issued_at: string;
  key_id: string;
  signature: string;
}

export const toAuditRow = (r: AuditLogRow): AuditRowRecord => ({
  index: r.idx,
  entry: r.entry,
  leafHash: r.leaf_hash,
  rootAfter: r.root_after,
  conversationId: r.conversation_id,
  messageId: r.message_id,
});

export const toAuditCheckpoint = (r: AuditCheckpointRow): AuditCheckpointRecord => ({
  treeSize: r.tree_size,
  rootHash: r.root_hash,
  issuedAt: r.issued_at,
  keyId: r.key_id,
  signature: r.signature,
});

/**
 * Recall analytics cells. `follow_up` is part of the primary key, and key columns cannot be NULL, so an
 * allowed attempt's "no follow-up" is stored as ''.
 */
export interface RecallBucketRow {
  slot: number;
  outcome: string;
  conversation_kind: string;
  content_type: string;
  role: string;
  delay_bucket: number;
  follow_up: string;
  count: number;
}

/** The stored form of a cell's follow-up (see RecallBucketRow). */
export const followUpColumn = (followUp: FollowUp | null): string => followUp ?? '';

const toFollowUp = (column: string): FollowUp | null => (column === '' ? null : (column as FollowUp));

/** A bucket key as the parameters of the statements, in column order (slot … follow_up). */
export const bucketKeyValues = (
  k: RecallBucketKey,
): [number, string, string, string, string, number, string] => [
  k.slot,
  k.outcome,
  k.conversationKind,
  k.contentType,
  k.role,
  k.delayBucket,
  followUpColumn(k.followUp),
];

export const toRecallBucket = (r: RecallBucketRow): RecallBucketRecord => ({
  slot: r.slot,
  outcome: r.outcome,
  conversationKind: r.conversation_kind as ConversationKind,
  contentType: r.content_type,
  role: r.role,
  delayBucket: r.delay_bucket,
  followUp: toFollowUp(r.follow_up),
  count: r.count,
});

/** A pending follow-up with the key of the cell it was counted in, flattened into `bucket_*` columns. */
export interface PendingFollowUpRow {
  id: string;
  user_id: string;
  conversation_id: string;
  message_id: string;
  denied_at: number;
  bucket_slot: number;
  bucket_outcome: string;
  bucket_conversation_kind: string;
  bucket_content_type: string;
  bucket_role: string;
  bucket_delay_bucket: number;
  bucket_follow_up: string;
}

/** A pending follow-up as the parameters of its INSERT, in column order. */
export const pendingFollowUpValues = (p: PendingFollowUpRecord): unknown[] => [
  p.id,
  p.userId,
  p.conversationId,
  p.messageId,
  p.deniedAt,
  ...bucketKeyValues(p.bucket),
];

export const toPendingFollowUp = (r: PendingFollowUpRow): PendingFollowUpRecord => ({
  id: r.id,
  userId: r.user_id,
  conversationId: r.conversation_id,
  messageId: r.message_id,
  deniedAt: r.denied_at,
  bucket: {
    slot: r.bucket_slot,
    outcome: r.bucket_outcome,
    conversationKind: r.bucket_conversation_kind as ConversationKind,
    contentType: r.bucket_content_type,
    role: r.bucket_role,
    delayBucket: r.bucket_delay_bucket,
    followUp: toFollowUp(r.bucket_follow_up),
  },
});

export interface DailyActivityRow {
  day: string;
  senders: number;
  attempters: number;
  senders_who_attempted: number;
}

export const toDailyActivity = (r: DailyActivityRow): DailyActivityRecord => ({
  day: r.day,
  senders: r.senders,
  attempters: r.attempters,
  sendersWhoAttempted: r.senders_who_attempted,
});

export interface PushTargetRow {
  id: string;
  user_id: string;
  device_id: string;
  kind: string;
  address: string;
  p256dh: string | null;
  auth: string | null;
  pushkey: string | null;
  secret: string | null;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  privacy: number | boolean;
  created_at: number;
}

export interface PushJobRow {
  target_id: string;
  message_id: string;
  kind: string;
  tag: string;
  attempts: number;
  next_attempt_at: number;
}

export const toPushTarget = (r: PushTargetRow): PushTargetRecord => ({
  id: r.id,
  userId: r.user_id,
  deviceId: r.device_id,
  kind: r.kind === 'gateway' ? 'gateway' : 'webpush',
  address: r.address,
  p256dh: r.p256dh,
  auth: r.auth,
  pushkey: r.pushkey,
  secret: r.secret,
  privacy: r.privacy === true || r.privacy === 1,
  createdAt: r.created_at,
});

export const toPushJob = (r: PushJobRow): PushJobRecord => ({
  targetId: r.target_id,
  messageId: r.message_id,
  kind: r.kind === 'retract' ? 'retract' : 'notify',
  tag: r.tag,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
});
