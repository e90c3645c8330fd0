import { Type, type Static } from '@sinclair/typebox';
import { limits } from './limits.js';

/** Opaque identifiers: a short prefix and base64url randomness, e.g. `m_9f2kQ…`. */
export const Id = Type.String({ minLength: 3, maxLength: 40, pattern: '^[a-z]_[A-Za-z0-9_-]+$' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, server clock' });

export const ConversationKind = Type.Union([Type.Literal('direct'), Type.Literal('group')]);
export type ConversationKind = Static<typeof ConversationKind>;

export const Role = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
export type Role = Static<typeof Role>;

/**
 * Who took a message back, in which capacity: the sender; the other side of a direct chat where the
 * policy lets either side recall (`peer`); or a moderator by conversation role or server role.
 */
export const RecallRole = Type.Union([
  Type.Literal('sender'),
  Type.Literal('peer'),
  Type.Literal('owner'),
  Type.Literal('admin'),
  Type.Literal('server_admin'),
  /** Disappearing messages: the server erased it when its timer ran out. */
  Type.Literal('expiry'),
  /** Retention: the server erased it because it was older than the operator keeps messages. */
  Type.Literal('retention'),
]);
export type RecallRole = Static<typeof RecallRole>;

/**
 * A conversation's disappearing-messages timer: messages are erased `seconds` after they are sent
 * (`after_send`), or after a member other than the sender first reads them (`after_read`).
 */
export const DisappearingTimer = Type.Object({
  mode: Type.Union([Type.Literal('after_send'), Type.Literal('after_read')]),
  seconds: Type.Integer({ minimum: 1 }),
});
export type DisappearingTimer = Static<typeof DisappearingTimer>;

export const User = Type.Object({ id: Id, username: Type.String() });
export type User = Static<typeof User>;

export const Member = Type.Object({
  userId: Id,
  username: Type.String(),
  role: Role,
  joinedAt: Timestamp,
});
export type Member = Static<typeof Member>;

export const Conversation = Type.Object({
  id: Id,
  kind: ConversationKind,
  title: Type.Union([Type.String(), Type.Null()]),
  createdAt: Timestamp,
  members: Type.Array(Member),
});
export type Conversation = Static<typeof Conversation>;

/** What remains of a recalled message: who, when, in which role — never its content. */
export const Tombstone = Type.Object({
  recalledAt: Timestamp,
  recalledBy: Id,
  role: RecallRole,
  reason: Type.Union([Type.String(), Type.Null()]),
  /** What recipients are shown for a moderator's removal ("Removed by an admin"); null for the sender's own. */
  label: Type.Union([Type.String(), Type.Null()]),
  /** Consent recall: who approved the sender's request (the other person, or an owner/admin). */
  approvedBy: Type.Optional(Id),
});
export type Tombstone = Static<typeof Tombstone>;

export const MessageType = Type.Union([
  Type.Literal('text'),
  Type.Literal('image'),
  Type.Literal('file'),
  Type.Literal('voice'),
  Type.Literal('video'),
]);

/** A file attached to a message. Download it from `/v1/attachments/{id}` with the session token. */
export const Attachment = Type.Object({
  id: Id,
  /** The type the server found in the bytes — never the one the client claimed. */
  mime: Type.String(),
  name: Type.String(),
  size: Type.Integer({ minimum: 0 }),
});
export type MessageType = Static<typeof MessageType>;
export type Attachment = Static<typeof Attachment>;

/**
 * A quoted message, rendered from the original as it is now — never a stored copy: once the original is
 * recalled, every quote of it shows the tombstone instead.
 */
export const Quote = Type.Object({
  messageId: Id,
  senderId: Id,
  type: MessageType,
  body: Type.Union([Type.String(), Type.Null()]),
  recalled: Type.Union([Tombstone, Type.Null()]),
});
export type Quote = Static<typeof Quote>;

/**
 * A message as one user sees it now. `body` is null once the message is recalled (then `recalled` holds
 * the tombstone) or when this user hid it (`hidden: true`, sync only: history leaves hidden ones out).
 */
export const Message = Type.Object({
  id: Id,
  conversationId: Id,
  senderId: Id,
  clientMsgId: Type.String(),
  type: MessageType,
  body: Type.Union([Type.String(), Type.Null()]),
  sentAt: Timestamp,
  recalled: Type.Union([Tombstone, Type.Null()]),
  hidden: Type.Optional(Type.Literal(true)),
  /** Present on image, file, voice and video messages until they are recalled. */
  attachment: Type.Optional(Attachment),
  /** Present on a reply: the quoted message as it is now. */
  replyTo: Type.Optional(Quote),
  /** Present on a correction: the id of the sender's earlier message it corrects. */
  corrects: Type.Optional(Id),
  /** Present on a corrected message: the id of its latest correction. */
  correctedBy: Type.Optional(Id),
  /**
   * Disappearing messages: when the server erases this message, or null while it has no timer. Set once
   * and never moved: at send under `after_send`; under `after_read` when someone other than the sender
   * first reads it (the `conversation.read` that started it carries the same time). Changing or turning
   * off the conversation's timer leaves it as it is. Servers always send it; it is optional only so that
   * messages from servers that predate it still parse.
   */
  expiresAt: Type.Optional(Type.Union([Timestamp, Type.Null()])),
});
export type Message = Static<typeof Message>;

export const Device = Type.Object({
  id: Id,
  name: Type.String(),
  createdAt: Timestamp,
});
export type Device = Static<typeof Device>;

export const Username = Type.String({
  minLength: 2,
  maxLength: limits.maxUsernameLength,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
});
export const Password = Type.String({
  minLength: limits.minPasswordLength,
  maxLength: limits.maxPasswordLength,
});
export const ClientMsgId = Type.String({ minLength: 1, maxLength: limits.maxClientMsgIdLength });
export const Text = Type.String({ minLength: 1, maxLength: limits.maxTextLength });

/**
 * Consent recall: past the window, the sender asks; the other person of a direct chat (or an owner/admin
 * of a group) approves or declines. A request is `pending` until decided, cancelled by the sender, or
 * expired. Approval recalls the message exactly as a recall by the sender would.
 */
export const ConsentStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('approved'),
  Type.Literal('declined'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
]);
export type ConsentStatus = Static<typeof ConsentStatus>;

export const ConsentRequest = Type.Object({
  id: Id,
  conversationId: Id,
  messageId: Id,
  requestedBy: Id,
  /** The sender's words to the approver ("sent to the wrong group"), or null. */
  reason: Type.Union([Type.String(), Type.Null()]),
  status: ConsentStatus,
  createdAt: Timestamp,
  /** A pending request expires at this moment. */
  expiresAt: Timestamp,
  decidedBy: Type.Union([Id, Type.Null()]),
  decidedAt: Type.Union([Timestamp, Type.Null()]),
  /** The approver's note with a decision, or null. */
  note: Type.Union([Type.String(), Type.Null()]),
});
export type ConsentRequest = Static<typeof ConsentRequest>;
