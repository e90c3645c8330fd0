import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideRecall,
  noBounds,
  recallOptions,
  resolvePolicy,
  type PolicyDocument,
  type RecallInput,
} from '../../src/core/policy/index.js';
import { sentAtMs, tombstone } from './arbitraries.js';

const s = 1000;
const policyOf = (server: PolicyDocument, kind: 'direct' | 'group' = 'group') =>
  resolvePolicy({ server, kind, bounds: noBounds });

const sender = { userId: 'u_sender', conversationRole: 'member', serverAdmin: false } as const;
const owner = { userId: 'u_owner', conversationRole: 'owner', serverAdmin: false } as const;

const input = (over: Partial<RecallInput> & { policy: RecallInput['policy'] }): RecallInput => ({
  actor: sender,
  conversationKind: 'group',
  message: {
    senderId: 'u_sender',
    type: 'text',
    sentAtMs,
    tombstone: null,
    flagged: false,
    readByOthers: true,
  },
  reason: null,
  nowMs: sentAtMs + s,
  ...over,
});
const at = (ms: number) => sentAtMs + ms;
const iso = (ms: number) => new Date(ms).toISOString();

describe('decideRecall: order of checks', () => {
  const policy = policyOf({
    recallableTypes: ['text'],
    moderation: { roles: ['owner'], requireReason: true },
  });

  it('hides from a non-member before saying it was recalled', () => {
    const stranger = { userId: 'u_x', conversationRole: null, serverAdmin: false } as const;
    const message = { ...input({ policy }).message, tombstone };
    assert.deepEqual(decideRecall(input({ policy, actor: stranger, message })), { kind: 'hidden' });
  });

  it('answers a recalled message with its tombstone, even for someone who could not recall it', () => {
    const member = { userId: 'u_m', conversationRole: 'member', serverAdmin: false } as const;
    const message = { ...input({ policy }).message, type: 'video' as const, tombstone };
    assert.deepEqual(decideRecall(input({ policy, actor: member, message, nowMs: at(1e10) })), {
      kind: 'already_recalled',
      tombstone,
    });
  });

  it('refuses a type that is not recallable before asking about permission or reason', () => {
    const member = { userId: 'u_m', conversationRole: 'member', serverAdmin: false } as const;
    const message = { ...input({ policy }).message, type: 'video' as const };
    const decision = decideRecall(input({ policy, actor: member, message }));
    assert.deepEqual(decision, {
      kind: 'denied',
      code: 'content_type_not_recallable',
      facts: {
        windowSeconds: 0,
        sentAt: iso(sentAtMs),
        now: iso(at(s)),
        type: 'video',
        recallableTypes: ['text'],
      },
    });
  });

  it('then permission, then the reason, then the window', () => {
    const member = { userId: 'u_m', conversationRole: 'member', serverAdmin: false } as const;
    assert.equal(pick(decideRecall(input({ policy, actor: member }))), 'not_permitted');
    assert.equal(pick(decideRecall(input({ policy, actor: owner }))), 'reason_required');
    assert.equal(pick(decideRecall(input({ policy, actor: owner, reason: '  ' }))), 'reason_required');
    const ok = decideRecall(input({ policy, actor: owner, reason: 'spam' }));
    assert.deepEqual(ok, {
      kind: 'allowed',
      as: 'owner',
      basis: 'moderation',
      closesAt: at(86400 * s),
      label: 'A message was removed by an admin',
    });
    assert.equal(
      pick(decideRecall(input({ policy, actor: owner, reason: 'spam', nowMs: at(86400 * s + 1) }))),
      'recall_window_expired',
    );
  });
});

function pick(decision: ReturnType<typeof decideRecall>): string {
  return decision.kind === 'denied' ? decision.code : decision.kind;
}

describe('decideRecall: the sender', () => {
  it('includes the last millisecond of the window, and reports the facts one millisecond later', () => {
    const policy = policyOf({});
    assert.equal(decideRecall(input({ policy, nowMs: at(120 * s) })).kind, 'allowed');
    assert.deepEqual(decideRecall(input({ policy, nowMs: at(120 * s + 1) })), {
      kind: 'denied',
      code: 'recall_window_expired',
      facts: {
        windowSeconds: 120,
        sentAt: iso(sentAtMs),
        now: iso(at(120 * s + 1)),
        closesAt: iso(at(120 * s)),
        role: 'sender',
        type: 'text',
      },
    });
  });

  it('treats 0 as never and null as no limit', () => {
    assert.equal(
      pick(decideRecall(input({ policy: policyOf({ windows: { group: 0 } }), nowMs: sentAtMs }))),
      'recall_window_expired',
    );
    const open = decideRecall(input({ policy: policyOf({ windows: { group: null } }), nowMs: at(1e12) }));
    assert.deepEqual(open, {
      kind: 'allowed',
      as: 'sender',
      basis: 'unlimited',
      closesAt: null,
      label: null,
    });
  });

  it('gives a flagged message the smart window when it is longer, and only then', () => {
    const policy = policyOf({ smartWindow: { enabled: true, windowSeconds: 3600 } });
    const flagged = { ...input({ policy }).message, flagged: true };
    const d = decideRecall(input({ policy, message: flagged, nowMs: at(3600 * s) }));
    assert.deepEqual(d, {
      kind: 'allowed',
      as: 'sender',
      basis: 'smart_window',
      closesAt: at(3600 * s),
      label: null,
    });
    assert.equal(
      pick(decideRecall(input({ policy, nowMs: at(3600 * s) }))),
      'recall_window_expired',
      'not flagged',
    );
    const shorter = policyOf({
      windows: { group: 7200 },
      smartWindow: { enabled: true, windowSeconds: 3600 },
    });
    const d2 = decideRecall(input({ policy: shorter, message: flagged, nowMs: at(5000 * s) }));
    assert.equal(d2.kind === 'allowed' && d2.basis, 'window');
    const off = policyOf({ smartWindow: { enabled: false, windowSeconds: 3600 } });
    assert.equal(
      pick(decideRecall(input({ policy: off, message: flagged, nowMs: at(600 * s) }))),
      'recall_window_expired',
    );
  });

  it('lets the sender recall past the window while nobody else has read it, with untilRead', () => {
    const policy = policyOf({ untilRead: true });
    const unread = { ...input({ policy }).message, readByOthers: false };
    const d = decideRecall(input({ policy, message: unread, nowMs: at(1e9) }));
    assert.deepEqual(d, { kind: 'allowed', as: 'sender', basis: 'until_read', closesAt: null, label: null });
    assert.equal(pick(decideRecall(input({ policy, nowMs: at(1e9) }))), 'recall_window_expired');
  });

  it('answers needs_consent past the window and up to the maximum age, then recall_window_expired', () => {
    const policy = policyOf({ consent: { enabled: true, maxAgeSeconds: 86400, requestTtlSeconds: 600 } });
    const d = decideRecall(input({ policy, nowMs: at(86400 * s) }));
    assert.equal(d.kind, 'denied');
    assert.ok(d.kind === 'denied' && d.code === 'needs_consent');
    assert.equal(d.facts.consentUntil, iso(at(86400 * s)));
    assert.equal(d.facts.requestTtlSeconds, 600);
    assert.equal(d.facts.windowSeconds, 120);
    assert.equal(pick(decideRecall(input({ policy, nowMs: at(86400 * s + 1) }))), 'recall_window_expired');
    assert.equal(
      decideRecall(input({ policy, nowMs: at(60 * s) })).kind,
      'allowed',
      'inside the window: no consent',
    );
  });

  it('tries the sender’s path first, then moderation, for a sender who moderates', () => {
    const policy = policyOf({ moderation: { roles: ['owner'], windowSeconds: 3600, requireReason: true } });
    const own = input({ policy, actor: { ...owner, userId: 'u_sender' } });
    const first = decideRecall(own);
    assert.equal(first.kind === 'allowed' && first.as, 'sender');
    const late = { ...own, nowMs: at(600 * s) };
    assert.equal(pick(decideRecall(late)), 'reason_required', 'a reason would make it succeed');
    const withReason = decideRecall({ ...late, reason: 'oops' });
    assert.equal(withReason.kind === 'allowed' && withReason.as, 'owner');
    const tooLate = decideRecall({ ...late, reason: 'oops', nowMs: at(3601 * s) });
    assert.ok(tooLate.kind === 'denied' && tooLate.code === 'recall_window_expired');
    assert.equal(tooLate.facts.role, 'sender', 'both failed: the sender’s own denial');
  });
});

describe('decideRecall: others', () => {
  it('never applies moderation in a direct chat, even where both sides are owners', () => {
    const policy = policyOf({ preset: 'dingtalk' }, 'direct');
    assert.equal(
      pick(decideRecall(input({ policy, actor: owner, conversationKind: 'direct' }))),
      'not_permitted',
    );
  });

  it('lets the peer of a direct chat recall within the sender’s window with directPeerMayRecall', () => {
    const policy = policyOf({ directPeerMayRecall: true, windows: { direct: 60 } }, 'direct');
    const peer = { userId: 'u_peer', conversationRole: 'owner', serverAdmin: false } as const;
    const d = decideRecall(input({ policy, actor: peer, conversationKind: 'direct', nowMs: at(60 * s) }));
    assert.deepEqual(d, { kind: 'allowed', as: 'peer', basis: 'peer', closesAt: at(60 * s), label: null });
    const late = decideRecall(
      input({ policy, actor: peer, conversationKind: 'direct', nowMs: at(60 * s + 1) }),
    );
    assert.ok(late.kind === 'denied' && late.code === 'recall_window_expired' && late.facts.role === 'peer');
  });

  it('lets a server admin who is not a member moderate a group only when the policy names server_admin', () => {
    const root = { userId: 'u_root', conversationRole: null, serverAdmin: true } as const;
    assert.equal(pick(decideRecall(input({ policy: policyOf({}), actor: root }))), 'not_permitted');
    const d = decideRecall(input({ policy: policyOf({ preset: 'slack' }), actor: root, nowMs: at(1e12) }));
    assert.equal(d.kind === 'allowed' && d.as, 'server_admin');
  });

  it('matches roles literally: an owner is not an admin', () => {
    const policy = policyOf({ moderation: { roles: ['admin'], windowSeconds: null } });
    assert.equal(pick(decideRecall(input({ policy, actor: owner }))), 'not_permitted');
  });

  it('does not treat a sender who left as the sender', () => {
    const root = { userId: 'u_sender', conversationRole: null, serverAdmin: true } as const;
    assert.equal(pick(decideRecall(input({ policy: policyOf({}), actor: root }))), 'not_permitted');
  });
});

describe('recallOptions', () => {
  const base = (over: Partial<RecallInput> & { policy: RecallInput['policy'] }) => {
    const { reason: _reason, ...ctx } = input(over);
    return ctx;
  };

  it('gives the sender a countdown, the consent deadline and re-edit', () => {
    const policy = policyOf({ preset: 'wechat', consent: { enabled: true, maxAgeSeconds: 86400 } });
    assert.deepEqual(recallOptions(base({ policy })), {
      recall: { allowed: true, as: 'sender', basis: 'window', until: at(120 * s), reasonRequired: false },
      consent: { available: false, until: at(86400 * s) },
      reEdit: { seconds: 300 },
    });
    const later = recallOptions(base({ policy, nowMs: at(600 * s) }));
    assert.ok(later !== null && !later.recall.allowed && later.recall.code === 'needs_consent');
    assert.deepEqual(later.consent, { available: true, until: at(86400 * s) });
  });

  it('says when a moderator must give a reason', () => {
    const policy = policyOf({ moderation: { roles: ['owner'], windowSeconds: 600, requireReason: true } });
    assert.deepEqual(recallOptions(base({ policy, actor: owner }))?.recall, {
      allowed: true,
      as: 'owner',
      basis: 'moderation',
      until: at(600 * s),
      reasonRequired: true,
    });
    assert.deepEqual(recallOptions(base({ policy, actor: owner }))?.reEdit, { seconds: 0 });
  });

  it('is null when hidden, and says already_recalled after a recall', () => {
    const stranger = { userId: 'u_x', conversationRole: null, serverAdmin: false } as const;
    assert.equal(recallOptions(base({ policy: policyOf({}), actor: stranger })), null);
    const message = { ...input({ policy: policyOf({}) }).message, tombstone };
    const o = recallOptions(base({ policy: policyOf({}), message }));
    assert.ok(o !== null && !o.recall.allowed && o.recall.code === 'already_recalled');
  });
});
