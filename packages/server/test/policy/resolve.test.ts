import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkConversationPolicy,
  contentTypes,
  defaultPolicy,
  noBounds,
  presets,
  resolvePolicy,
  senderWindow,
  type Bounds,
  type Window,
} from '../../src/core/policy/index.js';
import { boundsArb, documentArb, kindArb } from './arbitraries.js';

const tight: Bounds = {
  maxSenderWindowSeconds: 3600,
  maxModeratorWindowSeconds: 86400,
  allowUntilRead: false,
  allowConsent: false,
  allowDirectPeerRecall: false,
};

const exceeds = (value: Window, max: Window) => max !== null && (value === null || value > max);

describe('resolvePolicy: scopes', () => {
  it('means today’s behaviour for an empty document', () => {
    const policy = resolvePolicy({ server: {}, kind: 'group', bounds: noBounds });
    assert.deepEqual(policy, defaultPolicy);
    assert.equal(policy.windows.group, 120);
    assert.deepEqual(policy.moderation.roles, []);
    assert.ok(Object.isFrozen(policy) && Object.isFrozen(policy.moderation));
  });

  it('starts each layer from its preset, then applies its fields', () => {
    const policy = resolvePolicy({
      server: { preset: 'wechat', windows: { direct: 300 } },
      kind: 'direct',
      bounds: noBounds,
    });
    assert.equal(policy.preset, 'wechat');
    assert.equal(policy.windows.direct, 300);
    assert.equal(policy.windows.group, 120);
    assert.equal(senderWindow(policy, 'direct', 'file'), 3 * 3600, 'the per-type entry still beats the kind');
  });

  it('goes server → kind → conversation, later layers winning field by field', () => {
    const scopes = {
      server: { preset: 'dingtalk', untilRead: true, moderation: { requireReason: true } },
      kinds: { group: { windows: { group: 600 }, moderation: { label: 'Removed by the owner' } } },
      bounds: noBounds,
    } as const;
    const group = resolvePolicy({
      ...scopes,
      kind: 'group',
      conversation: { moderation: { windowSeconds: 3600 } },
    });
    assert.equal(group.windows.group, 600);
    assert.equal(group.untilRead, true);
    assert.deepEqual(group.moderation, {
      roles: ['owner'],
      windowSeconds: 3600,
      requireReason: true,
      label: 'Removed by the owner',
    });
    const direct = resolvePolicy({ ...scopes, kind: 'direct' });
    assert.equal(
      direct.moderation.label,
      presets.dingtalk.moderation.label,
      'the group layer does not apply',
    );
  });

  it('lets a later preset replace everything before it', () => {
    const policy = resolvePolicy({
      server: { preset: 'wechat', untilRead: true },
      conversation: { preset: 'matrix' },
      kind: 'group',
      bounds: noBounds,
    });
    assert.deepEqual(policy, presets.matrix);
  });

  it('merges per-type entries per kind, and a bare number sets both kinds', () => {
    const policy = resolvePolicy({
      server: { preset: 'wechat', windows: { types: { file: { direct: 60 }, image: 30 } } },
      kind: 'group',
      bounds: noBounds,
    });
    assert.deepEqual(policy.windows.types.file, { direct: 60, group: 3 * 3600 });
    assert.deepEqual(policy.windows.types.image, { direct: 30, group: 30 });
  });

  it('treats null as a value (no limit), not as "not set"', () => {
    const policy = resolvePolicy({
      server: { preset: 'wechat', windows: { group: null } },
      kind: 'group',
      bounds: noBounds,
    });
    assert.equal(policy.windows.group, null);
  });
});

describe('bounds', () => {
  it('refuses an owner’s policy that exceeds them, with paths', () => {
    const errors = checkConversationPolicy(
      {
        windows: { direct: null, group: 7200, types: { file: { group: 86400 }, voice: 60 } },
        moderation: { windowSeconds: null },
        untilRead: true,
        consent: { enabled: true },
        directPeerMayRecall: true,
        smartWindow: { windowSeconds: 86400 },
      },
      tight,
    );
    assert.deepEqual(
      errors.map((e) => e.path),
      [
        '/windows/direct',
        '/windows/group',
        '/windows/types/file/group',
        '/smartWindow/windowSeconds',
        '/moderation/windowSeconds',
        '/untilRead',
        '/consent/enabled',
        '/directPeerMayRecall',
      ],
    );
    assert.match(errors[0]!.message, /no limit exceeds the server's maximum sender window of 3600 s/);
  });

  it('counts a preset’s values as set by the owner, reported at /preset', () => {
    const errors = checkConversationPolicy({ preset: 'telegram' }, tight);
    assert.ok(errors.length > 0);
    assert.ok(errors.every((e) => e.path === '/preset'));
    assert.ok(errors.some((e) => e.message.includes('windows.direct')));
    assert.ok(errors.some((e) => e.message.includes('recall by the other side')));
    // Overriding what is out of bounds makes the same preset acceptable.
    assert.deepEqual(
      checkConversationPolicy(
        {
          preset: 'telegram',
          windows: { direct: 3600, group: 3600 },
          moderation: { windowSeconds: 600 },
          directPeerMayRecall: false,
        },
        tight,
      ),
      [],
    );
  });

  it('gives each violation a code and the values its message names', () => {
    const own = checkConversationPolicy(
      {
        windows: { direct: null, group: 7200, types: { file: { group: 86400 } } },
        moderation: { windowSeconds: null },
        untilRead: true,
        consent: { enabled: true },
        directPeerMayRecall: true,
      },
      tight,
    );
    assert.deepEqual(
      own.map(({ path, code, params }) => ({ path, code, params })),
      [
        { path: '/windows/direct', code: 'exceeds_bound', params: { value: null, limit: 3600 } },
        { path: '/windows/group', code: 'exceeds_bound', params: { value: 7200, limit: 3600 } },
        { path: '/windows/types/file/group', code: 'exceeds_bound', params: { value: 86400, limit: 3600 } },
        {
          path: '/moderation/windowSeconds',
          code: 'moderator_window_exceeds',
          params: { value: null, limit: 86400 },
        },
        { path: '/untilRead', code: 'feature_not_allowed', params: { feature: 'untilRead' } },
        { path: '/consent/enabled', code: 'feature_not_allowed', params: { feature: 'consent.enabled' } },
        {
          path: '/directPeerMayRecall',
          code: 'feature_not_allowed',
          params: { feature: 'directPeerMayRecall' },
        },
      ],
    );
    assert.equal(own[0]!.message, "no limit exceeds the server's maximum sender window of 3600 s");

    const fromPreset = checkConversationPolicy({ preset: 'telegram' }, tight);
    assert.deepEqual(
      fromPreset.map(({ path, code, params }) => ({ path, code, params })),
      [
        {
          path: '/preset',
          code: 'preset_exceeds_bound',
          params: { preset: 'telegram', field: 'windows.direct', value: null, limit: 3600 },
        },
        {
          path: '/preset',
          code: 'preset_exceeds_bound',
          params: { preset: 'telegram', field: 'windows.group', value: 172800, limit: 3600 },
        },
        {
          path: '/preset',
          code: 'preset_exceeds_bound',
          params: { preset: 'telegram', field: 'moderation.windowSeconds', value: null, limit: 86400 },
        },
        {
          path: '/preset',
          code: 'preset_feature_not_allowed',
          params: { preset: 'telegram', feature: 'directPeerMayRecall' },
        },
      ],
    );
    assert.match(fromPreset[3]!.message, /^preset telegram enables recall by the other side/);
  });

  it('accepts what stays within them, and everything under noBounds', () => {
    assert.deepEqual(
      checkConversationPolicy({ windows: { direct: 3600, group: 0 }, untilRead: false }, tight),
      [],
    );
    assert.deepEqual(
      checkConversationPolicy({ preset: 'matrix', untilRead: true, consent: { enabled: true } }, noBounds),
      [],
    );
  });

  it('clamps defensively what the conversation changes, and leaves the operator’s values alone', () => {
    const policy = resolvePolicy({
      server: { preset: 'whatsapp' },
      conversation: { windows: { group: null }, moderation: { windowSeconds: null }, untilRead: true },
      kind: 'group',
      bounds: tight,
    });
    assert.equal(policy.windows.group, 3600);
    assert.equal(policy.windows.direct, 60 * 3600, 'not touched by the conversation: the operator’s value');
    assert.equal(policy.moderation.windowSeconds, 86400);
    assert.equal(policy.untilRead, false);
  });

  it('property: a policy within bounds resolves as if there were none', () => {
    fc.assert(
      fc.property(documentArb, documentArb, kindArb, boundsArb, (server, conversation, kind, bounds) => {
        fc.pre(checkConversationPolicy(conversation, bounds).length === 0);
        assert.deepEqual(
          resolvePolicy({ server, conversation, kind, bounds }),
          resolvePolicy({ server, conversation, kind, bounds: noBounds }),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('property: whatever the conversation sets, what it changed stays within bounds', () => {
    fc.assert(
      fc.property(documentArb, documentArb, kindArb, boundsArb, (server, conversation, kind, bounds) => {
        const inherited = resolvePolicy({ server, kind, bounds: noBounds });
        const policy = resolvePolicy({ server, conversation, kind, bounds });
        for (const k of ['direct', 'group'] as const) {
          for (const t of contentTypes) {
            const w = senderWindow(policy, k, t);
            assert.ok(
              w === senderWindow(inherited, k, t) || !exceeds(w, bounds.maxSenderWindowSeconds),
              `${k} ${t}: ${w}`,
            );
          }
        }
        if (policy.moderation.roles.length > 0) {
          const w = policy.moderation.windowSeconds;
          assert.ok(
            w === inherited.moderation.windowSeconds || !exceeds(w, bounds.maxModeratorWindowSeconds),
          );
        }
        if (policy.smartWindow.enabled) {
          const w = policy.smartWindow.windowSeconds;
          assert.ok(w === inherited.smartWindow.windowSeconds || !exceeds(w, bounds.maxSenderWindowSeconds));
        }
        assert.ok(!policy.untilRead || inherited.untilRead || bounds.allowUntilRead);
        assert.ok(!policy.consent.enabled || inherited.consent.enabled || bounds.allowConsent);
        assert.ok(
          !policy.directPeerMayRecall || inherited.directPeerMayRecall || bounds.allowDirectPeerRecall,
        );
      }),
      { numRuns: 1000 },
    );
  });
});
