import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ConversationKind, Role } from '@retract/protocol';
import {
  decideRecall,
  noBounds,
  resolvePolicy,
  validatePolicyDocument,
  type ContentType,
  type EffectivePolicy,
  type PolicyDocument,
  type RecallInput,
} from '../../src/core/policy/index.js';
import {
  documentArb,
  kindArb,
  reasonArb,
  roleArb,
  sentAtMs,
  tenYearsMs,
  tombstone,
  typeArb,
} from './arbitraries.js';

/*
 * The documented rule (docs/policies.md, "How a decision is made"), restated as plainly as possible,
 * independently of the engine: recall is allowed iff this says so.
 */
interface Case {
  readonly kind: ConversationKind;
  readonly isSender: boolean;
  readonly role: Role | null;
  readonly serverAdmin: boolean;
  readonly type: ContentType;
  readonly flagged: boolean;
  readonly readByOthers: boolean;
  readonly recalled: boolean;
  readonly reason: string | null;
  readonly elapsedMs: number;
}

const inside = (w: number | null, elapsedMs: number) => w === null || (w !== 0 && elapsedMs <= w * 1000);

function senderWindowOf(p: EffectivePolicy, c: Case): number | null {
  const entry = p.windows.types[c.type];
  let w =
    entry !== undefined && entry[c.kind] !== undefined ? (entry[c.kind] as number | null) : p.windows[c.kind];
  if (c.flagged && p.smartWindow.enabled) {
    const s = p.smartWindow.windowSeconds;
    w = w === null || s === null ? null : Math.max(w, s);
  }
  return w;
}

function documentedRule(p: EffectivePolicy, c: Case): boolean {
  const member = c.role !== null;
  if (!member && !c.serverAdmin) return false; // hidden
  if (c.recalled) return false; // already recalled
  if (!p.recallableTypes.includes(c.type)) return false;
  const senderWindow = senderWindowOf(p, c);
  const sender = member && c.isSender;
  if (sender && inside(senderWindow, c.elapsedMs)) return true;
  if (sender && p.untilRead && !c.readByOthers) return true;
  if (c.kind === 'direct') {
    return member && !sender && p.directPeerMayRecall && inside(senderWindow, c.elapsedMs);
  }
  const roles = p.moderation.roles;
  const moderator =
    (c.role === 'owner' && roles.includes('owner')) ||
    (c.role === 'admin' && roles.includes('admin')) ||
    (c.serverAdmin && roles.includes('server_admin'));
  const reasonOk = !p.moderation.requireReason || (c.reason !== null && c.reason.trim().length > 0);
  return moderator && reasonOk && inside(p.moderation.windowSeconds, c.elapsedMs);
}

/** Consent is the answer when the sender is past every window of their own but within the maximum age. */
function documentedConsent(p: EffectivePolicy, c: Case): boolean {
  return (
    c.role !== null &&
    c.isSender &&
    !c.recalled &&
    p.recallableTypes.includes(c.type) &&
    !inside(senderWindowOf(p, c), c.elapsedMs) &&
    !(p.untilRead && !c.readByOthers) &&
    p.consent.enabled &&
    inside(p.consent.maxAgeSeconds, c.elapsedMs)
  );
}

/** Every finite window a policy mentions, so generated times land on boundaries often. */
function boundaries(p: EffectivePolicy): number[] {
  const ws = [
    p.windows.direct,
    p.windows.group,
    p.moderation.windowSeconds,
    p.consent.maxAgeSeconds,
    p.smartWindow.windowSeconds,
    ...Object.values(p.windows.types).flatMap((e) => [e?.direct, e?.group]),
  ];
  return ws.filter((w): w is number => typeof w === 'number' && w > 0);
}

const scenarioArb = fc
  .record({ server: documentArb, conversation: fc.option(documentArb, { nil: null }), kind: kindArb })
  .chain(({ server, conversation, kind }) => {
    const policy = resolvePolicy({ server, conversation, kind, bounds: noBounds });
    const edges = boundaries(policy);
    const elapsed = fc.oneof(
      fc.integer({ min: 0, max: 5 * 86400_000 }),
      fc.integer({ min: 0, max: tenYearsMs + 86400_000 }),
      ...(edges.length === 0
        ? []
        : [fc.tuple(fc.constantFrom(...edges), fc.constantFrom(-1, 0, 1)).map(([w, dt]) => w * 1000 + dt)]),
    );
    const caseArb: fc.Arbitrary<Case> = fc.record({
      kind: fc.constant(kind),
      isSender: fc.boolean(),
      role: roleArb,
      serverAdmin: fc.boolean(),
      type: typeArb,
      flagged: fc.boolean(),
      readByOthers: fc.boolean(),
      recalled: fc.boolean(),
      reason: reasonArb,
      elapsedMs: elapsed,
    });
    return fc.record({
      server: fc.constant(server),
      conversation: fc.constant(conversation),
      policy: fc.constant(policy),
      c: caseArb,
    });
  });

function inputOf(policy: EffectivePolicy, c: Case): RecallInput {
  return {
    actor: {
      userId: c.isSender ? 'u_sender' : 'u_other',
      conversationRole: c.role,
      serverAdmin: c.serverAdmin,
    },
    conversationKind: c.kind,
    message: {
      senderId: 'u_sender',
      type: c.type,
      sentAtMs,
      tombstone: c.recalled ? tombstone : null,
      flagged: c.flagged,
      readByOthers: c.readByOthers,
    },
    reason: c.reason,
    policy,
    nowMs: sentAtMs + c.elapsedMs,
  };
}

const codes = [
  'content_type_not_recallable',
  'not_permitted',
  'reason_required',
  'recall_window_expired',
  'needs_consent',
];

describe('decideRecall: properties over random valid policies', () => {
  it('the generator produces documents the validator accepts', () => {
    fc.assert(
      fc.property(documentArb, (doc: PolicyDocument) => {
        const result = validatePolicyDocument(doc);
        assert.ok(result.ok, JSON.stringify(result));
      }),
      { numRuns: 500 },
    );
  });

  it('allows exactly when the documented rule does, and explains every denial', () => {
    fc.assert(
      fc.property(scenarioArb, ({ policy, c }) => {
        const decision = decideRecall(inputOf(policy, c));
        assert.equal(decision.kind === 'allowed', documentedRule(policy, c), JSON.stringify(decision));
        if (c.role === null && !c.serverAdmin) assert.equal(decision.kind, 'hidden');
        else if (c.recalled) assert.deepEqual(decision, { kind: 'already_recalled', tombstone });
        if (decision.kind === 'denied') {
          assert.ok(codes.includes(decision.code));
          const { windowSeconds, sentAt, now } = decision.facts;
          assert.ok(windowSeconds === null || (Number.isInteger(windowSeconds) && windowSeconds >= 0));
          assert.equal(sentAt, new Date(sentAtMs).toISOString());
          assert.equal(now, new Date(sentAtMs + c.elapsedMs).toISOString());
          const moderatorWithoutReason = decision.code === 'reason_required';
          if (!moderatorWithoutReason) {
            assert.equal(decision.code === 'needs_consent', documentedConsent(policy, c), decision.code);
          }
          if (decision.code === 'needs_consent') assert.ok('consentUntil' in decision.facts);
        }
        if (decision.kind === 'allowed' && decision.closesAt !== null) {
          assert.ok(sentAtMs + c.elapsedMs <= decision.closesAt);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets a plain member recall someone else’s message, except the peer of a direct chat with directPeerMayRecall', () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), ({ policy, c }, inDirect) => {
        const kind: ConversationKind = inDirect ? 'direct' : 'group';
        const plain: Case = { ...c, kind, isSender: false, role: 'member', serverAdmin: false };
        const decision = decideRecall(inputOf(policy, plain));
        if (kind === 'group' || !policy.directPeerMayRecall) {
          assert.notEqual(decision.kind, 'allowed');
        } else if (decision.kind === 'allowed') {
          assert.equal(decision.as, 'peer');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
