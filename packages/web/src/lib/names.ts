import type { Conversation } from '@retract/sdk';
import type { Phrase } from './format.js';

/** A conversation's name: its title, else the other person (direct), else its members (group). */
export function conversationName(conversation: Conversation, myId: string | null): Phrase {
  if (conversation.title !== null && conversation.title !== '') {
    return { key: 'list.title', values: { title: conversation.title } };
  }
  const others = conversation.members.filter((m) => m.userId !== myId).map((m) => m.username);
  if (conversation.kind === 'direct') return { key: 'list.title', values: { title: others[0] ?? '?' } };
  return { key: 'list.untitledGroup', values: { names: others.join(', ') } };
}

/** Usernames by id within a conversation, for naming senders; unknown ids (left since) show as "?". */
export function nameLookup(conversation: Conversation | undefined): (userId: string) => string {
  const names = new Map(conversation?.members.map((m) => [m.userId, m.username]) ?? []);
  return (userId) => names.get(userId) ?? '?';
}
