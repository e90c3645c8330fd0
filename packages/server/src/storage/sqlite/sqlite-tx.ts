import type Database from 'better-sqlite3';
import type { StorageTx } from '../storage.js';
import type {
  AuditCheckpointRecord,
  AuditRowRecord,
  AuditStateRecord,
  AuditTargetQuery,
} from '../audit-records.js';
import { prepareAuditLog } from './audit-log.js';
import { prepareAnalytics } from './analytics.js';
import { prepareWebhooks } from './webhooks.js';
import { preparePush } from './push.js';
import type { ClaimedPush, NotifyFanout, PushJobKey, PushTargetRecord } from '../push-records.js';
import type {
  ApiKeyRecord,
  WebhookAttemptResult,
  WebhookDeliveryRecord,
  WebhookEventRecord,
  WebhookSubscriptionRecord,
} from '../webhook-records.js';
import type {
  DailyActivityRecord,
  PendingFollowUpRecord,
  RecallBucketKey,
  RecallBucketRecord,
} from '../analytics-records.js';
import type {
  AttachmentRecord,
  ComplianceHoldRecord,
  HeldMessageRecord,
  UserSettings,
  ConsentRequestRecord,
  ConsentSettlement,
  Disappearing,
  RecallJobRecord,
  ConversationRecord,
  Delivery,
  DeviceRecord,
  MemberRecord,
  Membership,
  MessageRecord,
  NewEvent,
  NewMessage,
  TombstoneRecord,
  UserRecord,
} from '../records.js';
import {
  asRole,
  toConversation,
  toDevice,
  toMessage,
  toStoredEvent,
  toUser,
  toAttachment,
  toConsentRequest,
  toComplianceHold,
  type HoldRow,
  toHeldMessage,
  type HeldRow,
  type AttachmentRow,
  type ConsentRow,
  type ConversationRow,
  type DeviceRow,
  type EventRow,
  type MemberRow,
  type MessageRow,
  type UserRow,
} from './rows.js';

interface JobRow {
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

const MESSAGE_COLUMNS = `m.pos AS m_pos, m.id AS m_id, m.conversation_id AS m_conversation_id,
  m.sender_id AS m_sender_id, m.client_msg_id AS m_client_msg_id, m.type AS m_type, m.body AS m_body,
  m.sent_at AS m_sent_at, m.recalled_at AS m_recalled_at, m.recalled_by AS m_recalled_by,
  m.recall_role AS m_recall_role, m.recall_reason AS m_recall_reason, m.recall_label AS m_recall_label,
  m.recall_approved_by AS m_recall_approved_by, m.flags AS m_flags,
  m.reply_to AS m_reply_to, m.corrects AS m_corrects,
  m.attachment_id AS m_attachment_id, m.expires_at AS m_expires_at`;

/** Every statement prepared once per connection. */
function prepare(db: Database.Database) {
  return {
    userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByName: db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?'),
    insertUser: db.prepare(
      'INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    deviceByToken: db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE token_hash = ?'),
    deviceById: db.prepare<[string], DeviceRow>('SELECT * FROM devices WHERE id = ?'),
    insertDevice: db.prepare(
      'INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    deleteDevice: db.prepare('DELETE FROM devices WHERE id = ?'),
    // Accounts: passwords, disabling, revoking sessions.
    account: db.prepare<[string], { password_hash: string; disabled_at: number | null }>(
      'SELECT password_hash, disabled_at FROM users WHERE id = ?',
    ),
    setPasswordHash: db.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    setDisabledAt: db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?'),
    deleteDevicesOf: db.prepare<[string, string], { id: string }>(
      'DELETE FROM devices WHERE user_id = ? AND id IS NOT ? RETURNING id',
    ),
    advanceCursor: db.prepare('UPDATE devices SET cursor = max(cursor, ?) WHERE id = ?'),
    conversationById: db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?'),
    conversationByKey: db.prepare<[string], ConversationRow>(
      'SELECT * FROM conversations WHERE direct_key = ?',
    ),
    insertConversation: db.prepare(
      'INSERT INTO conversations (id, kind, title, created_at, direct_key, policy) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    setPolicy: db.prepare('UPDATE conversations SET policy = ? WHERE id = ?'),

    membership: db.prepare<[string, string], { role: string; from_pos: number }>(
      'SELECT role, from_pos FROM members WHERE conversation_id = ? AND user_id = ?',
    ),
    members: db.prepare<[string], MemberRow>(
      `SELECT mb.conversation_id, mb.user_id, u.username, mb.role, mb.joined_at
       FROM members mb JOIN users u ON u.id = mb.user_id WHERE mb.conversation_id = ? ORDER BY mb.joined_at, mb.user_id`,
    ),
    conversationsOf: db.prepare<[string], ConversationRow>(
      `SELECT c.* FROM members mb JOIN conversations c ON c.id = mb.conversation_id
       WHERE mb.user_id = ? ORDER BY c.created_at DESC, c.id`,
    ),
    insertMember: db.prepare(
      `INSERT INTO members (conversation_id, user_id, role, joined_at, from_pos)
       VALUES (?, ?, ?, ?, (SELECT coalesce(max(pos), 0) FROM messages)) ON CONFLICT DO NOTHING`,
    ),
    deleteMember: db.prepare('DELETE FROM members WHERE conversation_id = ? AND user_id = ?'),
    messageById: db.prepare<[string], MessageRow>('SELECT * FROM messages WHERE id = ?'),
    messageByClientId: db.prepare<[string, string], MessageRow>(
      'SELECT * FROM messages WHERE sender_id = ? AND client_msg_id = ?',
    ),
    listMessages: db.prepare<[string, number, number, string, number], MessageRow>(
      `SELECT m.* FROM messages m
       WHERE m.conversation_id = ? AND m.pos < ? AND m.pos > ?
         AND NOT EXISTS (SELECT 1 FROM hidden h WHERE h.user_id = ? AND h.message_id = m.id)
       ORDER BY m.pos DESC LIMIT ?`,
    ),
    insertMessage: db.prepare<unknown[], { pos: number }>(
      `INSERT INTO messages (id, conversation_id, sender_id, client_msg_id, type, body, sent_at, flags, reply_to, corrects,
                             attachment_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING pos`,
    ),
    insertAttachment: db.prepare(
      `INSERT INTO attachments (id, uploader_id, kind, mime, name, size, sha256, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    readByOthers: db.prepare<[string, string, number], { one: number }>(
      'SELECT 1 AS one FROM reads WHERE conversation_id = ? AND user_id != ? AND pos >= ? LIMIT 1',
    ),
    markRead: db.prepare(
      `INSERT INTO reads (conversation_id, user_id, pos, read_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET pos = excluded.pos, read_at = excluded.read_at
       WHERE excluded.pos > reads.pos`,
    ),
    idsBySender: db.prepare<[string, string, number, number], { id: string }>(
      `SELECT id FROM messages WHERE conversation_id = ? AND sender_id = ? AND sent_at BETWEEN ? AND ?
       ORDER BY pos`,
    ),
    disappearing: db.prepare<[string], { disappearing: string | null }>(
      'SELECT disappearing FROM conversations WHERE id = ?',
    ),
    setDisappearing: db.prepare('UPDATE conversations SET disappearing = ? WHERE id = ?'),
    setExpiry: db.prepare('UPDATE messages SET expires_at = ? WHERE id = ?'),
    // Only messages the reader can see: those stored after the reader joined (as listMessages shows).
    startReadTimers: db.prepare<
      [number, string, number, string, string, string],
      { id: string; pos: number }
    >(
      `UPDATE messages SET expires_at = ?
       WHERE conversation_id = ? AND pos <= ? AND sender_id != ? AND expires_at IS NULL AND recalled_at IS NULL
         AND pos > (SELECT from_pos FROM members WHERE conversation_id = ? AND user_id = ?)
       RETURNING id, pos`,
    ),
    expired: db.prepare<[number, number], { id: string }>(
      `SELECT id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ? AND recalled_at IS NULL
       ORDER BY expires_at LIMIT ?`,
    ),
    sentBefore: db.prepare<[number, number], { id: string }>(
      'SELECT id FROM messages WHERE sent_at < ? AND recalled_at IS NULL ORDER BY sent_at LIMIT ?',
    ),
    jobById: db.prepare<[string], JobRow>('SELECT * FROM recall_jobs WHERE id = ?'),
    insertJob: db.prepare(
      `INSERT INTO recall_jobs (id, conversation_id, actor_id, params, status, total, results, created_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    updateJob: db.prepare('UPDATE recall_jobs SET status = ?, results = ?, finished_at = ? WHERE id = ?'),
    attachmentById: db.prepare<[string], AttachmentRow>('SELECT * FROM attachments WHERE id = ?'),
    claimAttachment: db.prepare('UPDATE attachments SET message_id = ? WHERE id = ? AND message_id IS NULL'),
    deleteAttachment: db.prepare(
      "UPDATE attachments SET deleted_at = ?, name = '', sha256 = '' WHERE id = ? AND deleted_at IS NULL",
    ),
    messagesByIds: db.prepare<[string], MessageRow>(
      'SELECT * FROM messages WHERE id IN (SELECT value FROM json_each(?))',
    ),
    latestCorrections: db.prepare<[string], { corrects: string; id: string }>(
      `SELECT m.corrects, m.id FROM messages m
       WHERE m.corrects IN (SELECT value FROM json_each(?))
         AND m.pos = (SELECT max(pos) FROM messages c WHERE c.corrects = m.corrects)`,
    ),
    eraseMessage: db.prepare(
      `UPDATE messages SET body = NULL, flags = NULL, attachment_id = NULL, recalled_at = ?, recalled_by = ?, recall_role = ?,
              recall_reason = ?, recall_label = ?, recall_approved_by = ?
       WHERE id = ?`,
    ),
    consentById: db.prepare<[string], ConsentRow>('SELECT * FROM consent_requests WHERE id = ?'),
    latestConsent: db.prepare<[string], ConsentRow>(
      'SELECT * FROM consent_requests WHERE message_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
    ),
    // The user's own requests, and those of conversations where they decide: the other person of a
    // direct chat, an owner or admin of a group.
    consentsOf: db.prepare<[string, string, string | null, string | null, number], ConsentRow>(
      `SELECT r.* FROM consent_requests r
       JOIN conversations c ON c.id = r.conversation_id
       LEFT JOIN members m ON m.conversation_id = r.conversation_id AND m.user_id = ?
       WHERE (r.requester_id = ?
              OR (m.user_id IS NOT NULL AND (c.kind = 'direct' OR m.role IN ('owner', 'admin'))))
         AND (? IS NULL OR r.status = ?)
       ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?`,
    ),
    expiredConsents: db.prepare<[number, number], { id: string }>(
      `SELECT id FROM consent_requests WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
    ),
    insertConsent: db.prepare(
      `INSERT INTO consent_requests (id, conversation_id, message_id, requester_id, reason, status, created_at, expires_at,
         decided_by, decided_at, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    settleConsent: db.prepare(
      `UPDATE consent_requests SET status = ?, decided_by = ?, decided_at = ?, note = ?
       WHERE id = ? AND status = 'pending'`,
    ),
    settingsOf: db.prepare<[string], { send_delay_seconds: number }>(
      'SELECT send_delay_seconds FROM user_settings WHERE user_id = ?',
    ),
    setSettings: db.prepare(
      `INSERT INTO user_settings (user_id, send_delay_seconds) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET send_delay_seconds = excluded.send_delay_seconds`,
    ),
    heldById: db.prepare<[string], HeldRow>('SELECT * FROM held_messages WHERE id = ?'),
    heldByClientId: db.prepare<[string, string], HeldRow>(
      'SELECT * FROM held_messages WHERE sender_id = ? AND client_msg_id = ?',
    ),
    dueHeld: db.prepare<[number, number], { id: string }>(
      'SELECT id FROM held_messages WHERE deliver_at <= ? ORDER BY deliver_at, held_at LIMIT ?',
    ),
    insertHeld: db.prepare(
      `INSERT INTO held_messages (id, conversation_id, sender_id, client_msg_id, type, body, attachment_id, reply_to,
         corrects, held_at, deliver_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteHeld: db.prepare('DELETE FROM held_messages WHERE id = ?'),
    releaseAttachment: db.prepare('UPDATE attachments SET message_id = NULL WHERE id = ?'),
    listShreds: db.prepare<[number], { key_id: string }>(
      'SELECT key_id FROM key_shred_queue ORDER BY queued_at LIMIT ?',
    ),
    queueShreds: db.prepare(
      `INSERT INTO key_shred_queue (key_id, queued_at) SELECT value, ? FROM json_each(?) WHERE true
       ON CONFLICT (key_id) DO NOTHING`,
    ),
    clearShreds: db.prepare('DELETE FROM key_shred_queue WHERE key_id IN (SELECT value FROM json_each(?))'),
    holdById: db.prepare<[string], HoldRow>('SELECT * FROM compliance_holds WHERE message_id = ?'),
    holdsAll: db.prepare<[number], HoldRow>(
      'SELECT * FROM compliance_holds ORDER BY recalled_at DESC, message_id LIMIT ?',
    ),
    holdsOf: db.prepare<[string, number], HoldRow>(
      'SELECT * FROM compliance_holds WHERE conversation_id = ? ORDER BY recalled_at DESC, message_id LIMIT ?',
    ),
    expiredHolds: db.prepare<[number, number], { message_id: string }>(
      'SELECT message_id FROM compliance_holds WHERE hold_until <= ? ORDER BY hold_until LIMIT ?',
    ),
    insertHold: db.prepare(
      `INSERT INTO compliance_holds (message_id, conversation_id, sender_id, type, sealed_body, sent_at, recalled_at,
         hold_until)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
    ),
    deleteHolds: db.prepare(
      'DELETE FROM compliance_holds WHERE message_id IN (SELECT value FROM json_each(?))',
    ),
    hide: db.prepare(
      'INSERT INTO hidden (user_id, message_id, hidden_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    lastSeq: db.prepare<[string], { last_seq: number }>('SELECT last_seq FROM users WHERE id = ?'),
    readEvents: db.prepare<[string, number, number], EventRow>(
      `SELECT i.seq, e.type, e.conversation_id, e.message_id, e.at, e.data,
              (h.message_id IS NOT NULL) AS hidden, ${MESSAGE_COLUMNS}
       FROM inbox i
       JOIN events e ON e.id = i.event_id
       LEFT JOIN messages m ON m.id = e.message_id
       LEFT JOIN hidden h ON h.user_id = i.user_id AND h.message_id = e.message_id
       WHERE i.user_id = ? AND i.seq > ? ORDER BY i.seq LIMIT ?`,
    ),
    receivers: db.prepare<[string], { user_id: string }>(
      `SELECT DISTINCT i.user_id FROM events e JOIN inbox i ON i.event_id = e.id
       WHERE e.message_id = ? AND e.type = 'message.created'`,
    ),
    insertEvent: db.prepare<unknown[], { id: number }>(
      'INSERT INTO events (type, conversation_id, message_id, at, data) VALUES (?, ?, ?, ?, ?) RETURNING id',
    ),
    // Numbering for many recipients in two statements rather than two per recipient: a recall in a group
    // of a thousand stays one short transaction.
    bumpSeqs: db.prepare<[string], { id: string; last_seq: number }>(
      'UPDATE users SET last_seq = last_seq + 1 WHERE id IN (SELECT value FROM json_each(?)) RETURNING id, last_seq',
    ),
    fillInbox: db.prepare(
      `INSERT INTO inbox (user_id, seq, event_id)
       SELECT id, last_seq, ? FROM users WHERE id IN (SELECT value FROM json_each(?))`,
    ),
    audit: prepareAuditLog(db),
    analytics: prepareAnalytics(db),
    webhooks: prepareWebhooks(db),
    push: preparePush(db),
  };
}

export type Statements = ReturnType<typeof prepare>;
export { prepare as prepareStatements };

/**
 * The port over one better-sqlite3 connection. Calls are synchronous underneath; the async signatures
 * are the port's, so that PostgreSQL fits the same shape.
 */
export class SqliteTx implements StorageTx {
  constructor(private readonly s: Statements) {}

  async findUserById(id: string): Promise<UserRecord | null> {
    const row = this.s.userById.get(id);
    return row ? toUser(row) : null;
  }
  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const row = this.s.userByName.get(username);
    return row ? toUser(row) : null;
  }
  async findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | null> {
    const row = this.s.deviceByToken.get(tokenHash);
    return row ? toDevice(row) : null;
  }
  async findDevice(id: string): Promise<DeviceRecord | null> {
    const row = this.s.deviceById.get(id);
    return row ? toDevice(row) : null;
  }
  async findConversation(id: string): Promise<ConversationRecord | null> {
    const row = this.s.conversationById.get(id);
    return row ? toConversation(row) : null;
  }
  async findDirectConversation(directKey: string): Promise<ConversationRecord | null> {
    const row = this.s.conversationByKey.get(directKey);
    return row ? toConversation(row) : null;
  }
  async findMembership(conversationId: string, userId: string): Promise<Membership | null> {
    const row = this.s.membership.get(conversationId, userId);
    return row ? { role: asRole(row.role), fromPos: row.from_pos } : null;
  }
  async listMembers(conversationId: string): Promise<MemberRecord[]> {
    return this.s.members.all(conversationId).map((r) => ({
      conversationId: r.conversation_id,
      userId: r.user_id,
      username: r.username,
      role: asRole(r.role),
      joinedAt: r.joined_at,
    }));
  }
  async listConversationsOf(userId: string): Promise<ConversationRecord[]> {
    return this.s.conversationsOf.all(userId).map(toConversation);
  }
  async findMessage(id: string): Promise<MessageRecord | null> {
    const row = this.s.messageById.get(id);
    return row ? toMessage(row) : null;
  }
  async findMessageByClientId(senderId: string, clientMsgId: string): Promise<MessageRecord | null> {
    const row = this.s.messageByClientId.get(senderId, clientMsgId);
    return row ? toMessage(row) : null;
  }
  async listMessages(
    conversationId: string,
    viewerId: string,
    beforePos: number | null,
    limit: number,
  ): Promise<MessageRecord[]> {
    const membership = this.s.membership.get(conversationId, viewerId);
    if (!membership) return [];
    return this.s.listMessages
      .all(conversationId, beforePos ?? Number.MAX_SAFE_INTEGER, membership.from_pos, viewerId, limit)
      .map(toMessage);
  }
  async findMessages(ids: readonly string[]): Promise<MessageRecord[]> {
    return ids.length === 0 ? [] : this.s.messagesByIds.all(JSON.stringify(ids)).map(toMessage);
  }
  async latestCorrections(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    return new Map(this.s.latestCorrections.all(JSON.stringify(ids)).map((r) => [r.corrects, r.id] as const));
  }
  async readByOthers(message: MessageRecord): Promise<boolean> {
    return this.s.readByOthers.get(message.conversationId, message.senderId, message.pos) !== undefined;
  }
  async markRead(conversationId: string, userId: string, pos: number, at: number): Promise<boolean> {
    return this.s.markRead.run(conversationId, userId, pos, at).changes === 1;
  }
  async listMessageIdsBySender(conversationId: string, senderId: string, fromMs: number, toMs: number) {
    return this.s.idsBySender.all(conversationId, senderId, fromMs, toMs).map((r) => r.id);
  }
  async findRecallJob(id: string): Promise<RecallJobRecord | null> {
    const r = this.s.jobById.get(id);
    return r
      ? {
          id: r.id,
          conversationId: r.conversation_id,
          actorId: r.actor_id,
          params: JSON.parse(r.params) as Record<string, unknown>,
          status: r.status as RecallJobRecord['status'],
          total: r.total,
          results: JSON.parse(r.results) as RecallJobRecord['results'],
          createdAt: r.created_at,
          finishedAt: r.finished_at,
        }
      : null;
  }
  async findDisappearing(conversationId: string): Promise<Disappearing | null> {
    const raw = this.s.disappearing.get(conversationId)?.disappearing ?? null;
    return raw === null ? null : (JSON.parse(raw) as Disappearing);
  }
  async listSentBefore(cutoff: number, limit: number): Promise<string[]> {
    return this.s.sentBefore.all(cutoff, limit).map((r) => r.id);
  }
  async listExpired(now: number, limit: number): Promise<string[]> {
    return this.s.expired.all(now, limit).map((r) => r.id);
  }
  async setDisappearing(conversationId: string, setting: Disappearing | null): Promise<void> {
    this.s.setDisappearing.run(setting === null ? null : JSON.stringify(setting), conversationId);
  }
  async setExpiry(messageId: string, expiresAt: number): Promise<void> {
    this.s.setExpiry.run(expiresAt, messageId);
  }
  async startReadTimers(
    conversationId: string,
    readerId: string,
    pos: number,
    expiresAt: number,
  ): Promise<string[]> {
    return this.s.startReadTimers
      .all(expiresAt, conversationId, pos, readerId, conversationId, readerId)
      .sort((a, b) => a.pos - b.pos)
      .map((r) => r.id);
  }
  async insertRecallJob(j: RecallJobRecord): Promise<void> {
    this.s.insertJob.run(
      j.id,
      j.conversationId,
      j.actorId,
      JSON.stringify(j.params),
      j.status,
      j.total,
      JSON.stringify(j.results),
      j.createdAt,
      j.finishedAt,
    );
  }
  async updateRecallJob(
    id: string,
    u: Pick<RecallJobRecord, 'status' | 'results' | 'finishedAt'>,
  ): Promise<void> {
    this.s.updateJob.run(u.status, JSON.stringify(u.results), u.finishedAt, id);
  }
  async findAttachment(id: string): Promise<AttachmentRecord | null> {
    const row = this.s.attachmentById.get(id);
    return row ? toAttachment(row) : null;
  }
  async insertAttachment(a: Omit<AttachmentRecord, 'messageId' | 'deletedAt'>): Promise<void> {
    this.s.insertAttachment.run(a.id, a.uploaderId, a.kind, a.mime, a.name, a.size, a.sha256, a.createdAt);
  }
  async claimAttachment(id: string, messageId: string): Promise<boolean> {
    return this.s.claimAttachment.run(messageId, id).changes === 1;
  }
  async markAttachmentDeleted(id: string, at: number): Promise<void> {
    this.s.deleteAttachment.run(at, id);
  }
  async lastSeq(userId: string): Promise<number> {
    return this.s.lastSeq.get(userId)?.last_seq ?? 0;
  }
  async readEvents(userId: string, after: number, limit: number) {
    return this.s.readEvents.all(userId, after, limit).map(toStoredEvent);
  }
  async usersWhoReceived(messageId: string): Promise<string[]> {
    return this.s.receivers.all(messageId).map((r) => r.user_id);
  }

  async insertUser(user: UserRecord): Promise<boolean> {
    return this.s.insertUser.run(user.id, user.username, user.passwordHash, user.createdAt).changes === 1;
  }
  async insertDevice(d: Omit<DeviceRecord, 'cursor'>): Promise<void> {
    this.s.insertDevice.run(d.id, d.userId, d.name, d.tokenHash, d.createdAt);
  }
  async deleteDevice(id: string): Promise<void> {
    this.s.deleteDevice.run(id);
  }
  // Accounts: SQLite runs one writer at a time, so reading the row is all the locking there is to do.
  async lockAccount(userId: string): Promise<{ passwordHash: string; disabledAt: number | null } | null> {
    const row = this.s.account.get(userId);
    return row ? { passwordHash: row.password_hash, disabledAt: row.disabled_at } : null;
  }
  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    this.s.setPasswordHash.run(passwordHash, userId);
  }
  async setDisabledAt(userId: string, at: number | null): Promise<void> {
    this.s.setDisabledAt.run(at, userId);
  }
  async deleteDevicesOf(userId: string, keep: string | null): Promise<string[]> {
    return this.s.deleteDevicesOf.all(userId, keep ?? '').map((r) => r.id);
  }
  async advanceCursor(deviceId: string, seq: number): Promise<void> {
    this.s.advanceCursor.run(seq, deviceId);
  }
  async insertConversation(c: ConversationRecord): Promise<void> {
    this.s.insertConversation.run(
      c.id,
      c.kind,
      c.title,
      c.createdAt,
      c.directKey,
      c.policy === null ? null : JSON.stringify(c.policy),
    );
  }
  async setConversationPolicy(id: string, policy: unknown): Promise<void> {
    this.s.setPolicy.run(policy === null ? null : JSON.stringify(policy), id);
  }
  async insertMember(m: Omit<MemberRecord, 'username'>): Promise<void> {
    this.s.insertMember.run(m.conversationId, m.userId, m.role, m.joinedAt);
  }
  async deleteMember(conversationId: string, userId: string): Promise<void> {
    this.s.deleteMember.run(conversationId, userId);
  }
  async insertMessage(m: NewMessage): Promise<MessageRecord> {
    const row = this.s.insertMessage.get(
      m.id,
      m.conversationId,
      m.senderId,
      m.clientMsgId,
      m.type,
      m.body,
      m.sentAt,
      m.flags.length === 0 ? null : JSON.stringify(m.flags),
      m.replyTo,
      m.corrects,
      m.attachmentId,
    );
    if (!row) throw new Error('insert returned no row');
    return { ...m, pos: row.pos, tombstone: null, expiresAt: null };
  }
  async eraseMessage(id: string, t: TombstoneRecord): Promise<void> {
    this.s.eraseMessage.run(t.recalledAt, t.recalledBy, t.role, t.reason, t.label, t.approvedBy ?? null, id);
  }
  async listKeyShreds(limit: number): Promise<string[]> {
    return this.s.listShreds.all(limit).map((r) => r.key_id);
  }
  async queueKeyShreds(keyIds: readonly string[], at: number): Promise<void> {
    if (keyIds.length > 0) this.s.queueShreds.run(at, JSON.stringify(keyIds));
  }
  async clearKeyShreds(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length > 0) this.s.clearShreds.run(JSON.stringify(keyIds));
  }
  async findComplianceHold(messageId: string): Promise<ComplianceHoldRecord | null> {
    const row = this.s.holdById.get(messageId);
    return row ? toComplianceHold(row) : null;
  }
  async listComplianceHolds(conversationId: string | null, limit: number): Promise<ComplianceHoldRecord[]> {
    const rows =
      conversationId === null ? this.s.holdsAll.all(limit) : this.s.holdsOf.all(conversationId, limit);
    return rows.map(toComplianceHold);
  }
  async listExpiredHolds(now: number, limit: number): Promise<string[]> {
    return this.s.expiredHolds.all(now, limit).map((r) => r.message_id);
  }
  async insertComplianceHold(h: ComplianceHoldRecord): Promise<void> {
    this.s.insertHold.run(
      h.messageId,
      h.conversationId,
      h.senderId,
      h.type,
      h.sealedBody,
      h.sentAt,
      h.recalledAt,
      h.holdUntil,
    );
  }
  async deleteComplianceHolds(messageIds: readonly string[]): Promise<void> {
    if (messageIds.length > 0) this.s.deleteHolds.run(JSON.stringify(messageIds));
  }
  async findUserSettings(userId: string): Promise<UserSettings> {
    return { sendDelaySeconds: this.s.settingsOf.get(userId)?.send_delay_seconds ?? 0 };
  }
  async setUserSettings(userId: string, settings: UserSettings): Promise<void> {
    this.s.setSettings.run(userId, settings.sendDelaySeconds);
  }
  async findHeldMessage(id: string): Promise<HeldMessageRecord | null> {
    const row = this.s.heldById.get(id);
    return row ? toHeldMessage(row) : null;
  }
  async findHeldMessageByClientId(senderId: string, clientMsgId: string): Promise<HeldMessageRecord | null> {
    const row = this.s.heldByClientId.get(senderId, clientMsgId);
    return row ? toHeldMessage(row) : null;
  }
  async listDueHeldMessages(now: number, limit: number): Promise<string[]> {
    return this.s.dueHeld.all(now, limit).map((r) => r.id);
  }
  async insertHeldMessage(h: HeldMessageRecord): Promise<void> {
    this.s.insertHeld.run(
      h.id,
      h.conversationId,
      h.senderId,
      h.clientMsgId,
      h.type,
      h.body,
      h.attachmentId,
      h.replyTo,
      h.corrects,
      h.heldAt,
      h.deliverAt,
    );
  }
  async deleteHeldMessage(id: string): Promise<boolean> {
    return this.s.deleteHeld.run(id).changes === 1;
  }
  async releaseAttachment(id: string): Promise<void> {
    this.s.releaseAttachment.run(id);
  }
  async findConsentRequest(id: string): Promise<ConsentRequestRecord | null> {
    const row = this.s.consentById.get(id);
    return row ? toConsentRequest(row) : null;
  }
  async latestConsentRequest(messageId: string): Promise<ConsentRequestRecord | null> {
    const row = this.s.latestConsent.get(messageId);
    return row ? toConsentRequest(row) : null;
  }
  async listConsentRequests(
    userId: string,
    status: ConsentRequestRecord['status'] | null,
    limit: number,
  ): Promise<ConsentRequestRecord[]> {
    return this.s.consentsOf.all(userId, userId, status, status, limit).map(toConsentRequest);
  }
  async listExpiredConsentRequests(now: number, limit: number): Promise<string[]> {
    return this.s.expiredConsents.all(now, limit).map((r) => r.id);
  }
  async insertConsentRequest(r: ConsentRequestRecord): Promise<void> {
    this.s.insertConsent.run(
      r.id,
      r.conversationId,
      r.messageId,
      r.requesterId,
      r.reason,
      r.status,
      r.createdAt,
      r.expiresAt,
      r.decidedBy,
      r.decidedAt,
      r.note,
    );
  }
  async settleConsentRequest(id: string, s: ConsentSettlement): Promise<boolean> {
    return this.s.settleConsent.run(s.status, s.decidedBy, s.decidedAt, s.note, id).changes === 1;
  }
  async hideMessage(userId: string, messageId: string, at: number): Promise<boolean> {
    return this.s.hide.run(userId, messageId, at).changes === 1;
  }
  async appendEvent(event: NewEvent, recipients: readonly string[]): Promise<Delivery[]> {
    const inserted = this.s.insertEvent.get(
      event.type,
      event.conversationId,
      event.messageId,
      event.at,
      JSON.stringify(event.data),
    );
    if (!inserted) throw new Error('insert returned no row');
    if (recipients.length === 0) return [];
    const ids = JSON.stringify(recipients);
    const deliveries = this.s.bumpSeqs.all(ids).map((r) => ({ userId: r.id, seq: r.last_seq }));
    this.s.fillInbox.run(inserted.id, ids);
    return deliveries;
  }

  // The audit log (audit-log.ts).
  async auditSize(): Promise<number> {
    return this.s.audit.size();
  }
  async auditState(): Promise<AuditStateRecord | null> {
    return this.s.audit.state();
  }
  async readAuditRows(from: number, limit: number): Promise<AuditRowRecord[]> {
    return this.s.audit.rows(from, limit);
  }
  async auditLeafHashes(upTo: number): Promise<string[]> {
    return this.s.audit.leafHashes(upTo);
  }
  async auditIndexesFor(target: AuditTargetQuery): Promise<number[]> {
    return this.s.audit.indexesFor(target);
  }
  async listCheckpoints(): Promise<AuditCheckpointRecord[]> {
    return this.s.audit.checkpoints();
  }
  async latestCheckpoint(): Promise<AuditCheckpointRecord | null> {
    return this.s.audit.latestCheckpoint();
  }
  async appendAuditRow(row: AuditRowRecord, state: AuditStateRecord): Promise<void> {
    this.s.audit.append(row, state);
  }
  async insertCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean> {
    return this.s.audit.insertCheckpoint(checkpoint);
  }

  // Recall analytics (analytics.ts).
  async listRecallBuckets(from: number, to: number): Promise<RecallBucketRecord[]> {
    return this.s.analytics.buckets(from, to);
  }
  async listDailyActivity(from: string, to: string): Promise<DailyActivityRecord[]> {
    return this.s.analytics.daily(from, to);
  }
  async listPendingFollowUps(userId: string, conversationId: string): Promise<PendingFollowUpRecord[]> {
    return this.s.analytics.pendingOf(userId, conversationId);
  }
  async listStaleFollowUps(before: number, limit: number): Promise<PendingFollowUpRecord[]> {
    return this.s.analytics.stale(before, limit);
  }
  async addRecallBucket(key: RecallBucketKey, delta: number): Promise<void> {
    this.s.analytics.addBucket(key, delta);
  }
  async insertPendingFollowUp(pending: PendingFollowUpRecord): Promise<void> {
    this.s.analytics.insertPending(pending);
  }
  async deletePendingFollowUp(id: string): Promise<boolean> {
    return this.s.analytics.deletePending(id);
  }
  async markActivity(day: string, userId: string, what: 'sent' | 'attempted'): Promise<void> {
    this.s.analytics.markActivity(day, userId, what);
  }
  async deleteAnalyticsBefore(beforeSlot: number, beforeDay: string): Promise<void> {
    this.s.analytics.deleteBefore(beforeSlot, beforeDay);
  }

  // Webhooks and API keys (webhooks.ts).
  async listWebhookSubscriptions(): Promise<WebhookSubscriptionRecord[]> {
    return this.s.webhooks.subscriptions();
  }
  async findWebhookSubscription(id: string): Promise<WebhookSubscriptionRecord | null> {
    return this.s.webhooks.subscription(id);
  }
  async listWebhookDeliveries(subscriptionId: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    return this.s.webhooks.deliveries(subscriptionId, limit);
  }
  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.s.webhooks.apiKeys();
  }
  async findApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.s.webhooks.apiKey(id);
  }
  async insertWebhookSubscription(subscription: WebhookSubscriptionRecord): Promise<void> {
    this.s.webhooks.insertSubscription(subscription);
  }
  async deleteWebhookSubscription(id: string): Promise<boolean> {
    return this.s.webhooks.deleteSubscription(id);
  }
  async setWebhookSecret(id: string, secret: string): Promise<boolean> {
    return this.s.webhooks.setSecret(id, secret);
  }
  async queueWebhookEvent(event: WebhookEventRecord): Promise<number> {
    return this.s.webhooks.queue(event);
  }
  async claimWebhookDeliveries(
    now: number,
    leaseUntil: number,
    limit: number,
  ): Promise<WebhookDeliveryRecord[]> {
    return this.s.webhooks.claim(now, leaseUntil, limit);
  }
  async recordWebhookAttempt(id: string, result: WebhookAttemptResult): Promise<void> {
    this.s.webhooks.record(id, result);
  }
  async pruneWebhookDeliveries(before: number): Promise<void> {
    this.s.webhooks.prune(before);
  }
  async insertApiKey(key: ApiKeyRecord): Promise<void> {
    this.s.webhooks.insertApiKey(key);
  }
  async revokeApiKey(id: string, at: number): Promise<boolean> {
    return this.s.webhooks.revokeApiKey(id, at);
  }

  // Push notifications (push.ts).
  async listPushTargets(deviceId: string): Promise<PushTargetRecord[]> {
    return this.s.push.targetsOf(deviceId);
  }
  async pushOutboxDepth(): Promise<number> {
    return this.s.push.depth();
  }
  async insertPushTarget(target: PushTargetRecord): Promise<void> {
    this.s.push.insertTarget(target);
  }
  async deletePushTarget(id: string, deviceId: string | null): Promise<boolean> {
    return this.s.push.deleteTarget(id, deviceId);
  }
  async queueNotifyPushes(fanout: NotifyFanout): Promise<number> {
    return this.s.push.queueNotify(fanout);
  }
  async retractPushes(messageId: string, dueAt: number): Promise<number> {
    return this.s.push.retract(messageId, dueAt);
  }
  async claimDuePushes(now: number, leaseUntil: number, limit: number): Promise<ClaimedPush[]> {
    return this.s.push.claim(now, leaseUntil, limit);
  }
  async deletePushJob(key: PushJobKey): Promise<void> {
    this.s.push.deleteJob(key);
  }
  async reschedulePushJob(key: PushJobKey, at: number): Promise<void> {
    this.s.push.reschedule(key, at);
  }
  async deletePushReceiptsBefore(before: number): Promise<void> {
    this.s.push.deleteReceiptsBefore(before);
  }
}
