import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventOf, Message } from '@retract/protocol';
import { snapshotFromFetch } from '../src/snapshot.js';
import { TimelineStore } from '../src/store.js';
import { alice, at, bob, conversation, ev, me, message } from './fixtures.js';

const convId = 'c_1';
const due = at(600);
const later = at(900);

function read(
  seq: number,
  userId: string,
  upTo: string,
  expiresAt?: string,
  start?: string,
): EventOf<'conversation.read'> {
  return {
    seq,
    at: at(seq),
    type: 'conversation.read',
    conversationId: convId,
    userId,
    upTo,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(start === undefined ? {} : { from: start }),
  };
}

const from = (senderId: string, id: string, over: Partial<Message> = {}): Message => ({
  ...message(id, convId, `body of ${id}`, senderId),
  expiresAt: null,
  ...over,
});

/** A store holding m_1 … m_5 of one conversation (me, alice, bob), in that order. */
function storeWith(messages: readonly Message[]): TimelineStore {
  const store = new TimelineStore({ userId: me });
  store.apply(ev.conversationCreated(1, conversation(convId, [me, alice, bob])));
  messages.forEach((m, i) => store.apply(ev.messageCreated(i + 2, m)));
  return store;
}

const expiries = (store: TimelineStore) =>
  Object.fromEntries(store.messages(convId).map((m) => [m.id, m.expiresAt]));

describe('TimelineStore: disappearing-message expiry', () => {
  it('keeps the expiry a message arrives with', () => {
    const store = storeWith([from(alice, 'm_1', { expiresAt: due }), from(alice, 'm_2')]);
    assert.deepEqual(expiries(store), { m_1: due, m_2: null });
    assert.equal(store.snapshot().conversations[0]?.messages[0]?.expiresAt, due);
  });

  it('starts timers as a read that started them says: up to upTo, not the reader’s, not recalled, none yet', () => {
    const store = storeWith([
      from(alice, 'm_1'),
      from(me, 'm_2'),
      from(alice, 'm_3', { expiresAt: at(100) }),
      from(alice, 'm_4'),
      from(bob, 'm_5'),
      from(alice, 'm_6'),
    ]);
    store.apply(ev.messageRecalled(8, convId, 'm_4'));
    store.apply(read(9, me, 'm_5', due));
    assert.deepEqual(expiries(store), {
      m_1: due,
      m_2: null, // the reader's own
      m_3: at(100), // a running timer never moves
      m_4: null, // recalled
      m_5: due, // upTo itself
      m_6: null, // after upTo
    });

    // Another member's read starts the timer of my message, and nothing that already runs.
    store.apply(read(10, alice, 'm_6', later));
    assert.deepEqual(expiries(store), {
      m_1: due,
      m_2: later,
      m_3: at(100),
      m_4: null,
      m_5: due,
      m_6: null, // alice's own
    });
  });

  it('starts nothing before `from`: a late joiner’s read leaves what was sent before they joined', () => {
    // I was here from the start; bob joined after m_2, so his read starts timers from m_3 on only.
    const store = storeWith([from(alice, 'm_1'), from(alice, 'm_2'), from(alice, 'm_3'), from(me, 'm_4')]);
    store.apply(read(9, bob, 'm_4', due, 'm_3'));
    assert.deepEqual(expiries(store), { m_1: null, m_2: null, m_3: due, m_4: due });
    // A `from` this store does not hold is older than everything it holds.
    const newer = storeWith([from(alice, 'm_5'), from(alice, 'm_6')]);
    newer.apply(read(9, bob, 'm_6', due, 'm_1'));
    assert.deepEqual(expiries(newer), { m_5: due, m_6: due });
  });

  it('leaves messages alone for a receipt without expiry, a repeated event, or an upTo it does not hold', () => {
    const store = storeWith([from(alice, 'm_1'), from(alice, 'm_2')]);
    store.apply(read(4, me, 'm_2'));
    assert.deepEqual(expiries(store), { m_1: null, m_2: null });
    store.apply(read(5, me, 'm_0', due));
    assert.deepEqual(expiries(store), { m_1: null, m_2: null }, 'm_0 is older than anything held');
    assert.equal(store.apply(read(5, me, 'm_2', due)), false);
    assert.deepEqual(expiries(store), { m_1: null, m_2: null }, 'already applied (seq)');
  });

  it('never loses an expiry to a copy without one, and takes a missing one from history', () => {
    const store = storeWith([from(alice, 'm_1'), from(alice, 'm_2')]);
    store.apply(read(4, me, 'm_1', due));
    store.apply(ev.messageCreated(5, from(alice, 'm_1')));
    assert.equal(expiries(store)['m_1'], due);
    store.applyHistory(convId, [from(alice, 'm_2', { expiresAt: later }), from(alice, 'm_1')]);
    assert.deepEqual(expiries(store), { m_1: due, m_2: later });
    assert.deepEqual(
      store.messages(convId).map((m) => m.id),
      ['m_1', 'm_2'],
      'held messages keep their place',
    );
  });

  it('after the events, equals a fresh fetch of the same state', () => {
    const store = storeWith([from(alice, 'm_1'), from(me, 'm_2'), from(alice, 'm_3')]);
    store.apply(read(5, me, 'm_3', due));
    store.apply(read(6, alice, 'm_3', later));
    const fetched = [
      from(alice, 'm_3', { expiresAt: due }),
      from(me, 'm_2', { expiresAt: later }),
      from(alice, 'm_1', { expiresAt: due }),
    ];
    assert.deepEqual(
      store.snapshot(),
      snapshotFromFetch(me, [conversation(convId, [me, alice, bob])], { [convId]: fetched }),
    );
  });

  it('reads messages from servers without expiry as having none', () => {
    const old = message('m_1', convId);
    assert.equal('expiresAt' in old, false);
    const store = storeWith([old]);
    assert.equal('expiresAt' in (store.messages(convId)[0] ?? {}), false, 'not invented');
    store.apply(read(3, me, 'm_1', due));
    assert.equal(store.messages(convId)[0]?.expiresAt, due);
  });
});

describe('TimelineStore: the conversation’s disappearing setting', () => {
  const changed = (
    seq: number,
    disappearing: EventOf<'disappearing.changed'>['disappearing'],
    conversationId = convId,
  ): EventOf<'disappearing.changed'> => ({
    seq,
    at: at(seq),
    type: 'disappearing.changed',
    conversationId,
    disappearing,
    by: alice,
  });

  it('keeps the latest setting, leaves the messages’ own expiry alone, and is unknown until told', () => {
    const store = storeWith([from(alice, 'm_1', { expiresAt: due })]);
    assert.equal(store.disappearing(convId), undefined, 'no event yet: ask the server');
    store.apply(changed(3, { mode: 'after_send', seconds: 3600 }));
    assert.deepEqual(store.disappearing(convId), { mode: 'after_send', seconds: 3600 });
    store.apply(changed(4, { mode: 'after_read', seconds: 300 }));
    assert.deepEqual(store.disappearing(convId), { mode: 'after_read', seconds: 300 });
    assert.equal(store.messages(convId)[0]?.expiresAt, due);
    store.apply(changed(5, null));
    assert.equal(store.disappearing(convId), null);
    // A repeated conversation.created keeps what events said.
    store.apply(ev.conversationCreated(6, conversation(convId, [me, alice, bob])));
    assert.equal(store.disappearing(convId), null);
  });

  it('ignores a setting for a conversation it does not hold, and leaves it out of snapshots', () => {
    const store = storeWith([from(alice, 'm_1')]);
    const before = store.snapshot();
    store.apply(changed(3, { mode: 'after_send', seconds: 60 }, 'c_other'));
    assert.equal(store.disappearing('c_other'), undefined);
    store.apply(changed(4, { mode: 'after_send', seconds: 60 }));
    assert.deepEqual(store.snapshot(), before, 'a fresh fetch does not carry it either');
    assert.equal(store.cursor, 4);
  });
});
