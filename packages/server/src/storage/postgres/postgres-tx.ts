import type { StorageTx } from '../storage.js';
import type {
  AuditCheckpointRecord,
  AuditRowRecord,
  AuditStateRecord,
  AuditTargetQuery,
} from '../audit-records.js';
import type {
  AttachmentRecord,
  ComplianceHoldRecord,
  ConsentRequestRecord,
  ConsentSettlement,
  ConversationRecord,
  Delivery,
  DeviceRecord,
  Disappearing,
  HeldMessageRecord,
  MemberRecord,
  Membership,
  MessageRecord,
  NewEvent,
  NewMessage,
  RecallJobRecord,
  StoredEvent,
  TombstoneRecord,
  UserRecord,
  UserSettings,
} from '../records.js';
import type { Role } from '@retract/protocol';
import { PostgresAuditLog } from './audit-log.js';
import { PostgresAnalytics } from './analytics.js';
import { PostgresWebhooks } from './webhooks.js';
import { PostgresPush } from './push.js';
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
import type { Connection } from './pool.js';
import {
  toAttachment,
  toComplianceHold,
  toConsentRequest,
  toConversation,
  toDevice,
  toHeldMessage,
  toMember,
  toMessage,
  toRecallJob,
  toStoredEvent,
  toUser,
  type AttachmentRow,
  type ConsentRow,
  type ConversationRow,
  type DeviceRow,
  type EventRow,
  type HeldRow,
  type HoldRow,
  type JobRow,
  type MemberRow,
  type MessageRow,
  type UserRow,
} from './rows.js';

/** Namespaces (first key) of the transaction-scoped advisory locks below. */
const LOCK_CLIENT_MSG_ID = 0x52545201;
const LOCK_DIRECT_KEY = 0x52545202;

const jsonOrNull = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/**
 * The port over one pooled connection inside a transaction (postgres-storage.ts opens and ends it).
 * Every statement is parameterised.
 *
 * Concurrency (READ COMMITTED; the argument is in postgres-storage.ts). In a write transaction, the
 * reads that the actions follow with a write decided from them take a lock, so that those
 * check-then-act sequences behave as under SQLite's single writer even with writers on several nodes:
 * - one row that is read and then changed — a message (recall: "already recalled?"), a held message
 *   (deliver or cancel), a consent request — is read `FOR UPDATE`; a second transaction waits, then
 *   reads what the first committed;
 * - a lookup that decides whether to insert — a message or held message by client id (send retries),
 *   a direct conversation by its key — first takes a transaction-scoped advisory lock on that key, since
 *   there is no row yet to lock;
 * - the audit log's state (audit-log.ts), the per-user sequence (`appendEvent`), and the conversation
 *   row while a member joins or a message is stored (`insertMember`, `insertMessage`);
 * - the sweeps' lists claim their rows up front, skipping rows others hold (`claim` below).
 * In a read transaction (REPEATABLE READ, READ ONLY) nothing is locked.
 */
export class PostgresTx implements StorageTx {
  private readonly audit: PostgresAuditLog;
  private readonly analytics: PostgresAnalytics;
  private readonly webhooks: PostgresWebhooks;
  private readonly push: PostgresPush;

  constructor(
    private readonly db: Connection,
    private readonly writable: boolean,
  ) {
    this.audit = new PostgresAuditLog(db, writable);
    this.analytics = new PostgresAnalytics(db, writable);
    this.webhooks = new PostgresWebhooks(db);
    this.push = new PostgresPush(db, writable);
  }

  private get forUpdate(): string {
    return this.writable ? ' FOR UPDATE' : '';
  }

  /**
   * For the sweeps' lists (expired, due, past retention) in a write transaction: the listed rows are
   * locked at once, before the sweep takes any other lock, and rows another transaction holds (being
   * recalled, cancelled, decided right now; or claimed by another node's sweep) are skipped — the next
   * sweep takes them. Without this a sweep would lock its second message after the first one's audit
   * state and recipients, the opposite order of a recall of that second message: a deadlock. And
   * sweeps on several nodes share the work instead of queueing on the same rows.
   */
  private get claim(): string {
    return this.writable ? ' FOR UPDATE SKIP LOCKED' : '';
  }

  /** In a write transaction: waits for, then holds until commit, the advisory lock on (space, key). */
  private async lockKey(space: number, key: string): Promise<void> {
    if (this.writable) await this.db.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, key]);
  }

  async findUserById(id: string): Promise<UserRecord | null> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return row ? toUser(row) : null;
  }
  async findUserByUsername(username: string): Promise<UserRecord | null> {
    const row = await this.db.one<UserRow>(
      'SELECT * FROM users WHERE lower(username) = lower($1::text COLLATE "C")',
      [username],
    );
    return row ? toUser(row) : null;
  }
  async findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | null> {
    const row = await this.db.one<DeviceRow>('SELECT * FROM devices WHERE token_hash = $1', [tokenHash]);
    return row ? toDevice(row) : null;
  }
  async findDevice(id: string): Promise<DeviceRecord | null> {
    const row = await this.db.one<DeviceRow>('SELECT * FROM devices WHERE id = $1', [id]);
    return row ? toDevice(row) : null;
  }

  async findConversation(id: string): Promise<ConversationRecord | null> {
    const row = await this.db.one<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);
    return row ? toConversation(row) : null;
  }
  async findDirectConversation(directKey: string): Promise<ConversationRecord | null> {
    // Two people opening their direct chat at once: the second waits, then finds the first's.
    await this.lockKey(LOCK_DIRECT_KEY, directKey);
    const row = await this.db.one<ConversationRow>('SELECT * FROM conversations WHERE direct_key = $1', [
      directKey,
    ]);
    return row ? toConversation(row) : null;
  }
  async findMembership(conversationId: string, userId: string): Promise<Membership | null> {
    const row = await this.db.one<{ role: string; from_pos: number }>(
      'SELECT role, from_pos FROM members WHERE conversation_id = $1 AND user_id = $2',
      [conversationId, userId],
    );
    return row ? { role: row.role as Role, fromPos: row.from_pos } : null;
  }
  async listMembers(conversationId: string): Promise<MemberRecord[]> {
    const rows = await this.db.rows<MemberRow>(
      `SELECT mb.conversation_id, mb.user_id, u.username, mb.role, mb.joined_at
       FROM members mb JOIN users u ON u.id = mb.user_id
       WHERE mb.conversation_id = $1 ORDER BY mb.joined_at, mb.user_id`,
      [conversationId],
    );
    return rows.map(toMember);
  }
  async listConversationsOf(userId: string): Promise<ConversationRecord[]> {
    const rows = await this.db.rows<ConversationRow>(
      `SELECT c.* FROM members mb JOIN conversations c ON c.id = mb.conversation_id
       WHERE mb.user_id = $1 ORDER BY c.created_at DESC, c.id`,
      [userId],
    );
    return rows.map(toConversation);
  }

  async findMessage(id: string): Promise<MessageRecord | null> {
    // Locked in a write transaction: concurrent recalls of one message run one after the other, and the
    // second sees the first one's tombstone (one transition, one audit entry).
    const row = await this.db.one<MessageRow>(`SELECT * FROM messages WHERE id = $1${this.forUpdate}`, [id]);
    return row ? toMessage(row) : null;
  }
  async findMessageByClientId(senderId: string, clientMsgId: string): Promise<MessageRecord | null> {
    // A send and its retry at once: the retry waits, then finds the message (no duplicate, no error).
    await this.lockKey(LOCK_CLIENT_MSG_ID, `${senderId}:${clientMsgId}`);
    const row = await this.db.one<MessageRow>(
      'SELECT * FROM messages WHERE sender_id = $1 AND client_msg_id = $2',
      [senderId, clientMsgId],
    );
    return row ? toMessage(row) : null;
  }
  async listMessages(
    conversationId: string,
    viewerId: string,
    beforePos: number | null,
    limit: number,
  ): Promise<MessageRecord[]> {
    const rows = await this.db.rows<MessageRow>(
      `SELECT m.* FROM messages m
       JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = $2
       WHERE m.conversation_id = $1 AND m.pos < $3 AND m.pos > mb.from_pos
         AND NOT EXISTS (SELECT 1 FROM hidden h WHERE h.user_id = $2 AND h.message_id = m.id)
       ORDER BY m.pos DESC LIMIT $4`,
      [conversationId, viewerId, beforePos ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map(toMessage);
  }
  async findMessages(ids: readonly string[]): Promise<MessageRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.rows<MessageRow>('SELECT * FROM messages WHERE id = ANY($1::text[])', [ids]);
    return rows.map(toMessage);
  }
  async latestCorrections(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.rows<{ corrects: string; id: string }>(
      `SELECT DISTINCT ON (corrects) corrects, id FROM messages
       WHERE corrects = ANY($1::text[]) ORDER BY corrects, pos DESC`,
      [ids],
    );
    return new Map(rows.map((r) => [r.corrects, r.id] as const));
  }

  async findAttachment(id: string): Promise<AttachmentRecord | null> {
    const row = await this.db.one<AttachmentRow>('SELECT * FROM attachments WHERE id = $1', [id]);
    return row ? toAttachment(row) : null;
  }
  async listMessageIdsBySender(
    conversationId: string,
    senderId: string,
    fromMs: number,
    toMs: number,
  ): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM messages WHERE conversation_id = $1 AND sender_id = $2 AND sent_at BETWEEN $3 AND $4
       ORDER BY pos`,
      [conversationId, senderId, fromMs, toMs],
    );
    return rows.map((r) => r.id);
  }
  async findRecallJob(id: string): Promise<RecallJobRecord | null> {
    const row = await this.db.one<JobRow>('SELECT * FROM recall_jobs WHERE id = $1', [id]);
    return row ? toRecallJob(row) : null;
  }
  async findDisappearing(conversationId: string): Promise<Disappearing | null> {
    const row = await this.db.one<{ disappearing: string | null }>(
      'SELECT disappearing FROM conversations WHERE id = $1',
      [conversationId],
    );
    return !row || row.disappearing === null ? null : (JSON.parse(row.disappearing) as Disappearing);
  }
  async listSentBefore(cutoff: number, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM messages WHERE sent_at < $1 AND recalled_at IS NULL ORDER BY sent_at LIMIT $2${this.claim}`,
      [cutoff, limit],
    );
    return rows.map((r) => r.id);
  }
  async listExpired(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= $1 AND recalled_at IS NULL
       ORDER BY expires_at LIMIT $2${this.claim}`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }
  async readByOthers(message: MessageRecord): Promise<boolean> {
    const row = await this.db.one(
      'SELECT 1 AS one FROM reads WHERE conversation_id = $1 AND user_id <> $2 AND pos >= $3 LIMIT 1',
      [message.conversationId, message.senderId, message.pos],
    );
    return row !== null;
  }

  async findConsentRequest(id: string): Promise<ConsentRequestRecord | null> {
    const row = await this.db.one<ConsentRow>(
      `SELECT * FROM consent_requests WHERE id = $1${this.forUpdate}`,
      [id],
    );
    return row ? toConsentRequest(row) : null;
  }
  async latestConsentRequest(messageId: string): Promise<ConsentRequestRecord | null> {
    const row = await this.db.one<ConsentRow>(
      'SELECT * FROM consent_requests WHERE message_id = $1 ORDER BY created_at DESC, seq DESC LIMIT 1',
      [messageId],
    );
    return row ? toConsentRequest(row) : null;
  }
  async listConsentRequests(
    userId: string,
    status: ConsentRequestRecord['status'] | null,
    limit: number,
  ): Promise<ConsentRequestRecord[]> {
    // The user's own requests, and those of conversations where they decide: the other person of a
    // direct chat, an owner or admin of a group.
    const rows = await this.db.rows<ConsentRow>(
      `SELECT r.* FROM consent_requests r
       JOIN conversations c ON c.id = r.conversation_id
       LEFT JOIN members m ON m.conversation_id = r.conversation_id AND m.user_id = $1
       WHERE (r.requester_id = $1
              OR (m.user_id IS NOT NULL AND (c.kind = 'direct' OR m.role IN ('owner', 'admin'))))
         AND ($2::text IS NULL OR r.status = $2::text)
       ORDER BY r.created_at DESC, r.seq DESC LIMIT $3`,
      [userId, status, limit],
    );
    return rows.map(toConsentRequest);
  }
  async listExpiredConsentRequests(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM consent_requests WHERE status = 'pending' AND expires_at <= $1
       ORDER BY expires_at LIMIT $2${this.claim}`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async findUserSettings(userId: string): Promise<UserSettings> {
    const row = await this.db.one<{ send_delay_seconds: number }>(
      'SELECT send_delay_seconds FROM user_settings WHERE user_id = $1',
      [userId],
    );
    return { sendDelaySeconds: row?.send_delay_seconds ?? 0 };
  }
  async findHeldMessage(id: string): Promise<HeldMessageRecord | null> {
    // Locked in a write transaction: a cancel racing the delivery waits, then finds it gone (or not).
    const row = await this.db.one<HeldRow>(`SELECT * FROM held_messages WHERE id = $1${this.forUpdate}`, [
      id,
    ]);
    return row ? toHeldMessage(row) : null;
  }
  async findHeldMessageByClientId(senderId: string, clientMsgId: string): Promise<HeldMessageRecord | null> {
    await this.lockKey(LOCK_CLIENT_MSG_ID, `${senderId}:${clientMsgId}`);
    const row = await this.db.one<HeldRow>(
      'SELECT * FROM held_messages WHERE sender_id = $1 AND client_msg_id = $2',
      [senderId, clientMsgId],
    );
    return row ? toHeldMessage(row) : null;
  }
  async listDueHeldMessages(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT id FROM held_messages WHERE deliver_at <= $1 ORDER BY deliver_at, held_at LIMIT $2${this.claim}`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  }

  async listKeyShreds(limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ key_id: string }>(
      'SELECT key_id FROM key_shred_queue ORDER BY queued_at LIMIT $1',
      [limit],
    );
    return rows.map((r) => r.key_id);
  }
  async findComplianceHold(messageId: string): Promise<ComplianceHoldRecord | null> {
    const row = await this.db.one<HoldRow>('SELECT * FROM compliance_holds WHERE message_id = $1', [
      messageId,
    ]);
    return row ? toComplianceHold(row) : null;
  }
  async listComplianceHolds(conversationId: string | null, limit: number): Promise<ComplianceHoldRecord[]> {
    const rows = await this.db.rows<HoldRow>(
      `SELECT * FROM compliance_holds WHERE $1::text IS NULL OR conversation_id = $1::text
       ORDER BY recalled_at DESC, message_id LIMIT $2`,
      [conversationId, limit],
    );
    return rows.map(toComplianceHold);
  }
  async listExpiredHolds(now: number, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ message_id: string }>(
      `SELECT message_id FROM compliance_holds WHERE hold_until <= $1 ORDER BY hold_until LIMIT $2${this.claim}`,
      [now, limit],
    );
    return rows.map((r) => r.message_id);
  }

  async lastSeq(userId: string): Promise<number> {
    const row = await this.db.one<{ last_seq: number }>('SELECT last_seq FROM users WHERE id = $1', [userId]);
    return row?.last_seq ?? 0;
  }
  async readEvents(userId: string, after: number, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.rows<EventRow>(
      `SELECT i.seq, e.type, e.conversation_id, e.message_id, e.at, e.data,
              (h.message_id IS NOT NULL) AS hidden,
              CASE WHEN m.pos IS NULL THEN NULL ELSE to_json(m) END AS message
       FROM inbox i
       JOIN events e ON e.id = i.event_id
       LEFT JOIN messages m ON m.id = e.message_id
       LEFT JOIN hidden h ON h.user_id = i.user_id AND h.message_id = e.message_id
       WHERE i.user_id = $1 AND i.seq > $2 ORDER BY i.seq LIMIT $3`,
      [userId, after, limit],
    );
    return rows.map(toStoredEvent);
  }
  async usersWhoReceived(messageId: string): Promise<string[]> {
    const rows = await this.db.rows<{ user_id: string }>(
      `SELECT DISTINCT i.user_id FROM events e JOIN inbox i ON i.event_id = e.id
       WHERE e.message_id = $1 AND e.type = 'message.created'`,
      [messageId],
    );
    return rows.map((r) => r.user_id);
  }

  // Writes.

  async insertUser(user: UserRecord): Promise<boolean> {
    // Any unique conflict — the id, or the username under ASCII case folding — means "taken".
    const inserted = await this.db.changes(
      `INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [user.id, user.username, user.passwordHash, user.createdAt],
    );
    return inserted === 1;
  }
  async insertDevice(d: Omit<DeviceRecord, 'cursor'>): Promise<void> {
    await this.db.run(
      'INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
      [d.id, d.userId, d.name, d.tokenHash, d.createdAt],
    );
  }
  async deleteDevice(id: string): Promise<void> {
    await this.db.run('DELETE FROM devices WHERE id = $1', [id]);
  }
  // Accounts. A login and a password change or disable both take the user row's lock (FOR NO KEY
  // UPDATE, like the UPDATE that changes it), so one waits for the other and then reads its outcome.
  async lockAccount(userId: string): Promise<{ passwordHash: string; disabledAt: number | null } | null> {
    const row = await this.db.one<{ password_hash: string; disabled_at: number | null }>(
      `SELECT password_hash, disabled_at FROM users WHERE id = $1${this.writable ? ' FOR NO KEY UPDATE' : ''}`,
      [userId],
    );
    return row ? { passwordHash: row.password_hash, disabledAt: row.disabled_at } : null;
  }
  async setPasswordHash(userId: string, passwordHash: string): Promise<void> {
    await this.db.run('UPDATE users SET password_hash = $1 WHERE id = $2', [passwordHash, userId]);
  }
  async setDisabledAt(userId: string, at: number | null): Promise<void> {
    await this.db.run('UPDATE users SET disabled_at = $1 WHERE id = $2', [at, userId]);
  }
  async deleteDevicesOf(userId: string, keep: string | null): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      'DELETE FROM devices WHERE user_id = $1 AND id IS DISTINCT FROM $2 RETURNING id',
      [userId, keep],
    );
    return rows.map((r) => r.id);
  }
  async advanceCursor(deviceId: string, seq: number): Promise<void> {
    await this.db.run('UPDATE devices SET cursor = greatest(cursor, $1) WHERE id = $2', [seq, deviceId]);
  }

  async insertConversation(c: ConversationRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO conversations (id, kind, title, created_at, direct_key, policy)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [c.id, c.kind, c.title, c.createdAt, c.directKey, jsonOrNull(c.policy)],
    );
  }
  async setConversationPolicy(id: string, policy: unknown): Promise<void> {
    await this.db.run('UPDATE conversations SET policy = $1 WHERE id = $2', [jsonOrNull(policy), id]);
  }
  async insertMember(m: Omit<MemberRecord, 'username'>): Promise<void> {
    // The member sees messages stored after `from_pos`. A message's position is drawn after its sender
    // took a share lock on the conversation (insertMessage); this exclusive lock waits for those senders
    // to commit, so every position already drawn is visible to the max() below — a message is either
    // before the join (and not shown) or after it (shown, and its event delivered to the new member).
    await this.db.run('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [m.conversationId]);
    await this.db.run(
      `INSERT INTO members (conversation_id, user_id, role, joined_at, from_pos)
       VALUES ($1, $2, $3, $4, (SELECT coalesce(max(pos), 0) FROM messages)) ON CONFLICT DO NOTHING`,
      [m.conversationId, m.userId, m.role, m.joinedAt],
    );
  }
  async deleteMember(conversationId: string, userId: string): Promise<void> {
    await this.db.run('DELETE FROM members WHERE conversation_id = $1 AND user_id = $2', [
      conversationId,
      userId,
    ]);
  }

  async insertMessage(m: NewMessage): Promise<MessageRecord> {
    // Before the position is drawn: see insertMember. KEY SHARE lets senders run side by side.
    await this.db.run('SELECT 1 FROM conversations WHERE id = $1 FOR KEY SHARE', [m.conversationId]);
    const row = await this.db.one<{ pos: number }>(
      `INSERT INTO messages (id, conversation_id, sender_id, client_msg_id, type, body, sent_at, flags, reply_to,
                             corrects, attachment_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING pos`,
      [
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
      ],
    );
    if (!row) throw new Error('insert returned no row');
    return { ...m, pos: row.pos, tombstone: null, expiresAt: null };
  }
  async eraseMessage(id: string, t: TombstoneRecord): Promise<void> {
    await this.db.run(
      `UPDATE messages SET body = NULL, flags = NULL, attachment_id = NULL, recalled_at = $1, recalled_by = $2,
              recall_role = $3, recall_reason = $4, recall_label = $5, recall_approved_by = $6
       WHERE id = $7`,
      [t.recalledAt, t.recalledBy, t.role, t.reason, t.label, t.approvedBy ?? null, id],
    );
  }
  async insertAttachment(a: Omit<AttachmentRecord, 'messageId' | 'deletedAt'>): Promise<void> {
    await this.db.run(
      `INSERT INTO attachments (id, uploader_id, kind, mime, name, size, sha256, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [a.id, a.uploaderId, a.kind, a.mime, a.name, a.size, a.sha256, a.createdAt],
    );
  }
  async claimAttachment(id: string, messageId: string): Promise<boolean> {
    const claimed = await this.db.changes(
      'UPDATE attachments SET message_id = $1 WHERE id = $2 AND message_id IS NULL',
      [messageId, id],
    );
    return claimed === 1;
  }
  async markAttachmentDeleted(id: string, at: number): Promise<void> {
    await this.db.run(
      "UPDATE attachments SET deleted_at = $1, name = '', sha256 = '' WHERE id = $2 AND deleted_at IS NULL",
      [at, id],
    );
  }
  async insertRecallJob(j: RecallJobRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO recall_jobs (id, conversation_id, actor_id, params, status, total, results, created_at,
                                finished_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        j.id,
        j.conversationId,
        j.actorId,
        JSON.stringify(j.params),
        j.status,
        j.total,
        JSON.stringify(j.results),
        j.createdAt,
        j.finishedAt,
      ],
    );
  }
  async updateRecallJob(
    id: string,
    u: Pick<RecallJobRecord, 'status' | 'results' | 'finishedAt'>,
  ): Promise<void> {
    await this.db.run('UPDATE recall_jobs SET status = $1, results = $2, finished_at = $3 WHERE id = $4', [
      u.status,
      JSON.stringify(u.results),
      u.finishedAt,
      id,
    ]);
  }
  async setDisappearing(conversationId: string, setting: Disappearing | null): Promise<void> {
    await this.db.run('UPDATE conversations SET disappearing = $1 WHERE id = $2', [
      jsonOrNull(setting),
      conversationId,
    ]);
  }
  async setExpiry(messageId: string, expiresAt: number): Promise<void> {
    await this.db.run('UPDATE messages SET expires_at = $1 WHERE id = $2', [expiresAt, messageId]);
  }
  async startReadTimers(
    conversationId: string,
    readerId: string,
    pos: number,
    expiresAt: number,
  ): Promise<string[]> {
    const rows = await this.db.rows<{ id: string; pos: number }>(
      `UPDATE messages SET expires_at = $1
       WHERE conversation_id = $2 AND pos <= $3 AND sender_id <> $4 AND expires_at IS NULL AND recalled_at IS NULL
         AND pos > (SELECT from_pos FROM members WHERE conversation_id = $2 AND user_id = $4)
       RETURNING id, pos`,
      [expiresAt, conversationId, pos, readerId],
    );
    return rows.sort((a, b) => Number(a.pos) - Number(b.pos)).map((r) => r.id);
  }
  async markRead(conversationId: string, userId: string, pos: number, at: number): Promise<boolean> {
    const moved = await this.db.changes(
      `INSERT INTO reads (conversation_id, user_id, pos, read_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET pos = excluded.pos, read_at = excluded.read_at
       WHERE excluded.pos > reads.pos`,
      [conversationId, userId, pos, at],
    );
    return moved === 1;
  }
  async setUserSettings(userId: string, settings: UserSettings): Promise<void> {
    await this.db.run(
      `INSERT INTO user_settings (user_id, send_delay_seconds) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET send_delay_seconds = excluded.send_delay_seconds`,
      [userId, settings.sendDelaySeconds],
    );
  }
  async queueKeyShreds(keyIds: readonly string[], at: number): Promise<void> {
    if (keyIds.length === 0) return;
    await this.db.run(
      `INSERT INTO key_shred_queue (key_id, queued_at) SELECT DISTINCT unnest($1::text[]), $2::bigint
       ON CONFLICT (key_id) DO NOTHING`,
      [keyIds, at],
    );
  }
  async clearKeyShreds(keyIds: readonly string[]): Promise<void> {
    if (keyIds.length === 0) return;
    await this.db.run('DELETE FROM key_shred_queue WHERE key_id = ANY($1::text[])', [keyIds]);
  }
  async insertComplianceHold(h: ComplianceHoldRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO compliance_holds (message_id, conversation_id, sender_id, type, sealed_body, sent_at,
                                     recalled_at, hold_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING`,
      [h.messageId, h.conversationId, h.senderId, h.type, h.sealedBody, h.sentAt, h.recalledAt, h.holdUntil],
    );
  }
  async deleteComplianceHolds(messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.db.run('DELETE FROM compliance_holds WHERE message_id = ANY($1::text[])', [messageIds]);
  }
  async insertHeldMessage(h: HeldMessageRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO held_messages (id, conversation_id, sender_id, client_msg_id, type, body, attachment_id,
                                  reply_to, corrects, held_at, deliver_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
      ],
    );
  }
  async deleteHeldMessage(id: string): Promise<boolean> {
    // Exactly once: a concurrent second DELETE waits for the first, then finds no row.
    return (await this.db.changes('DELETE FROM held_messages WHERE id = $1', [id])) === 1;
  }
  async releaseAttachment(id: string): Promise<void> {
    await this.db.run('UPDATE attachments SET message_id = NULL WHERE id = $1', [id]);
  }
  async insertConsentRequest(r: ConsentRequestRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO consent_requests (id, conversation_id, message_id, requester_id, reason, status, created_at,
                                     expires_at, decided_by, decided_at, note)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
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
      ],
    );
  }
  async settleConsentRequest(id: string, s: ConsentSettlement): Promise<boolean> {
    // Exactly once: a concurrent second UPDATE waits, then re-checks the WHERE on the settled row.
    const settled = await this.db.changes(
      `UPDATE consent_requests SET status = $1, decided_by = $2, decided_at = $3, note = $4
       WHERE id = $5 AND status = 'pending'`,
      [s.status, s.decidedBy, s.decidedAt, s.note, id],
    );
    return settled === 1;
  }
  async hideMessage(userId: string, messageId: string, at: number): Promise<boolean> {
    const hidden = await this.db.changes(
      'INSERT INTO hidden (user_id, message_id, hidden_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
      [userId, messageId, at],
    );
    return hidden === 1;
  }

  async appendEvent(event: NewEvent, recipients: readonly string[]): Promise<Delivery[]> {
    const inserted = await this.db.one<{ id: number }>(
      'INSERT INTO events (type, conversation_id, message_id, at, data) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [event.type, event.conversationId, event.messageId, event.at, JSON.stringify(event.data)],
    );
    if (!inserted) throw new Error('insert returned no row');
    if (recipients.length === 0) return [];
    // Gap-free numbering across nodes: the recipients' users rows are locked, in id order so that two
    // transactions numbering overlapping sets of users queue rather than deadlock, and held until commit;
    // a concurrent writer waits, then bumps the value the first one committed. A rollback undoes the bump
    // with everything else, so no number is lost.
    //
    // Two statements on purpose. Under READ COMMITTED each statement reads from a snapshot taken when it
    // starts; an UPDATE in the locking statement would read the rows as they were before it waited, and
    // to update them would have to re-walk each row's newer versions, queueing for the row's tuple lock
    // behind the very transactions waiting for it — a deadlock PostgreSQL reports within a second under
    // load. Once the locks are held, the UPDATE's fresh snapshot sees the newest versions directly.
    const users = [...new Set(recipients)];
    await this.db.run('SELECT id FROM users WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE', [
      users,
    ]);
    const rows = await this.db.rows<{ id: string; last_seq: number }>(
      `WITH bumped AS (
         UPDATE users SET last_seq = last_seq + 1 WHERE id = ANY($1::text[]) RETURNING id, last_seq
       ), delivered AS (
         INSERT INTO inbox (user_id, seq, event_id) SELECT id, last_seq, $2::bigint FROM bumped
       )
       SELECT id, last_seq FROM bumped`,
      [users, inserted.id],
    );
    return rows.map((r) => ({ userId: r.id, seq: r.last_seq }));
  }

  // The audit log (audit-log.ts).
  auditSize(): Promise<number> {
    return this.audit.size();
  }
  auditState(): Promise<AuditStateRecord | null> {
    return this.audit.state();
  }
  readAuditRows(from: number, limit: number): Promise<AuditRowRecord[]> {
    return this.audit.rows(from, limit);
  }
  auditLeafHashes(upTo: number): Promise<string[]> {
    return this.audit.leafHashes(upTo);
  }
  auditIndexesFor(target: AuditTargetQuery): Promise<number[]> {
    return this.audit.indexesFor(target);
  }
  listCheckpoints(): Promise<AuditCheckpointRecord[]> {
    return this.audit.checkpoints();
  }
  latestCheckpoint(): Promise<AuditCheckpointRecord | null> {
    return this.audit.latestCheckpoint();
  }
  appendAuditRow(row: AuditRowRecord, state: AuditStateRecord): Promise<void> {
    return this.audit.append(row, state);
  }
  insertCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean> {
    return this.audit.insertCheckpoint(checkpoint);
  }

  // Recall analytics (analytics.ts).
  listRecallBuckets(from: number, to: number): Promise<RecallBucketRecord[]> {
    return this.analytics.buckets(from, to);
  }
  listDailyActivity(from: string, to: string): Promise<DailyActivityRecord[]> {
    return this.analytics.daily(from, to);
  }
  listPendingFollowUps(userId: string, conversationId: string): Promise<PendingFollowUpRecord[]> {
    return this.analytics.pendingOf(userId, conversationId);
  }
  listStaleFollowUps(before: number, limit: number): Promise<PendingFollowUpRecord[]> {
    return this.analytics.stale(before, limit);
  }
  addRecallBucket(key: RecallBucketKey, delta: number): Promise<void> {
    return this.analytics.addBucket(key, delta);
  }
  insertPendingFollowUp(pending: PendingFollowUpRecord): Promise<void> {
    return this.analytics.insertPending(pending);
  }
  deletePendingFollowUp(id: string): Promise<boolean> {
    return this.analytics.deletePending(id);
  }
  markActivity(day: string, userId: string, what: 'sent' | 'attempted'): Promise<void> {
    return this.analytics.markActivity(day, userId, what);
  }
  deleteAnalyticsBefore(beforeSlot: number, beforeDay: string): Promise<void> {
    return this.analytics.deleteBefore(beforeSlot, beforeDay);
  }

  // Webhooks and API keys (webhooks.ts).
  listWebhookSubscriptions(): Promise<WebhookSubscriptionRecord[]> {
    return this.webhooks.subscriptions();
  }
  findWebhookSubscription(id: string): Promise<WebhookSubscriptionRecord | null> {
    return this.webhooks.subscription(id);
  }
  listWebhookDeliveries(subscriptionId: string, limit: number): Promise<WebhookDeliveryRecord[]> {
    return this.webhooks.deliveries(subscriptionId, limit);
  }
  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.webhooks.apiKeys();
  }
  findApiKey(id: string): Promise<ApiKeyRecord | null> {
    return this.webhooks.apiKey(id);
  }
  insertWebhookSubscription(subscription: WebhookSubscriptionRecord): Promise<void> {
    return this.webhooks.insertSubscription(subscription);
  }
  deleteWebhookSubscription(id: string): Promise<boolean> {
    return this.webhooks.deleteSubscription(id);
  }
  setWebhookSecret(id: string, secret: string): Promise<boolean> {
    return this.webhooks.setSecret(id, secret);
  }
  queueWebhookEvent(event: WebhookEventRecord): Promise<number> {
    return this.webhooks.queue(event);
  }
  claimWebhookDeliveries(now: number, leaseUntil: number, limit: number): Promise<WebhookDeliveryRecord[]> {
    return this.webhooks.claim(now, leaseUntil, limit);
  }
  recordWebhookAttempt(id: string, result: WebhookAttemptResult): Promise<void> {
    return this.webhooks.record(id, result);
  }
  pruneWebhookDeliveries(before: number): Promise<void> {
    return this.webhooks.prune(before);
  }
  insertApiKey(key: ApiKeyRecord): Promise<void> {
    return this.webhooks.insertApiKey(key);
  }
  revokeApiKey(id: string, at: number): Promise<boolean> {
    return this.webhooks.revokeApiKey(id, at);
  }

  // Push notifications (push.ts).
  listPushTargets(deviceId: string): Promise<PushTargetRecord[]> {
    return this.push.targetsOf(deviceId);
  }
  pushOutboxDepth(): Promise<number> {
    return this.push.depth();
  }
  insertPushTarget(target: PushTargetRecord): Promise<void> {
    return this.push.insertTarget(target);
  }
  deletePushTarget(id: string, deviceId: string | null): Promise<boolean> {
    return this.push.deleteTarget(id, deviceId);
  }
  queueNotifyPushes(fanout: NotifyFanout): Promise<number> {
    return this.push.queueNotify(fanout);
  }
  retractPushes(messageId: string, dueAt: number): Promise<number> {
    return this.push.retract(messageId, dueAt);
  }
  claimDuePushes(now: number, leaseUntil: number, limit: number): Promise<ClaimedPush[]> {
    return this.push.claim(now, leaseUntil, limit);
  }
  deletePushJob(key: PushJobKey): Promise<void> {
    return this.push.deleteJob(key);
  }
  reschedulePushJob(key: PushJobKey, at: number): Promise<void> {
    return this.push.reschedule(key, at);
  }
  deletePushReceiptsBefore(before: number): Promise<void> {
    return this.push.deleteReceiptsBefore(before);
  }
}
