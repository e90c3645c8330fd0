import type {
  ConsentRequest,
  Conversation,
  DisappearingTimer,
  EventBody,
  Member,
  Message,
  Quote,
  Tombstone,
} from '@retract/protocol';
import type {
  AttachmentRecord,
  ConsentRequestRecord,
  ConversationRecord,
  MemberRecord,
  MessageRecord,
  StoredEvent,
  TombstoneRecord,
} from '../storage/records.js';

/** Records → protocol views. Pure; the only place where stored shapes become what clients see. */

const iso = (ms: number): string => new Date(ms).toISOString();

export function tombstoneView(t: TombstoneRecord): Tombstone {
  return {
    recalledAt: iso(t.recalledAt),
    recalledBy: t.recalledBy,
    role: t.role,
    reason: t.reason,
    label: t.label,
    ...(t.approvedBy === undefined ? {} : { approvedBy: t.approvedBy }),
  };
}

/** A consent request as the protocol speaks it. */
export function consentView(r: ConsentRequestRecord): ConsentRequest {
  return {
    id: r.id,
    conversationId: r.conversationId,
    messageId: r.messageId,
    requestedBy: r.requesterId,
    reason: r.reason,
    status: r.status,
    createdAt: iso(r.createdAt),
    expiresAt: iso(r.expiresAt),
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt === null ? null : iso(r.decidedAt),
    note: r.note,
  };
}

/**
 * What messages refer to, loaded alongside them: the quoted originals (by id) and, for corrected
 * messages, their latest correction (by original id).
 */
export interface References {
  readonly messages: ReadonlyMap<string, MessageRecord>;
  readonly corrections: ReadonlyMap<string, string>;
  readonly attachments: ReadonlyMap<string, AttachmentRecord>;
}

export const noReferences: References = {
  messages: new Map(),
  corrections: new Map(),
  attachments: new Map(),
};

/** A quote, rendered from the original as it is now: a recalled original shows its tombstone. */
export function quoteView(original: MessageRecord): Quote {
  return {
    messageId: original.id,
    senderId: original.senderId,
    type: original.type,
    body: original.tombstone !== null ? null : original.body,
    recalled: original.tombstone === null ? null : tombstoneView(original.tombstone),
  };
}

/** A recalled message has no body, whatever the record says; a hidden one shows none to its hider. */
export function messageView(m: MessageRecord, hidden = false, refs: References = noReferences): Message {
  const view: Message = {
    id: m.id,
    conversationId: m.conversationId,
    senderId: m.senderId,
    clientMsgId: m.clientMsgId,
    type: m.type,
    body: m.tombstone !== null || hidden ? null : m.body,
    sentAt: iso(m.sentAt),
    recalled: m.tombstone === null ? null : tombstoneView(m.tombstone),
    expiresAt: m.expiresAt === null ? null : iso(m.expiresAt),
  };
  const quoted = m.replyTo === null ? undefined : refs.messages.get(m.replyTo);
  const correctedBy = refs.corrections.get(m.id);
  const file =
    m.tombstone === null && m.attachmentId !== null ? refs.attachments.get(m.attachmentId) : undefined;
  return {
    ...view,
    ...(hidden ? { hidden: true as const } : {}),
    ...(file && file.deletedAt === null
      ? { attachment: { id: file.id, mime: file.mime, name: file.name, size: file.size } }
      : {}),
    ...(quoted ? { replyTo: quoteView(quoted) } : {}),
    ...(m.corrects === null ? {} : { corrects: m.corrects }),
    ...(correctedBy === undefined ? {} : { correctedBy }),
  };
}

export function memberView(m: MemberRecord): Member {
  return { userId: m.userId, username: m.username, role: m.role, joinedAt: iso(m.joinedAt) };
}

export function conversationView(c: ConversationRecord, members: readonly MemberRecord[]): Conversation {
  return {
    id: c.id,
    kind: c.kind,
    title: c.title,
    createdAt: iso(c.createdAt),
    members: members.map(memberView),
  };
}

/**
 * A stored event as the reading user sees it now. Message events take the message's current state, which
 * is how sync serves a recalled message's `message.created` without its content.
 */
export function renderStoredEvent(
  e: StoredEvent,
  refs: References = noReferences,
): EventBody & { seq: number } {
  const at = iso(e.at);
  const d = e.data;
  switch (e.type) {
    case 'message.created': {
      if (e.message === null) throw new Error(`event ${e.seq}: message ${e.messageId} is missing`);
      return { seq: e.seq, at, type: e.type, message: messageView(e.message, e.hidden, refs) };
    }
    case 'message.recalled':
      return {
        seq: e.seq,
        at,
        type: e.type,
        conversationId: e.conversationId ?? '',
        messageId: e.messageId ?? '',
        senderId: d['senderId'] as string,
        tombstone: d['tombstone'] as Tombstone,
      };
    case 'message.hidden':
      return {
        seq: e.seq,
        at,
        type: e.type,
        conversationId: e.conversationId ?? '',
        messageId: e.messageId ?? '',
      };
    case 'conversation.created':
      return { seq: e.seq, at, type: e.type, conversation: d['conversation'] as Conversation };
    case 'member.added':
      return {
        seq: e.seq,
        at,
        type: e.type,
        conversationId: e.conversationId ?? '',
        // Events stored before batching hold a single `member`.
        members: (d['members'] as Member[] | undefined) ?? [d['member'] as Member],
      };
    case 'conversation.read':
      return {
        seq: e.seq,
        at,
        type: e.type,
        conversationId: e.conversationId ?? '',
        userId: d['userId'] as string,
        upTo: e.messageId ?? '',
        // Reads that started disappearing timers; older entries and other reads have none.
        ...(typeof d['expiresAt'] === 'string' ? { expiresAt: d['expiresAt'] } : {}),
        ...(typeof d['from'] === 'string' ? { from: d['from'] } : {}),
      };
    case 'disappearing.changed':
      return {
        seq: e.seq,
        at,
        type: e.type,
        conversationId: e.conversationId ?? '',
        disappearing: (d['disappearing'] as DisappearingTimer | null | undefined) ?? null,
        by: d['by'] as string,
      };
    case 'consent.requested':
    case 'consent.approved':
    case 'consent.declined':
    case 'consent.cancelled':
    case 'consent.expired':
      return { seq: e.seq, at, type: e.type, request: d['request'] as ConsentRequest };
    case 'member.removed':
      return {
        seq: e.seq,
        at,
        type: e.type,
        conversationId: e.conversationId ?? '',
        userId: d['userId'] as string,
      };
  }
}
