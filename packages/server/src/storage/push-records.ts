/**
 * Push notifications' records (storage/sqlite/push.ts, storage/postgres/push.ts). None of them holds
 * message content: a push's payload is rendered when it is sent, from the message as it is then.
 */

/** Where a device wants its notifications: a browser's Web Push subscription, or a push gateway. */
export interface PushTargetRecord {
  readonly id: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly kind: 'webpush' | 'gateway';
  /** The Web Push endpoint, or the gateway's URL. */
  readonly address: string;
  /** Web Push only: the subscription's P-256 public key and auth secret (base64url). */
  readonly p256dh: string | null;
  readonly auth: string | null;
  /** Gateway only: the app's device token, and the HMAC secret the server signs each POST with. */
  readonly pushkey: string | null;
  readonly secret: string | null;
  /** Send no content: title "Retract", body "New message". */
  readonly privacy: boolean;
  readonly createdAt: number;
}

export type PushJobKind = 'notify' | 'retract';

/** One outbox row: a push still to be sent to one target about one message. */
export interface PushJobRecord {
  readonly targetId: string;
  readonly messageId: string;
  readonly kind: PushJobKind;
  /** The collapse/tag id, the same for a message's notification and its retraction. */
  readonly tag: string;
  /** Attempts made, this one included once claimed. */
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

/** A claimed job with its target, for the worker to send outside any transaction. */
export interface ClaimedPush {
  readonly job: PushJobRecord;
  readonly target: PushTargetRecord;
}

/** Who a new message's notification is queued for: every member's targets but the skipped ones. */
export interface NotifyFanout {
  readonly messageId: string;
  readonly conversationId: string;
  readonly tag: string;
  /** Not before: the hold, so that a quick recall beats the push. */
  readonly dueAt: number;
  /** The sending device (it has the message already). */
  readonly skipDeviceId: string | null;
  /** Every device of this user (a held message's sender: its device is not recorded). */
  readonly skipUserId: string | null;
}

export type PushJobKey = Pick<PushJobRecord, 'targetId' | 'messageId' | 'kind'>;
