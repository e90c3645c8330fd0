import { createHash } from 'node:crypto';
import type { push } from '@retract/protocol';
import type { ConversationRecord, MessageRecord } from '../storage/records.js';

/**
 * Renders what a push says, from the message as it is at send time — never from a stored copy. Pure.
 * A retraction never carries the text; privacy mode carries no content at all (not even who sent it).
 */
export type PushNotification = push.PushNotification;

/** Longest body pushed: a Web Push payload is at most about 4 KB after encryption. */
const MAX_BODY = 500;

/**
 * The collapse/tag id of a message's notifications: stable, so the retraction replaces the notification
 * on the device (Notification `tag`) and at the push service (RFC 8030 `Topic`: at most 32 base64url
 * characters, which is why it is a hash and not the id itself).
 */
export function tagOf(messageId: string): string {
  return createHash('sha256').update(`retract-push:${messageId}`).digest('base64url').slice(0, 32);
}

const kindNames: Record<MessageRecord['type'], string> = {
  text: 'Message',
  image: 'Photo',
  file: 'File',
  voice: 'Voice message',
  video: 'Video',
};

export interface NotifyInput {
  readonly message: MessageRecord;
  readonly senderName: string;
  readonly conversation: Pick<ConversationRecord, 'kind' | 'title'>;
  readonly privacy: boolean;
}

/** A new message's notification; null when there is nothing to notify of any more (erased). */
export function renderNotification(input: NotifyInput): PushNotification | null {
  const { message } = input;
  if (message.tombstone !== null) return null;
  const base = { tag: tagOf(message.id), kind: 'message' as const, conversationId: message.conversationId };
  if (input.privacy) return { ...base, messageId: message.id, title: 'Retract', body: 'New message' };
  const title =
    input.conversation.kind === 'group' && input.conversation.title
      ? input.conversation.title
      : input.senderName;
  const text = message.type === 'text' ? (message.body ?? '') : kindNames[message.type];
  const body = text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
  return { ...base, messageId: message.id, title, body };
}

export interface RetractionInput {
  readonly message: Pick<MessageRecord, 'id' | 'conversationId' | 'tombstone'>;
  /** The username of whoever erased it (recall by its sender: "alice recalled a message"). */
  readonly actorName: string | null;
  readonly privacy: boolean;
}

/** The placeholder that replaces a notification once its message is erased. */
export function renderRetraction(input: RetractionInput): PushNotification {
  const { message } = input;
  const base = {
    tag: tagOf(message.id),
    kind: 'retraction' as const,
    conversationId: message.conversationId,
    messageId: message.id,
  };
  if (input.privacy) return { ...base, title: 'Retract', body: 'Message removed' };
  return { ...base, title: 'Retract', body: placeholderOf(message.tombstone?.role ?? null, input.actorName) };
}

function placeholderOf(role: NonNullable<MessageRecord['tombstone']>['role'] | null, actor: string | null) {
  switch (role) {
    case 'sender':
    case 'peer':
      return actor === null ? 'A message was recalled' : `${actor} recalled a message`;
    case 'owner':
    case 'admin':
    case 'server_admin':
      return 'Removed by an admin';
    case 'expiry':
      return 'Message expired';
    case 'retention':
      return 'Message removed';
    case null:
      return 'Message removed';
  }
}
