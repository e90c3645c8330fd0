import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '@retract/protocol';
import { snapshotFromFetch } from '../src/snapshot.js';
import { TimelineStore } from '../src/store.js';
import {
  alice,
  at,
  bob,
  conversation,
  ev,
  me,
  member,
  message,
  recalledMessage,
  tombstone,
} from './fixtures.js';

function storeWith(...conversationIds: string[]): TimelineStore {
  const store = new TimelineStore({ userId: me });
  conversationIds.forEach((id, i) => store.apply(ev.conversationCreated(i + 1, conversation(id))));
  return store;
}

const ids = (messages: readonly Message[]): string[] => messages.map((m) => m.id);

describe('TimelineStore', () => {
  it('keeps each consent request as its latest step says, newest first, and a fetch never undoes an end', () => {
    const store = storeWith('c_1');
    const request = {
      id: 'k_1',
      conversationId: 'c_1',
      messageId: 'm_1',
      requestedBy: me,
      reason: 'wrong chat',
      status: 'pending' as const,
      createdAt: at(5),
      expiresAt: at(50),
      decidedBy: null,
      decidedAt: null,
      note: null,
    };
    store.apply({ seq: 2, at: at(5), type: 'consent.requested', request });
    store.apply({
      seq: 3,
      at: at(6),
      type: 'consent.requested',
      request: { ...request, id: 'k_2', messageId: 'm_2', createdAt: at(6) },
    });
    assert.deepEqual(
      store.consentRequests().map((r) => [r.id, r.status]),
      [
        ['k_2', 'pending'],
        ['k_1', 'pending'],
      ],
    );
    const declined = { ...request, status: 'declined' as const, decidedBy: alice, decidedAt: at(7) };
    store.apply({ seq: 4, at: at(7), type: 'consent.declined', request: declined });
    store.loadConsentRequests([request, { ...request, id: 'k_2', status: 'expired' as const }]);
    assert.deepEqual(
      store.consentRequests().map((r) => [r.id, r.status]),
      [
        ['k_1', 'declined'],
        ['k_2', 'expired'],
      ],
    );
    store.reset(me);
    assert.deepEqual(store.consentRequests(), []);
  });

  it('conversation.created adds a conversation, and a repeat replaces it but keeps its messages', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, message('m_1', 'c_1')));
    store.apply(ev.conversationCreated(3, { ...conversation('c_1', [me, bob]), title: 'renamed' }));
    assert.equal(store.conversation('c_1')?.title, 'renamed');
    assert.deepEqual(
      store.conversation('c_1')?.members.map((m) => m.userId),
      [me, bob],
    );
    assert.deepEqual(ids(store.messages('c_1')), ['m_1']);
  });

  it('member.added adds or replaces a member; member.removed removes another member', () => {
    const store = storeWith('c_1');
    store.apply(ev.memberAdded(2, 'c_1', member(bob)));
    store.apply(ev.memberAdded(3, 'c_1', member(alice, 'admin')));
    assert.deepEqual(
      store.conversation('c_1')?.members.map((m) => [m.userId, m.role]),
      [
        [me, 'owner'],
        [alice, 'admin'],
        [bob, 'member'],
      ],
    );
    store.apply(ev.memberRemoved(4, 'c_1', alice));
    assert.deepEqual(
      store.conversation('c_1')?.members.map((m) => m.userId),
      [me, bob],
    );
  });

  it('removing the store’s own user drops the conversation and its messages', () => {
    const store = storeWith('c_1', 'c_2');
    store.apply(ev.messageCreated(3, message('m_1', 'c_1')));
    store.apply(ev.memberRemoved(4, 'c_1', me));
    assert.equal(store.conversation('c_1'), undefined);
    assert.deepEqual(store.messages('c_1'), []);
    store.apply(ev.messageCreated(5, message('m_2', 'c_1')));
    assert.deepEqual(
      store.snapshot().conversations.map((c) => c.id),
      ['c_2'],
    );
  });

  it('message.created appends in arrival order and ignores unknown conversations', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, message('m_b', 'c_1')));
    store.apply(ev.messageCreated(3, message('m_a', 'c_1')));
    store.apply(ev.messageCreated(4, message('m_x', 'c_9')));
    assert.deepEqual(ids(store.messages('c_1')), ['m_b', 'm_a']);
    assert.deepEqual(store.messages('c_9'), []);
    assert.equal(store.cursor, 4, 'an ignored event still advances the cursor');
  });

  it('does not show a message created with hidden: true', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, { ...message('m_1', 'c_1'), body: null, hidden: true }));
    assert.deepEqual(store.messages('c_1'), []);
  });

  it('message.recalled replaces the message by its tombstone', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, message('m_1', 'c_1', 'secret')));
    store.apply(ev.messageCreated(3, message('m_2', 'c_1')));
    store.apply(ev.messageRecalled(4, 'c_1', 'm_1'));
    const [first, second] = store.messages('c_1');
    assert.deepEqual(first, { ...message('m_1', 'c_1'), body: null, recalled: tombstone() });
    assert.equal(second?.body, 'body of m_2');
  });

  it('a recall that arrives before its message wins: the message never shows its content', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageRecalled(2, 'c_1', 'm_1'));
    assert.deepEqual(store.messages('c_1'), []);
    store.apply(ev.messageCreated(3, message('m_1', 'c_1', 'secret')));
    assert.deepEqual(store.messages('c_1'), [recalledMessage('m_1', 'c_1')]);
    assert.ok(!JSON.stringify(store.snapshot()).includes('secret'));
  });

  it('remembers an early recall even before the conversation is known', () => {
    const store = new TimelineStore({ userId: me });
    store.apply(ev.messageRecalled(1, 'c_1', 'm_1'));
    store.apply(ev.conversationCreated(2, conversation('c_1')));
    store.apply(ev.messageCreated(3, message('m_1', 'c_1', 'secret')));
    assert.equal(store.messages('c_1')[0]?.body, null);
  });

  it('a create for a message already recalled does not bring its content back', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, message('m_1', 'c_1', 'secret')));
    store.apply(ev.messageRecalled(3, 'c_1', 'm_1'));
    store.apply(ev.messageCreated(4, message('m_1', 'c_1', 'secret')));
    assert.deepEqual(store.messages('c_1'), [recalledMessage('m_1', 'c_1')]);
  });

  it('message.hidden removes the message, also when it arrives before the create', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, message('m_1', 'c_1')));
    store.apply(ev.messageHidden(3, 'c_1', 'm_1'));
    store.apply(ev.messageHidden(4, 'c_1', 'm_2'));
    store.apply(ev.messageCreated(5, message('m_2', 'c_1')));
    assert.deepEqual(store.messages('c_1'), []);
  });

  it('ignores an event whose seq is not above the cursor', () => {
    const store = storeWith('c_1');
    assert.equal(store.apply(ev.messageCreated(2, message('m_1', 'c_1', 'first'))), true);
    const before = store.snapshot();
    assert.equal(store.apply(ev.messageCreated(2, message('m_1', 'c_1', 'first'))), false);
    assert.equal(store.apply(ev.messageRecalled(1, 'c_1', 'm_1')), false);
    assert.equal(store.cursor, 2);
    assert.deepEqual(store.snapshot(), before);
  });

  it('snapshot() sorts conversations by id and members by userId, keeps send order, drops extra fields', () => {
    const store = new TimelineStore({ userId: me });
    store.apply(ev.conversationCreated(1, conversation('c_b', [me, bob, alice])));
    store.apply(ev.conversationCreated(2, conversation('c_a', [me])));
    store.apply(ev.messageCreated(3, { ...message('m_2', 'c_b'), extra: 'x' } as Message));
    store.apply(ev.messageCreated(4, message('m_1', 'c_b')));
    const snapshot = store.snapshot();
    assert.deepEqual(
      snapshot.conversations.map((c) => c.id),
      ['c_a', 'c_b'],
    );
    assert.deepEqual(
      snapshot.conversations[1]?.members.map((m) => m.userId),
      [alice, bob, me],
    );
    assert.deepEqual(snapshot.conversations[1]?.messages, [message('m_2', 'c_b'), message('m_1', 'c_b')]);
  });

  it('loadSnapshot seeds from a fresh fetch and equals snapshotFromFetch of it', () => {
    const conversations = [
      conversation('c_2'),
      conversation('c_1', [alice, me]),
      conversation('c_3', [alice]),
    ];
    const history = {
      c_1: [message('m_3', 'c_1'), recalledMessage('m_2', 'c_1'), message('m_1', 'c_1')],
      c_2: [{ ...message('m_9', 'c_2'), body: null, hidden: true as const }],
    };
    const store = new TimelineStore({ userId: me });
    store.loadSnapshot({ conversations, messagesByConversation: history, cursor: 7 });
    assert.equal(store.cursor, 7);
    assert.deepEqual(ids(store.messages('c_1')), ['m_1', 'm_2', 'm_3']);
    assert.deepEqual(store.messages('c_2'), [], 'hidden messages are left out');
    assert.equal(store.conversation('c_3'), undefined, 'not a member of c_3');
    assert.deepEqual(store.snapshot(), snapshotFromFetch(me, conversations, history));
  });

  it('applyHistory puts an older page before the messages held and skips ones already held', () => {
    const store = storeWith('c_1');
    store.apply(ev.messageCreated(2, message('m_3', 'c_1')));
    store.applyHistory('c_1', [message('m_3', 'c_1'), message('m_2', 'c_1')]);
    store.applyHistory('c_1', [message('m_1', 'c_1')]);
    assert.deepEqual(ids(store.messages('c_1')), ['m_1', 'm_2', 'm_3']);
  });

  it('applying events already reflected in a fetch changes nothing (what makes fetch-then-apply safe)', () => {
    const conversations = [conversation('c_1', [me, alice])];
    const history = { c_1: [recalledMessage('m_2', 'c_1'), message('m_1', 'c_1')] };
    const store = new TimelineStore({ userId: me });
    store.loadSnapshot({ conversations, messagesByConversation: history, cursor: 0 });
    const fetched = store.snapshot();
    store.applyAll([
      ev.conversationCreated(1, conversation('c_1', [me, alice])),
      ev.messageCreated(2, message('m_1', 'c_1')),
      ev.messageCreated(3, message('m_2', 'c_1', 'secret')),
      ev.messageRecalled(4, 'c_1', 'm_2'),
    ]);
    assert.deepEqual(store.snapshot(), fetched);
  });

  it('setUser() empties the store for a different user only', () => {
    const store = storeWith('c_1');
    assert.equal(store.setUser(me), false);
    assert.equal(store.snapshot().conversations.length, 1);
    assert.equal(store.setUser(bob), true);
    assert.deepEqual(store.snapshot(), { conversations: [] });
    assert.equal(store.cursor, 0);
  });
});
