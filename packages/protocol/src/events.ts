import { Type, type Static } from '@sinclair/typebox';
import {
  ConsentRequest,
  Conversation,
  DisappearingTimer,
  Id,
  Member,
  Message,
  Timestamp,
  Tombstone,
} from './models.js';

/**
 * Everything that changes what a device shows is an event. Each user has one gap-free, increasing
 * sequence (`seq`): event n+1 follows event n, so a device that holds `seq` knows exactly what it missed.
 *
 * Events are rendered from current state when served: the `message.created` entry of a message recalled
 * since carries the tombstone and no content.
 */
const base = { seq: Type.Integer({ minimum: 1 }), at: Timestamp };

export const ConversationCreatedEvent = Type.Object({
  ...base,
  type: Type.Literal('conversation.created'),
  conversation: Conversation,
});
export const MemberAddedEvent = Type.Object({
  ...base,
  type: Type.Literal('member.added'),
  conversationId: Id,
  /** Everyone one request added, in one event: adding a thousand people is one event, not a thousand. */
  members: Type.Array(Member, { minItems: 1 }),
});
export const MemberRemovedEvent = Type.Object({
  ...base,
  type: Type.Literal('member.removed'),
  conversationId: Id,
  userId: Id,
});
export const MessageCreatedEvent = Type.Object({
  ...base,
  type: Type.Literal('message.created'),
  message: Message,
});
export const MessageRecalledEvent = Type.Object({
  ...base,
  type: Type.Literal('message.recalled'),
  conversationId: Id,
  messageId: Id,
  senderId: Id,
  tombstone: Tombstone,
});
export const MessageHiddenEvent = Type.Object({
  ...base,
  type: Type.Literal('message.hidden'),
  conversationId: Id,
  messageId: Id,
});

/**
 * A read receipt: `userId` has read the conversation up to and including `upTo`. Sent to every member,
 * so senders see who has read their messages (and "until read" recall knows when it closes).
 *
 * Under an `after_read` disappearing timer the read also starts timers, and then `expiresAt` and `from`
 * are present: every message of the conversation from `from` up to and including `upTo` that `userId`
 * did not send, that is not recalled and that had no `expiresAt` yet now expires at `expiresAt`. A rule
 * rather than a list of ids, so the event stays small however many messages one read starts; `from` (the
 * first message it started) leaves alone what was sent before the reader joined. Both absent when the
 * read started none.
 */
export const ConversationReadEvent = Type.Object({
  ...base,
  type: Type.Literal('conversation.read'),
  conversationId: Id,
  userId: Id,
  upTo: Id,
  expiresAt: Type.Optional(Timestamp),
  from: Type.Optional(Id),
});

/**
 * An owner turned the conversation's disappearing-messages timer on, changed it, or turned it off
 * (`disappearing: null`); `by` is who did. Sent to every member, so every device shows the setting in
 * force without asking again. It changes only when timers of later messages start: a message that
 * already has an `expiresAt` keeps it.
 */
export const DisappearingChangedEvent = Type.Object({
  ...base,
  type: Type.Literal('disappearing.changed'),
  conversationId: Id,
  disappearing: Type.Union([DisappearingTimer, Type.Null()]),
  by: Id,
});

/**
 * Consent recall, each step an event with the request as it stands after that step. Sent to the sender
 * and to everyone who may decide (the other person of a direct chat; owners and admins of a group) —
 * never to the rest of a group. An approval is followed by the usual `message.recalled` to everyone.
 */
const consentEvent = <T extends string>(type: T) =>
  Type.Object({ ...base, type: Type.Literal(type), request: ConsentRequest });
export const ConsentRequestedEvent = consentEvent('consent.requested');
export const ConsentApprovedEvent = consentEvent('consent.approved');
export const ConsentDeclinedEvent = consentEvent('consent.declined');
export const ConsentCancelledEvent = consentEvent('consent.cancelled');
export const ConsentExpiredEvent = consentEvent('consent.expired');
export const consentEventTypes = [
  'consent.requested',
  'consent.approved',
  'consent.declined',
  'consent.cancelled',
  'consent.expired',
] as const;
export type ConsentEventType = (typeof consentEventTypes)[number];

export const Event = Type.Union([
  ConversationCreatedEvent,
  MemberAddedEvent,
  MemberRemovedEvent,
  MessageCreatedEvent,
  MessageRecalledEvent,
  MessageHiddenEvent,
  ConversationReadEvent,
  DisappearingChangedEvent,
  ConsentRequestedEvent,
  ConsentApprovedEvent,
  ConsentDeclinedEvent,
  ConsentCancelledEvent,
  ConsentExpiredEvent,
]);
export type Event = Static<typeof Event>;
export type EventType = Event['type'];
export type EventOf<T extends EventType> = Extract<Event, { type: T }>;
/** An event before it is numbered for a particular user. */
export type EventBody = Event extends infer E ? (E extends Event ? Omit<E, 'seq'> : never) : never;
