import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorObject } from 'ajv';
import {
  formatPolicyError,
  policyProblemCodes,
  presets,
  presetNames,
  validatePolicyDocument,
  type PolicyError,
  type PolicyProblemCode,
} from '../../src/core/policy/index.js';
import { problemFromSchemaError } from '../../src/core/policy/document.js';

const long = 'x'.repeat(101);

/** [what, document, path of the first error, words its message must contain] */
// prettier-ignore
const malformed: readonly (readonly [string, unknown, string, string])[] = [
  ['not an object', 5, '', 'must be object'],
  ['null', null, '', 'must be object'],
  ['an array', [], '', 'must be object'],
  ['unknown top-level key', { windowSeconds: 120 }, '/windowSeconds', 'unknown key'],
  ['unknown preset', { preset: 'icq' }, '/preset', 'must be one of: wechat'],
  ['preset of the wrong type', { preset: 3 }, '/preset', 'must be string'],
  ['negative window', { windows: { direct: -1 } }, '/windows/direct', 'must be >= 0'],
  ['fractional window', { windows: { group: 1.5 } }, '/windows/group', 'must be integer or null'],
  ['window as a string', { windows: { direct: '120' } }, '/windows/direct', 'must be integer or null'],
  ['window too long', { windows: { direct: 10 * 365 * 86400 + 1 } }, '/windows/direct', 'use null for no limit'],
  ['unknown key in windows', { windows: { channel: 1 } }, '/windows/channel', 'unknown key'],
  ['unknown content type', { windows: { types: { gif: 60 } } }, '/windows/types/gif', 'unknown key'],
  ['negative per-type window', { windows: { types: { file: -5 } } }, '/windows/types/file', 'must be >= 0'],
  ['per-type window of the wrong type', { windows: { types: { file: 'long' } } }, '/windows/types/file', 'must be integer, null or object'],
  ['per-type per-kind negative', { windows: { types: { voice: { group: -1 } } } }, '/windows/types/voice/group', 'must be >= 0'],
  ['per-type unknown kind', { windows: { types: { voice: { channel: 5 } } } }, '/windows/types/voice/channel', 'unknown key'],
  ['recallableTypes not an array', { recallableTypes: 'text' }, '/recallableTypes', 'must be array'],
  ['unknown recallable type', { recallableTypes: ['text', 'sticker'] }, '/recallableTypes/1', 'must be one of: text'],
  ['duplicate recallable type', { recallableTypes: ['text', 'text'] }, '/recallableTypes', 'twice'],
  ['unknown moderator role', { moderation: { roles: ['member'] } }, '/moderation/roles/0', 'must be one of: owner, admin, server_admin'],
  ['moderation window of the wrong type', { moderation: { windowSeconds: 'a' } }, '/moderation/windowSeconds', 'must be integer or null'],
  ['negative moderation window', { moderation: { windowSeconds: -60 } }, '/moderation/windowSeconds', 'must be >= 0'],
  ['requireReason not boolean', { moderation: { requireReason: 'yes' } }, '/moderation/requireReason', 'must be boolean'],
  ['label too long', { moderation: { label: long } }, '/moderation/label', 'at most 100 characters'],
  ['empty label', { moderation: { label: '' } }, '/moderation/label', 'must not be empty'],
  ['unknown key in moderation', { moderation: { roles: [], who: 'x' } }, '/moderation/who', 'unknown key'],
  ['directPeerMayRecall not boolean', { directPeerMayRecall: 1 }, '/directPeerMayRecall', 'must be boolean'],
  ['untilRead not boolean', { untilRead: 'true' }, '/untilRead', 'must be boolean'],
  ['consent ttl zero', { consent: { requestTtlSeconds: 0 } }, '/consent/requestTtlSeconds', 'must be >= 1'],
  ['consent maxAge negative', { consent: { maxAgeSeconds: -1 } }, '/consent/maxAgeSeconds', 'must be >= 0'],
  ['consent enabled with maxAge 0', { consent: { enabled: true, maxAgeSeconds: 0 } }, '/consent/maxAgeSeconds', 'when consent is enabled'],
  ['reEditSeconds negative', { reEditSeconds: -1 }, '/reEditSeconds', 'must be >= 0'],
  ['reEditSeconds null', { reEditSeconds: null }, '/reEditSeconds', 'must be integer'],
  ['smart window of the wrong type', { smartWindow: { windowSeconds: true } }, '/smartWindow/windowSeconds', 'must be integer or null'],
  ['smart window enabled with 0', { smartWindow: { enabled: true, windowSeconds: 0 } }, '/smartWindow/windowSeconds', 'when the smart window is enabled'],
  ['unknown placeholder', { placeholder: 'sometimes' }, '/placeholder', 'must be one of: always, none'],
  ['window for a type that is not recallable', { recallableTypes: ['text'], windows: { types: { file: 60 } } }, '/windows/types/file', 'not in recallableTypes'],
];

describe('validatePolicyDocument', () => {
  for (const [what, doc, path, words] of malformed) {
    it(`rejects ${what} at ${path || '(root)'}`, () => {
      const result = validatePolicyDocument(doc);
      assert.equal(result.ok, false);
      if (result.ok) return;
      const first = result.errors[0];
      assert.ok(first !== undefined);
      assert.equal(first.path, path);
      assert.ok(first.message.includes(words), `${formatPolicyError(first)} should mention "${words}"`);
    });
  }

  it('reports the first error and all the others, in a stable order', () => {
    const result = validatePolicyDocument({
      extra: true,
      windows: { direct: -1, types: { file: { group: 'x' } } },
      moderation: { windowSeconds: 'a', label: long },
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(
      result.errors.map((e) => e.path),
      [
        '/extra',
        '/windows/direct',
        '/windows/types/file/group',
        '/moderation/windowSeconds',
        '/moderation/label',
      ],
    );
    assert.equal(formatPolicyError(result.errors[3]!), '/moderation/windowSeconds: must be integer or null');
  });

  it('accepts the empty document, each preset by name, and a full document', () => {
    assert.deepEqual(validatePolicyDocument({}), { ok: true, policy: {} });
    for (const preset of presetNames) assert.equal(validatePolicyDocument({ preset }).ok, true);
    const full = {
      preset: 'wechat',
      windows: { direct: 300, group: 120, types: { file: 10800, voice: { direct: null, group: 600 } } },
      recallableTypes: ['text', 'image', 'file', 'voice'],
      moderation: {
        roles: ['owner', 'server_admin'],
        windowSeconds: null,
        requireReason: true,
        label: 'Removed',
      },
      directPeerMayRecall: false,
      untilRead: true,
      consent: { enabled: true, maxAgeSeconds: 604800, requestTtlSeconds: 86400 },
      reEditSeconds: 300,
      smartWindow: { enabled: true, windowSeconds: 86400 },
      placeholder: 'always',
    };
    const result = validatePolicyDocument(full);
    assert.deepEqual(result, { ok: true, policy: full });
    assert.ok(result.ok && Object.isFrozen(result.policy) && Object.isFrozen(result.policy.windows));
  });

  it('accepts requireReason with no moderator roles (nobody moderates; nothing contradicts)', () => {
    assert.equal(validatePolicyDocument({ moderation: { roles: [], requireReason: true } }).ok, true);
  });

  it('does not modify its input', () => {
    const input = { windows: { direct: 60 } };
    const result = validatePolicyDocument(input);
    assert.ok(result.ok && result.policy !== input);
    assert.equal(Object.isFrozen(input), false);
  });

  it('ships presets that are themselves valid documents when written out', () => {
    for (const name of presetNames) {
      const { preset: _preset, ...rest } = presets[name];
      const result = validatePolicyDocument(JSON.parse(JSON.stringify(rest)));
      assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
    }
  });
});

/** [what, document, the first problem's path, code and params] */
// prettier-ignore
const coded: readonly (readonly [string, unknown, string, PolicyProblemCode, unknown])[] = [
  ['unknown key', { windows: { channel: 1 } }, '/windows/channel', 'unknown_key', { key: 'channel' }],
  ['not an object', 5, '', 'wrong_type', { types: ['object'] }],
  ['window of the wrong type', { windows: { direct: '120' } }, '/windows/direct', 'wrong_type', { types: ['integer', 'null'] }],
  ['per-type window of the wrong type', { windows: { types: { file: 'long' } } }, '/windows/types/file', 'wrong_type', { types: ['integer', 'null', 'object'] }],
  ['unknown placeholder', { placeholder: 'sometimes' }, '/placeholder', 'not_one_of', { allowed: ['always', 'none'] }],
  ['unknown moderator role', { moderation: { roles: ['member'] } }, '/moderation/roles/0', 'not_one_of', { allowed: ['owner', 'admin', 'server_admin'] }],
  ['negative window', { windows: { group: -1 } }, '/windows/group', 'too_small', { limit: 0 }],
  ['consent ttl zero', { consent: { requestTtlSeconds: 0 } }, '/consent/requestTtlSeconds', 'too_small', { limit: 1 }],
  ['window above ten years', { windows: { direct: 10 * 365 * 86400 + 1 } }, '/windows/direct', 'too_large', { limit: 10 * 365 * 86400 }],
  ['re-edit above a day', { reEditSeconds: 86401 }, '/reEditSeconds', 'too_large', { limit: 86400 }],
  ['label too long', { moderation: { label: long } }, '/moderation/label', 'too_long', { limit: 100 }],
  ['empty label', { moderation: { label: '' } }, '/moderation/label', 'empty', {}],
  ['duplicate role', { moderation: { roles: ['owner', 'owner'] } }, '/moderation/roles', 'duplicate', {}],
  ['consent enabled with maxAge 0', { consent: { enabled: true, maxAgeSeconds: 0 } }, '/consent/maxAgeSeconds', 'consent_max_age_zero', {}],
  ['smart window enabled with 0', { smartWindow: { enabled: true, windowSeconds: 0 } }, '/smartWindow/windowSeconds', 'smart_window_zero', {}],
  ['window for a type that is not recallable', { recallableTypes: ['text'], windows: { types: { voice: 60 } } }, '/windows/types/voice', 'type_not_recallable', { type: 'voice' }],
];

/** Checked in resolve.test.ts: what only the bounds produce. */
const boundsCodes: readonly PolicyProblemCode[] = [
  'exceeds_bound',
  'preset_exceeds_bound',
  'moderator_window_exceeds',
  'feature_not_allowed',
  'preset_feature_not_allowed',
];

describe('policy problem codes', () => {
  for (const [what, doc, path, code, params] of coded) {
    it(`gives ${what} the code ${code}`, () => {
      const result = validatePolicyDocument(doc);
      assert.equal(result.ok, false);
      if (result.ok) return;
      const first = result.errors[0];
      assert.ok(first !== undefined);
      assert.deepEqual({ path: first.path, code: first.code, params: first.params }, { path, code, params });
    });
  }

  it('gives every problem a code, params and the English message', () => {
    const result = validatePolicyDocument({
      extra: true,
      windows: { direct: -1, types: { file: { group: 'x' } } },
      moderation: { windowSeconds: 'a', label: long },
    });
    assert.ok(!result.ok);
    for (const error of result.errors) {
      assert.ok(policyProblemCodes.includes(error.code), error.code);
      assert.equal(typeof error.params, 'object');
      assert.ok(error.message.length > 0);
    }
    assert.deepEqual(result.errors[3], {
      path: '/moderation/windowSeconds',
      message: 'must be integer or null',
      code: 'wrong_type',
      params: { types: ['integer', 'null'] },
    } satisfies PolicyError);
  });

  it('falls back to invalid, with the schema rule, for a rule it does not phrase', () => {
    const error: ErrorObject = {
      keyword: 'pattern',
      instancePath: '/moderation/label',
      schemaPath: '#/properties/moderation/properties/label/pattern',
      params: { pattern: '^x' },
      message: 'must match pattern "^x"',
    };
    assert.deepEqual(problemFromSchemaError(error), {
      path: '/moderation/label',
      message: 'must match pattern "^x"',
      code: 'invalid',
      params: { keyword: 'pattern' },
    });
  });

  it('asserts every code here or, for the bounds, in resolve.test.ts', () => {
    const asserted = new Set<string>([...coded.map((c) => c[3]), 'invalid', ...boundsCodes]);
    assert.deepEqual([...asserted].sort(), [...policyProblemCodes].sort());
  });
});
