import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Tombstone } from '@retract/sdk';
import { canReEdit, placeholderPhrase } from '../src/lib/placeholder.js';
import { readByOthers, toMarkRead, unreadCount } from '../src/lib/receipts.js';

const names: Record<string, string> = { u_alice: 'alice', u_bob: 'bob', u_admin: 'root' };
const nameOf = (id: string): string => names[id] ?? '?';

function tomb(role: Tombstone['role'], recalledBy: string, reason: string | null = null): Tombstone {
  return { recalledAt: '2026-01-01T00:00:00.000Z', recalledBy, role, reason, label: null };
}

describe('placeholder text', () => {
  it('says "You recalled" to the sender and names the sender to others', () => {
    assert.deepEqual(placeholderPhrase(tomb('sender', 'u_alice'), 'u_alice', 'u_alice', nameOf), {
      key: 'placeholder.youRecalled',
    });
    assert.deepEqual(placeholderPhrase(tomb('sender', 'u_alice'), 'u_alice', 'u_bob', nameOf), {
      key: 'placeholder.theyRecalled',
      values: { name: 'alice' },
    });
  });

  it('names the peer for a direct-chat peer recall', () => {
    assert.deepEqual(placeholderPhrase(tomb('peer', 'u_bob'), 'u_alice', 'u_alice', nameOf), {
      key: 'placeholder.theyRecalled',
      values: { name: 'bob' },
    });
    assert.deepEqual(placeholderPhrase(tomb('peer', 'u_bob'), 'u_alice', 'u_bob', nameOf), {
      key: 'placeholder.youRecalled',
    });
  });

  it('shows a moderator removal with its reason and without naming the moderator', () => {
    assert.deepEqual(placeholderPhrase(tomb('server_admin', 'u_admin', 'spam'), 'u_alice', 'u_bob', nameOf), {
      key: 'placeholder.removedByAdmin',
      values: { reason: 'spam' },
    });
    assert.deepEqual(placeholderPhrase(tomb('owner', 'u_admin'), 'u_alice', 'u_alice', nameOf), {
      key: 'placeholder.removedByAdminNoReason',
    });
    // An owner recalling their own message is a sender's recall.
    assert.deepEqual(placeholderPhrase(tomb('owner', 'u_alice'), 'u_alice', 'u_bob', nameOf), {
      key: 'placeholder.theyRecalled',
      values: { name: 'alice' },
    });
  });

  it('shows the server erasures as such', () => {
    assert.equal(
      placeholderPhrase(tomb('expiry', 'u_alice'), 'u_alice', 'u_bob', nameOf).key,
      'placeholder.expired',
    );
    assert.equal(
      placeholderPhrase(tomb('retention', 'u_alice'), 'u_alice', 'u_bob', nameOf).key,
      'placeholder.retention',
    );
  });

  it('offers re-edit only while the server offer lasts', () => {
    const now = Date.parse('2026-01-01T00:00:00.000Z');
    assert.equal(canReEdit(undefined, now), false);
    assert.equal(canReEdit({ until: '2026-01-01T00:00:30.000Z' }, now), true);
    assert.equal(canReEdit({ until: '2025-12-31T23:59:59.000Z' }, now), false);
  });
});

function msg(id: string, senderId: string): Message {
  return {
    id,
    conversationId: 'c_1',
    senderId,
    clientMsgId: id,
    type: 'text',
    body: id,
    sentAt: '2026-01-01T00:00:00.000Z',
    recalled: null,
  };
}

describe('read receipts and unread counts', () => {
  const messages = [msg('m_1', 'u_alice'), msg('m_2', 'u_bob'), msg('m_3', 'u_alice'), msg('m_4', 'u_bob')];

  it('counts messages from others after the own read mark', () => {
    assert.equal(unreadCount(messages, 'u_alice', {}), 2);
    assert.equal(unreadCount(messages, 'u_alice', { u_alice: 'm_2' }), 1);
    assert.equal(unreadCount(messages, 'u_alice', { u_alice: 'm_4' }), 0);
    assert.equal(toMarkRead(messages, 'u_alice', { u_alice: 'm_2' }), 'm_4');
    assert.equal(toMarkRead(messages, 'u_alice', { u_alice: 'm_4' }), null);
  });

  it('marks own messages read up to the furthest mark of someone else', () => {
    assert.deepEqual([...readByOthers(messages, 'u_alice', { u_bob: 'm_2' })], ['m_1']);
    assert.deepEqual(
      [...readByOthers(messages, 'u_alice', { u_bob: 'm_4', u_alice: 'm_4' })],
      ['m_1', 'm_3'],
    );
    assert.deepEqual([...readByOthers(messages, 'u_alice', { u_alice: 'm_4' })], []);
  });
});
