import type {
  ConsentStatus,
  ConversationKind,
  EventType,
  MessageType,
  RecallRole,
  Role,
} from '@retract/protocol';

/** Rows as the storage port speaks them: plain data, timestamps in milliseconds since the epoch. */

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string;
  readonly createdAt: number;
}

export interface DeviceRecord {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly tokenHash: string;
  readonly createdAt: number;
  readonly cursor: number;
}

export interface ConversationRecord {
  readonly id: string;
  readonly kind: ConversationKind;
  readonly title: string | null;
  readonly createdAt: number;
  /** Set for direct conversations only, so a pair has one. */
  readonly directKey: string | null;
  /** The conversation's own policy document (owners set it within the server's bounds), or null. */
  readonly policy: unknown;
}

export interface MemberRecord {
  readonly conversationId: string;
  readonly userId: string;
  readonly username: string;
  readonly role: Role;
  readonly joinedAt: number;
}

export interface Membership {
  readonly role: Role;
  /** The last message position before the member joined; they see only messages after it. */
  readonly fromPos: number;
}

export interface TombstoneRecord {
  readonly recalledAt: number;
  readonly recalledBy: string;
  readonly role: RecallRole;
  readonly reason: string | null;
  readonly label: string | null;
  /** Consent recall: who approved the sender's request. */
  readonly approvedBy?: string;
}

export interface MessageRecord {
  readonly id: string;
  /** Storage order within the server; history pages by it. */
  readonly pos: number;
  readonly conversationId: string;
  readonly senderId: string;
  readonly clientMsgId: string;
  readonly type: MessageType;
  /** The attached file, for image, file, voice and video messages; null once recalled. */
  readonly attachmentId: string | null;
  /** Null once recalled: the content is erased, not hidden. */
  readonly body: string | null;
  readonly sentAt: number;
  readonly tombstone: TombstoneRecord | null;
  /** Names of the detectors that flagged the text when it was sent — never what they matched. */
  readonly flags: readonly string[];
  /** The message this one replies to (quotes), if any. */
  readonly replyTo: string | null;
  /** The sender's earlier message this one corrects, if any. */
  readonly corrects: string | null;
  /** Disappearing messages: when the sweeper erases it; null while no timer runs. Set once, never moved. */
  readonly expiresAt: number | null;
}

/** A message as first stored: no tombstone, and no timer yet (`setExpiry` starts an `after_send` one). */
export type NewMessage = Omit<MessageRecord, 'pos' | 'tombstone' | 'expiresAt'>;

/**
 * An event as stored: its kind, its subject, and non-content facts in `data`. Message content is never
 * copied into the event log — it is rendered from the message row when served, so erasing the row erases
 * every event's view of it.
 */
export interface NewEvent {
  readonly type: EventType;
  readonly conversationId: string | null;
  readonly messageId: string | null;
  readonly at: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** A numbered event in one user's stream, joined with the current state of its message. */
export interface StoredEvent {
  readonly seq: number;
  readonly type: EventType;
  readonly conversationId: string | null;
  readonly messageId: string | null;
  readonly at: number;
  readonly data: Readonly<Record<string, unknown>>;
  /** Current state of the event's message (null for events without one). */
  readonly message: MessageRecord | null;
  /** Whether the reading user hid that message. */
  readonly hidden: boolean;
}

/** An uploaded file. Its bytes live in the blob store under the same id. */
export interface AttachmentRecord {
  readonly id: string;
  readonly uploaderId: string;
  readonly kind: Exclude<MessageType, 'text'>;
  readonly mime: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly createdAt: number;
  /** The message it was sent with, once sent. */
  readonly messageId: string | null;
  /** When its bytes were deleted (recall); a download then answers 410. */
  readonly deletedAt: number | null;
}

export interface RecallJobRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly actorId: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly status: 'running' | 'done';
  readonly total: number;
  /** One entry per message handled so far: its id and `recalled`, `already_recalled` or a denial code. */
  readonly results: readonly { readonly messageId: string; readonly outcome: string }[];
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

export interface Disappearing {
  readonly mode: 'after_send' | 'after_read';
  readonly seconds: number;
}

export interface Delivery {
  readonly userId: string;
  readonly seq: number;
}

/** A sender's request to recall past the window, and what became of it. */
export interface ConsentRequestRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly messageId: string;
  readonly requesterId: string;
  readonly reason: string | null;
  readonly status: ConsentStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly note: string | null;
}

/** How a pending consent request ends. */
export interface ConsentSettlement {
  readonly status: Exclude<ConsentStatus, 'pending'>;
  readonly decidedBy: string | null;
  readonly decidedAt: number;
  readonly note: string | null;
}

/** A user's own settings. */
export interface UserSettings {
  /** Undo send: how long each message is held before delivery (0: sent at once). */
  readonly sendDelaySeconds: number;
}

/**
 * A message held for its sender's send delay: everything needed to deliver it, and nothing delivered.
 * Its id is the one the message will have; until `deliverAt` the sender may cancel it.
 */
export interface HeldMessageRecord {
  readonly id: string;
  readonly conversationId: string;
  readonly senderId: string;
  readonly clientMsgId: string;
  readonly type: MessageType;
  readonly body: string | null;
  readonly attachmentId: string | null;
  readonly replyTo: string | null;
  readonly corrects: string | null;
  readonly heldAt: number;
  readonly deliverAt: number;
}

/** Recalled content kept under a compliance hold: sealed with the compliance key, never in the clear. */
export interface ComplianceHoldRecord {
  readonly messageId: string;
  readonly conversationId: string;
  readonly senderId: string;
  readonly type: MessageType;
  /** The body sealed under the compliance key (null for an attachment without caption). */
  readonly sealedBody: Buffer | null;
  readonly sentAt: number;
  readonly recalledAt: number;
  readonly holdUntil: number;
}
