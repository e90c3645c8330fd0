// Builders for protocol objects, so tests state only what matters to them.
import type { Conversation, Event, EventOf, Member, Message, Tombstone } from '@retract/protocol';

export const me = 'u_me';
export const alice = 'u_alice';
export const bob = 'u_bob';

/** A fixed, valid timestamp per number, so equal inputs give equal objects. */
export function at(n: number): string {
  return new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
}

export function member(userId: string, role: Member['role'] = 'member', joined = 0): Member {
  return { userId, username: userId.slice(2), role, joinedAt: at(joined) };
}

export function conversation(id: string, memberIds: readonly string[] = [me, alice]): Conversation {
  return {
    id,
    kind: 'group',
    title: `title of ${id}`,
    createdAt: at(0),
    members: memberIds.map((userId, i) => member(userId, i === 0 ? 'owner' : 'member')),
  };
}

export function message(
  id: string,
  conversationId: string,
  body = `body of ${id}`,
  senderId = alice,
): Message {
  return {
    id,
    conversationId,
    senderId,
    clientMsgId: `client-${id}`,
    type: 'text',
    body,
    sentAt: at(1),
    recalled: null,
  };
}

export function tombstone(by = alice, reason: string | null = null): Tombstone {
  return { recalledAt: at(2), recalledBy: by, role: 'sender', reason, label: null };
}

export function recalledMessage(id: string, conversationId: string, by = alice): Message {
  return { ...message(id, conversationId), body: null, recalled: tombstone(by) };
}

export const ev = {
  conversationCreated(seq: number, conv: Conversation): EventOf<'conversation.created'> {
    return { seq, at: at(seq), type: 'conversation.created', conversation: conv };
  },
  memberAdded(seq: number, conversationId: string, added: Member): EventOf<'member.added'> {
    return { seq, at: at(seq), type: 'member.added', conversationId, members: [added] };
  },
  memberRemoved(seq: number, conversationId: string, userId: string): EventOf<'member.removed'> {
    return { seq, at: at(seq), type: 'member.removed', conversationId, userId };
  },
  messageCreated(seq: number, msg: Message): EventOf<'message.created'> {
    return { seq, at: at(seq), type: 'message.created', message: msg };
  },
  messageRecalled(
    seq: number,
    conversationId: string,
    messageId: string,
    by = alice,
  ): EventOf<'message.recalled'> {
    return {
      seq,
      at: at(seq),
      type: 'message.recalled',
      conversationId,
      messageId,
      senderId: alice,
      tombstone: tombstone(by),
    };
  },
  messageHidden(seq: number, conversationId: string, messageId: string): EventOf<'message.hidden'> {
    return { seq, at: at(seq), type: 'message.hidden', conversationId, messageId };
  },
};

/** A simple numbered log: a conversation, then messages m_1, m_2, … in it. */
export function simpleLog(count: number, conversationId = 'c_1'): Event[] {
  const events: Event[] = [ev.conversationCreated(1, conversation(conversationId))];
  for (let seq = 2; seq <= count; seq += 1)
    events.push(ev.messageCreated(seq, message(`m_${seq}`, conversationId)));
  return events;
}
