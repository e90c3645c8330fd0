import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consentStep, mayDecideConsent } from '../../src/core/policy/index.js';

describe('consent: who decides', () => {
  const cases: [string, Parameters<typeof mayDecideConsent>[0], boolean][] = [
    [
      'the other person of a direct chat',
      { conversationKind: 'direct', role: 'owner', serverAdmin: false, isRequester: false },
      true,
    ],
    [
      'the sender themselves, never',
      { conversationKind: 'direct', role: 'owner', serverAdmin: false, isRequester: true },
      false,
    ],
    [
      'someone outside a direct chat',
      { conversationKind: 'direct', role: null, serverAdmin: true, isRequester: false },
      false,
    ],
    [
      'a group owner',
      { conversationKind: 'group', role: 'owner', serverAdmin: false, isRequester: false },
      true,
    ],
    [
      'a group admin',
      { conversationKind: 'group', role: 'admin', serverAdmin: false, isRequester: false },
      true,
    ],
    [
      'a plain group member',
      { conversationKind: 'group', role: 'member', serverAdmin: false, isRequester: false },
      false,
    ],
    [
      'a server admin, for a group',
      { conversationKind: 'group', role: null, serverAdmin: true, isRequester: false },
      true,
    ],
    [
      'a group owner asking about their own message',
      { conversationKind: 'group', role: 'owner', serverAdmin: true, isRequester: true },
      false,
    ],
  ];
  for (const [name, input, expected] of cases) {
    it(`${expected ? 'lets' : 'does not let'} ${name} decide`, () => {
      assert.equal(mayDecideConsent(input), expected);
    });
  }
});

describe('consent: whether a step may be taken now', () => {
  const base = {
    action: 'approve' as const,
    status: 'pending' as const,
    expiresAtMs: 1000,
    nowMs: 999,
    mayDecide: true,
    isRequester: false,
    messageRecalled: false,
  };
  it('proceeds while pending, before expiry, by a decider', () => {
    assert.deepEqual(consentStep(base), { kind: 'proceed' });
  });
  it('expires at the exact moment of expiry, even before the sweeper', () => {
    assert.deepEqual(consentStep({ ...base, nowMs: 1000 }), { kind: 'expire' });
  });
  it('withdraws a request whose message is already gone', () => {
    assert.deepEqual(consentStep({ ...base, messageRecalled: true }), { kind: 'withdraw' });
  });
  it('refuses an ended request, naming its state', () => {
    assert.deepEqual(consentStep({ ...base, status: 'declined' }), {
      kind: 'not_pending',
      status: 'declined',
    });
  });
  it('checks permission first: approving and declining are the deciders’, cancelling the sender’s', () => {
    assert.deepEqual(consentStep({ ...base, mayDecide: false }), { kind: 'not_permitted' });
    assert.deepEqual(consentStep({ ...base, action: 'decline', mayDecide: false }), {
      kind: 'not_permitted',
    });
    assert.deepEqual(consentStep({ ...base, action: 'cancel' }), { kind: 'not_permitted' });
    assert.deepEqual(consentStep({ ...base, action: 'cancel', mayDecide: false, isRequester: true }), {
      kind: 'proceed',
    });
  });
});
