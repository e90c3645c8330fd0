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
  StoredEvent,
  TombstoneRecord,
  UserRecord,
} from './records.js';
import type {
  AuditCheckpointRecord,
  AuditRowRecord,
  AuditStateRecord,
  AuditTargetQuery,
} from './audit-records.js';
import type {
  DailyActivityRecord,
  PendingFollowUpRecord,
  RecallBucketKey,
  RecallBucketRecord,
} from './analytics-records.js';
import type {
  ApiKeyRecord,
  WebhookAttemptResult,
  WebhookDeliveryRecord,
  WebhookEventRecord,
  WebhookSubscriptionRecord,
} from './webhook-records.js';
import type { ClaimedPush, NotifyFanout, PushJobKey, PushTargetRecord } from './push-records.js';

/**
 * The storage port. The core and the actions speak only this; each backend lives in its own folder
 * (`sqlite/`, later `postgres/`) and keeps its driver types to itself.
 *
 * All writes happen inside `transaction`: the callback's writes commit together or not at all, and the
 * caller publishes to the bus only after the promise resolves. Implementations serialise what must be
 * serialised (per-user sequence numbers are gap-free; one message is recalled once).
 */
export interface Storage {
  /** Runs `fn` in one write transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T>;
  /** Runs `fn` against a consistent view, without writing. */
  read<T>(fn: (tx: StorageReader) => Promise<T>): Promise<T>;
  /**
   * Make sure content erased by committed transactions no longer exists anywhere in the backend's files
   * (SQLite: checkpoint and truncate the WAL). Called after a recall commits, before it is acknowledged.
   */
  purgeErased(): Promise<void>;
  /** Throws when the backend is not usable; used by readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StorageReader {
  findUserById(id: string): Promise<UserRecord | null>;
  findUserByUsername(username: string): Promise<UserRecord | null>;
  findDeviceByTokenHash(tokenHash: string): Promise<DeviceRecord | null>;
  findDevice(id: string): Promise<DeviceRecord | null>;

  findConversation(id: string): Promise<ConversationRecord | null>;
  findDirectConversation(directKey: string): Promise<ConversationRecord | null>;
  /** The user's membership, or null when not a member. */
  findMembership(conversationId: string, userId: string): Promise<Membership | null>;
  listMembers(conversationId: string): Promise<MemberRecord[]>;
  /** Conversations the user is a member of, newest first. */
  listConversationsOf(userId: string): Promise<ConversationRecord[]>;

  findMessage(id: string): Promise<MessageRecord | null>;
  findMessageByClientId(senderId: string, clientMsgId: string): Promise<MessageRecord | null>;
  /** Newest first, only those stored since `viewerId` joined and not hidden by them; `beforePos` pages back. */
  listMessages(
    conversationId: string,
    viewerId: string,
    beforePos: number | null,
    limit: number,
  ): Promise<MessageRecord[]>;

  /** The messages with these ids that exist (any order). */
  findMessages(ids: readonly string[]): Promise<MessageRecord[]>;
  /** For each of these message ids that has been corrected: the id of its latest correction. */
  latestCorrections(ids: readonly string[]): Promise<Map<string, string>>;

  findAttachment(id: string): Promise<AttachmentRecord | null>;
  /** Ids of one sender's messages in a conversation sent in [fromMs, toMs], oldest first. */
  listMessageIdsBySender(
    conversationId: string,
    senderId: string,
    fromMs: number,
    toMs: number,
  ): Promise<string[]>;
  findRecallJob(id: string): Promise<RecallJobRecord | null>;
  /** The conversation's disappearing-messages setting, or null. */
  findDisappearing(conversationId: string): Promise<Disappearing | null>;
  /** Ids of messages sent before `cutoff` that still have content (retention), oldest first. */
  listSentBefore(cutoff: number, limit: number): Promise<string[]>;
  /** Ids of messages whose timer has run out by `now` and that still have content. */
  listExpired(now: number, limit: number): Promise<string[]>;
  /** Whether any member other than the sender has read the conversation up to this message. */
  readByOthers(message: MessageRecord): Promise<boolean>;

  findConsentRequest(id: string): Promise<ConsentRequestRecord | null>;
  /** The newest consent request for this message, or null. */
  latestConsentRequest(messageId: string): Promise<ConsentRequestRecord | null>;
  /**
   * Consent requests the user made, or may decide (the other person of a direct chat; owner or admin of a
   * group), newest first; only those in `status` when given.
   */
  listConsentRequests(
    userId: string,
    status: ConsentRequestRecord['status'] | null,
    limit: number,
  ): Promise<ConsentRequestRecord[]>;
  /** Ids of pending consent requests whose time ran out by `now`. */
  listExpiredConsentRequests(now: number, limit: number): Promise<string[]>;

  /** The user's settings; defaults when they never changed any. */
  findUserSettings(userId: string): Promise<UserSettings>;
  findHeldMessage(id: string): Promise<HeldMessageRecord | null>;
  findHeldMessageByClientId(senderId: string, clientMsgId: string): Promise<HeldMessageRecord | null>;
  /** Ids of held messages due for delivery by `now`, oldest first. */
  listDueHeldMessages(now: number, limit: number): Promise<string[]>;

  /** Data key ids whose content was erased and whose keys are still to be destroyed. */
  listKeyShreds(limit: number): Promise<string[]>;
  findComplianceHold(messageId: string): Promise<ComplianceHoldRecord | null>;
  /** Holds of one conversation (or all), most recently recalled first. */
  listComplianceHolds(conversationId: string | null, limit: number): Promise<ComplianceHoldRecord[]>;
  /** Message ids whose hold has run out by `now`. */
  listExpiredHolds(now: number, limit: number): Promise<string[]>;

  /** The highest sequence number issued to the user (0 before the first event). */
  lastSeq(userId: string): Promise<number>;
  /** Events of the user with seq > after, oldest first, rendered against current message state. */
  readEvents(userId: string, after: number, limit: number): Promise<StoredEvent[]>;
  /** Users who hold the message's `message.created` event: they must hear of its recall. */
  usersWhoReceived(messageId: string): Promise<string[]>;

  /** Rows in the audit log (the next row's index). */
  auditSize(): Promise<number>;
  /** The accumulator after the last row; null while the log is empty. */
  auditState(): Promise<AuditStateRecord | null>;
  /** Rows with index ≥ `from`, in index order, at most `limit`. */
  readAuditRows(from: number, limit: number): Promise<AuditRowRecord[]>;
  /** Leaf hashes of rows 0 … upTo − 1, in order (fewer when the log is shorter). */
  auditLeafHashes(upTo: number): Promise<string[]>;
  /** Indexes of the rows about this message or conversation, ascending. */
  auditIndexesFor(target: AuditTargetQuery): Promise<number[]>;
  /** Every signed checkpoint, by tree size then time. */
  listCheckpoints(): Promise<AuditCheckpointRecord[]>;
  /** The checkpoint with the largest tree size (the latest of those), or null. */
  latestCheckpoint(): Promise<AuditCheckpointRecord | null>;

  /** Recall analytics cells with `from <= slot < to` (UTC ms); cells whose count is back at 0 are left out. */
  listRecallBuckets(from: number, to: number): Promise<RecallBucketRecord[]>;
  /**
   * Distinct users per day, for days `from <= day <= to` (`YYYY-MM-DD`, the analytics zone), oldest first;
   * days nobody sent or attempted on are left out.
   */
  listDailyActivity(from: string, to: string): Promise<DailyActivityRecord[]>;
  /** The user's unresolved denials in the conversation, oldest first. */
  listPendingFollowUps(userId: string, conversationId: string): Promise<PendingFollowUpRecord[]>;
  /** Unresolved denials made before `before` (ms), oldest first: their follow-up is `none`. */
  listStaleFollowUps(before: number, limit: number): Promise<PendingFollowUpRecord[]>;

  // Webhooks and API keys (webhook-records.ts).
  listWebhookSubscriptions(): Promise<WebhookSubscriptionRecord[]>;
  findWebhookSubscription(id: string): Promise<WebhookSubscriptionRecord | null>;
  /** The subscription's delivery log, newest first. */
  listWebhookDeliveries(subscriptionId: string, limit: number): Promise<WebhookDeliveryRecord[]>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  findApiKey(id: string): Promise<ApiKeyRecord | null>;

  // Push notifications (push-records.ts).
  /** The device's push targets, oldest first. */
  listPushTargets(deviceId: string): Promise<PushTargetRecord[]>;
  /** Pushes waiting in the outbox (due or not, claimed or not). */
  pushOutboxDepth(): Promise<number>;
}

export interface StorageTx extends StorageReader {
  /** False when the username (case-insensitive) is taken. */
  insertUser(user: UserRecord): Promise<boolean>;
  insertDevice(device: Omit<DeviceRecord, 'cursor'>): Promise<void>;
  deleteDevice(id: string): Promise<void>;

  // Accounts: passwords, disabling, revoking sessions.
  /**
   * The account's password hash and when it was disabled (null: enabled), or null when there is no such
   * user. In a write transaction the row stays locked until commit (PostgreSQL; SQLite serialises
   * writers anyway), so a login cannot add a device beside a password change or a disable in flight.
   */
  lockAccount(userId: string): Promise<{ passwordHash: string; disabledAt: number | null } | null>;
  setPasswordHash(userId: string, passwordHash: string): Promise<void>;
  /** Disables the account at `at`, or enables it again (null). */
  setDisabledAt(userId: string, at: number | null): Promise<void>;
  /** Deletes every device (session) of the user except `keep`; returns the ids deleted. */
  deleteDevicesOf(userId: string, keep: string | null): Promise<string[]>;
  /** Moves the device's cursor forward; never back. */
  advanceCursor(deviceId: string, seq: number): Promise<void>;

  insertConversation(conversation: ConversationRecord): Promise<void>;
  /** Replaces the conversation's own policy document (null: inherit the server's). */
  setConversationPolicy(id: string, policy: unknown): Promise<void>;
  /** Adds the member (no-op when already one); they will see messages stored from now on. */
  insertMember(member: Omit<MemberRecord, 'username'>): Promise<void>;
  deleteMember(conversationId: string, userId: string): Promise<void>;

  insertMessage(message: NewMessage): Promise<MessageRecord>;
  /** Turns the message into a tombstone and erases its content, in place. */
  eraseMessage(id: string, tombstone: TombstoneRecord): Promise<void>;
  insertAttachment(attachment: Omit<AttachmentRecord, 'messageId' | 'deletedAt'>): Promise<void>;
  /** Binds an unsent attachment to its message; false when it is already part of one. */
  claimAttachment(id: string, messageId: string): Promise<boolean>;
  /** Records that the attachment's bytes are gone (its name and hash are forgotten too). */
  markAttachmentDeleted(id: string, at: number): Promise<void>;
  insertRecallJob(job: RecallJobRecord): Promise<void>;
  setDisappearing(conversationId: string, setting: Disappearing | null): Promise<void>;
  setExpiry(messageId: string, expiresAt: number): Promise<void>;
  /**
   * Starts the timers of messages up to `pos` not sent by `readerId`, not recalled, that have none yet,
   * among those the reader can see (stored after they joined: a late joiner starts none on older ones).
   * Returns the ids of the messages whose timer it started, in send order, empty when none.
   */
  startReadTimers(
    conversationId: string,
    readerId: string,
    pos: number,
    expiresAt: number,
  ): Promise<string[]>;
  updateRecallJob(
    id: string,
    update: Pick<RecallJobRecord, 'status' | 'results' | 'finishedAt'>,
  ): Promise<void>;
  /** Moves the user's read position in the conversation forward (never back); false when it did not move. */
  markRead(conversationId: string, userId: string, pos: number, at: number): Promise<boolean>;
  setUserSettings(userId: string, settings: UserSettings): Promise<void>;
  /** Queues data keys for destruction, in the transaction that erases what they sealed. */
  queueKeyShreds(keyIds: readonly string[], at: number): Promise<void>;
  /** Forgets queued ids once the key store has destroyed their keys. */
  clearKeyShreds(keyIds: readonly string[]): Promise<void>;
  insertComplianceHold(hold: ComplianceHoldRecord): Promise<void>;
  deleteComplianceHolds(messageIds: readonly string[]): Promise<void>;
  insertHeldMessage(held: HeldMessageRecord): Promise<void>;
  /** Removes a held message (delivered or cancelled); false when it was already gone. */
  deleteHeldMessage(id: string): Promise<boolean>;
  /** Makes a claimed attachment free to send again (its message was cancelled before delivery). */
  releaseAttachment(id: string): Promise<void>;
  insertConsentRequest(request: ConsentRequestRecord): Promise<void>;
  /** Ends a pending request; false (and nothing written) when it was no longer pending. */
  settleConsentRequest(id: string, settlement: ConsentSettlement): Promise<boolean>;
  /** False when the user had already hidden it. */
  hideMessage(userId: string, messageId: string, at: number): Promise<boolean>;

  /** Appends one event to each recipient's stream, giving each the next number of their sequence. */
  appendEvent(event: NewEvent, recipients: readonly string[]): Promise<Delivery[]>;

  /** Adds `delta` (may be negative) to the cell's count, creating it at 0 first. */
  addRecallBucket(key: RecallBucketKey, delta: number): Promise<void>;
  insertPendingFollowUp(pending: PendingFollowUpRecord): Promise<void>;
  /** False when it was already resolved (by another node or request). */
  deletePendingFollowUp(id: string): Promise<boolean>;
  /** Notes that the user sent (or attempted a recall) on `day`; idempotent. */
  markActivity(day: string, userId: string, what: 'sent' | 'attempted'): Promise<void>;
  /** Retention: drops cells with slot < `beforeSlot` and activity of days < `beforeDay`. */
  deleteAnalyticsBefore(beforeSlot: number, beforeDay: string): Promise<void>;

  // Webhooks and API keys (webhook-records.ts).
  insertWebhookSubscription(subscription: WebhookSubscriptionRecord): Promise<void>;
  /** Deletes the subscription and its delivery log; false when there was none. */
  deleteWebhookSubscription(id: string): Promise<boolean>;
  setWebhookSecret(id: string, secret: string): Promise<boolean>;
  /** Queues one delivery per subscription to the event's type, due at once; returns how many. */
  queueWebhookEvent(event: WebhookEventRecord): Promise<number>;
  /**
   * Claims up to `limit` pending deliveries due by `now`: counts the attempt and leases them until
   * `leaseUntil`, so no other worker (on any node) takes them meanwhile.
   */
  claimWebhookDeliveries(now: number, leaseUntil: number, limit: number): Promise<WebhookDeliveryRecord[]>;
  recordWebhookAttempt(id: string, result: WebhookAttemptResult): Promise<void>;
  /** Drops finished deliveries (not pending ones) of events older than `before`. */
  pruneWebhookDeliveries(before: number): Promise<void>;
  insertApiKey(key: ApiKeyRecord): Promise<void>;
  /** False when unknown or already revoked. */
  revokeApiKey(id: string, at: number): Promise<boolean>;

  // Push notifications (push-records.ts).
  /** Adds a target; one of the device's with the same kind, address and pushkey is replaced. */
  insertPushTarget(target: PushTargetRecord): Promise<void>;
  /** Deletes a target (of that device, when `deviceId` is given) and its queue; false when none. */
  deletePushTarget(id: string, deviceId: string | null): Promise<boolean>;
  /** Queues a notify push for every target of the conversation's members but the skipped; returns how many. */
  queueNotifyPushes(fanout: NotifyFanout): Promise<number>;
  /**
   * For an erasure, in its transaction: drops the message's unsent notify pushes and turns every
   * notification that may be on a device (claimed ones included) into a retraction due at `dueAt`.
   */
  retractPushes(messageId: string, dueAt: number): Promise<number>;
  /**
   * Claims up to `limit` pushes due by `now`: counts the attempt and leases them until `leaseUntil`, so no
   * other worker (on any node) takes them meanwhile; a claimed notify is recorded as possibly delivered.
   */
  claimDuePushes(now: number, leaseUntil: number, limit: number): Promise<ClaimedPush[]>;
  /** Removes a push from the outbox (sent, given up, or no longer wanted). */
  deletePushJob(key: PushJobKey): Promise<void>;
  /** Sets a failed push's next attempt. */
  reschedulePushJob(key: PushJobKey, at: number): Promise<void>;
  /** Forgets notifications sent before `before`: they will not be retracted any more. */
  deletePushReceiptsBefore(before: number): Promise<void>;

  /**
   * Appends a row to the audit log and replaces the accumulator with `state`, the one after that row.
   * Throws when a row with that index exists: the log is never rewritten.
   */
  appendAuditRow(row: AuditRowRecord, state: AuditStateRecord): Promise<void>;
  /** Stores a signed checkpoint; false when the same one (size and time) is already stored. */
  insertCheckpoint(checkpoint: AuditCheckpointRecord): Promise<boolean>;
}

/** Thrown by a backend that cannot reach its database; mapped to 503 `unavailable`. */
export class StorageUnavailableError extends Error {
  constructor(cause: unknown) {
    super('storage unavailable', { cause });
    this.name = 'StorageUnavailableError';
  }
}
