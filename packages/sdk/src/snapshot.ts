import type { Conversation, Member, Message, Tombstone } from '@retract/protocol';

/**
 * The canonical, plain-object view of what a device shows, so that "state after applying events" and
 * "state from a fresh fetch" can be compared with `assert.deepStrictEqual`.
 *
 * What is normalised, exactly:
 * - conversations are sorted by `id`, members by `userId`; messages keep send order (oldest first);
 * - only the fields the protocol defines are copied (any extra field a server adds is dropped);
 * - `hidden` is dropped from messages: a hidden message is never in a snapshot at all;
 * - a recalled message has `body: null` and its tombstone in `recalled`, whichever way it was learnt;
 * - the cursor, the user id and remembered early recalls are not part of a snapshot: a fresh fetch
 *   cannot know them.
 */
export interface TimelineSnapshot {
  readonly conversations: readonly ConversationSnapshot[];
}

export interface ConversationSnapshot {
  readonly id: string;
  readonly kind: Conversation['kind'];
  readonly title: string | null;
  readonly createdAt: string;
  readonly members: readonly Member[];
  /** Oldest first. */
  readonly messages: readonly Message[];
}

/** Orders strings by UTF-16 code units, the same in every locale and runtime. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function canonicalMember(member: Member): Member {
  return { userId: member.userId, username: member.username, role: member.role, joinedAt: member.joinedAt };
}

/** A message as a snapshot holds it; a tombstone, when given, wins over the message's own content. */
export function canonicalMessage(message: Message, tombstone: Tombstone | null = message.recalled): Message {
  return {
    id: message.id,
    conversationId: message.conversationId,
    senderId: message.senderId,
    clientMsgId: message.clientMsgId,
    type: message.type,
    body: tombstone === null ? message.body : null,
    sentAt: message.sentAt,
    recalled: tombstone === null ? null : { ...tombstone },
    ...(message.attachment === undefined || tombstone !== null
      ? {}
      : { attachment: { ...message.attachment } }),
    ...(message.replyTo === undefined
      ? {}
      : {
          replyTo: {
            ...message.replyTo,
            recalled: message.replyTo.recalled && { ...message.replyTo.recalled },
          },
        }),
    ...(message.corrects === undefined ? {} : { corrects: message.corrects }),
    ...(message.correctedBy === undefined ? {} : { correctedBy: message.correctedBy }),
    // Absent only from servers that predate it; copied as given so both sides of a comparison agree.
    ...(message.expiresAt === undefined ? {} : { expiresAt: message.expiresAt }),
  };
}

export function canonicalConversation(
  conversation: Omit<Conversation, 'members'>,
  members: Iterable<Member>,
  messagesOldestFirst: Iterable<Message>,
): ConversationSnapshot {
  return {
    id: conversation.id,
    kind: conversation.kind,
    title: conversation.title,
    createdAt: conversation.createdAt,
    members: [...members].map(canonicalMember).sort((a, b) => compareIds(a.userId, b.userId)),
    messages: [...messagesOldestFirst].map((message) => canonicalMessage(message)),
  };
}

/**
 * The snapshot a fresh fetch gives: `GET /v1/conversations` plus every history page of each
 * conversation, concatenated as fetched (newest first). Conversations `userId` is not a member of, and
 * hidden messages, are left out, as the store would.
 */
export function snapshotFromFetch(
  userId: string,
  conversations: readonly Conversation[],
  messagesByConversation: Readonly<Record<string, readonly Message[]>>,
): TimelineSnapshot {
  return {
    conversations: conversations
      .filter((conversation) => conversation.members.some((member) => member.userId === userId))
      .map((conversation) => {
        const newestFirst = Object.hasOwn(messagesByConversation, conversation.id)
          ? (messagesByConversation[conversation.id] ?? [])
          : [];
        const oldestFirst = [...newestFirst].reverse().filter((message) => message.hidden !== true);
        return canonicalConversation(conversation, conversation.members, oldestFirst);
      })
      .sort((a, b) => compareIds(a.id, b.id)),
  };
}
