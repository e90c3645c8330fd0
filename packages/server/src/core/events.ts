import type { ConsentEventType, Conversation, EventBody, Member } from '@retract/protocol';
import type {
  ConsentRequestRecord,
  Disappearing,
  MessageRecord,
  NewEvent,
  TombstoneRecord,
} from '../storage/records.js';
import { consentView, messageView, tombstoneView, type References } from './views.js';

/**
 * Each change as a pair: what the event log stores (never message content) and what live recipients
 * are sent now. Keeping both in one place keeps live delivery and sync rendering in step.
 */
export interface EventPair {
  readonly stored: NewEvent;
  readonly live: EventBody;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function messageCreated(m: MessageRecord, refs?: References): EventPair {
  return {
    stored: {
      type: 'message.created',
      conversationId: m.conversationId,
      messageId: m.id,
      at: m.sentAt,
      data: {},
    },
    live: { type: 'message.created', at: iso(m.sentAt), message: messageView(m, false, refs) },
  };
}

export function messageRecalled(m: MessageRecord, t: TombstoneRecord): EventPair {
  const tombstone = tombstoneView(t);
  return {
    stored: {
      type: 'message.recalled',
      conversationId: m.conversationId,
      messageId: m.id,
      at: t.recalledAt,
      data: { senderId: m.senderId, tombstone },
    },
    live: {
      type: 'message.recalled',
      at: iso(t.recalledAt),
      conversationId: m.conversationId,
      messageId: m.id,
      senderId: m.senderId,
      tombstone,
    },
  };
}

export function conversationRead(
  conversationId: string,
  userId: string,
  upTo: string,
  at: number,
): EventPair {
  return {
    stored: { type: 'conversation.read', conversationId, messageId: upTo, at, data: { userId } },
    live: { type: 'conversation.read', at: iso(at), conversationId, userId, upTo },
  };
}

export function messageHidden(m: MessageRecord, at: number): EventPair {
  return {
    stored: { type: 'message.hidden', conversationId: m.conversationId, messageId: m.id, at, data: {} },
    live: { type: 'message.hidden', at: iso(at), conversationId: m.conversationId, messageId: m.id },
  };
}

/** A snapshot of the conversation as the recipient first sees it: later member changes come as events. */
export function conversationCreated(conversation: Conversation, at: number): EventPair {
  return {
    stored: {
      type: 'conversation.created',
      conversationId: conversation.id,
      messageId: null,
      at,
      data: { conversation },
    },
    live: { type: 'conversation.created', at: iso(at), conversation },
  };
}

export function memberAdded(conversationId: string, members: readonly Member[], at: number): EventPair {
  return {
    stored: { type: 'member.added', conversationId, messageId: null, at, data: { members } },
    live: { type: 'member.added', at: iso(at), conversationId, members: [...members] },
  };
}

export function memberRemoved(conversationId: string, userId: string, at: number): EventPair {
  return {
    stored: { type: 'member.removed', conversationId, messageId: null, at, data: { userId } },
    live: { type: 'member.removed', at: iso(at), conversationId, userId },
  };
}

/** An owner set, changed or cleared the timer; the setting itself is stored, as it is no content. */
export function disappearingChanged(
  conversationId: string,
  setting: Disappearing | null,
  by: string,
  at: number,
): EventPair {
  const disappearing = setting === null ? null : { mode: setting.mode, seconds: setting.seconds };
  return {
    stored: { type: 'disappearing.changed', conversationId, messageId: null, at, data: { disappearing, by } },
    live: { type: 'disappearing.changed', at: iso(at), conversationId, disappearing, by },
  };
}

/** One step of a consent request; the stored event keeps the request as it stood after that step. */
export function consentStepped(type: ConsentEventType, r: ConsentRequestRecord, at: number): EventPair {
  const request = consentView(r);
  return {
    stored: { type, conversationId: r.conversationId, messageId: r.messageId, at, data: { request } },
    live: { type, at: iso(at), request },
  };
}
