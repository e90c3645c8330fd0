import type { Conversation, Message } from '@retract/sdk';
import type { Phrase } from './format.js';
import { placeholderPhrase } from './placeholder.js';

export interface Preview {
  /** The content, or the placeholder of a recalled message. */
  readonly phrase: Phrase;
  /** Sent by the viewer: rows prefix "You:" (not on a placeholder, which already says "You"). */
  readonly mine: boolean;
  readonly sentAt: string;
  readonly recalled: boolean;
}

/**
 * The one-line summary a conversation row shows. A recalled message shows its placeholder wording, never
 * what it said: the list must not keep content the chat view has already erased.
 */
export function lastMessagePreview(
  messages: readonly Message[],
  myId: string | null,
  nameOf: (userId: string) => string,
): Preview | null {
  const last = [...messages].reverse().find((m) => m.hidden !== true);
  if (last === undefined) return null;
  const mine = last.senderId === myId;
  if (last.recalled !== null) {
    return {
      phrase: placeholderPhrase(last.recalled, last.senderId, myId, nameOf),
      mine,
      sentAt: last.sentAt,
      recalled: true,
    };
  }
  const text = last.type === 'text' && last.body !== null ? last.body.replace(/\s+/g, ' ').trim() : null;
  return {
    phrase: text === null ? { key: `chat.type_${last.type}` } : { key: 'list.previewText', values: { text } },
    mine,
    sentAt: last.sentAt,
    recalled: false,
  };
}

/** Newest activity first (last message, else creation), ties by id so the order is stable. */
export function byActivity(
  conversations: readonly Conversation[],
  messagesOf: (id: string) => readonly Message[],
): Conversation[] {
  const latest = new Map(
    conversations.map((c) => {
      const messages = messagesOf(c.id);
      const last = messages[messages.length - 1];
      return [c.id, Date.parse(last?.sentAt ?? c.createdAt)] as const;
    }),
  );
  return [...conversations].sort(
    (a, b) => (latest.get(b.id) ?? 0) - (latest.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1),
  );
}
