import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  documentFromForm,
  emptyForm,
  fieldForPath,
  formFromDocument,
  serverProblemsFrom,
} from '../src/admin/policy-form.js';

describe('policy form', () => {
  test('a document round-trips through the form, keeping what the form does not show', () => {
    const document = {
      preset: 'wechat',
      windows: { direct: 300, group: null, types: { file: 10800 } },
      recallableTypes: ['text', 'file'],
      moderation: { roles: ['owner'], windowSeconds: 86400, requireReason: true, label: 'Removed' },
      directPeerMayRecall: false,
      untilRead: true,
      consent: { enabled: true, maxAgeSeconds: 604800 },
      reEditSeconds: 300,
      smartWindow: { enabled: true, windowSeconds: 86400 },
      placeholder: 'none',
    };
    const form = formFromDocument(document);
    assert.equal(form.preset, 'wechat');
    assert.deepEqual(form.windowDirect, { mode: 'seconds', seconds: '300' });
    assert.deepEqual(form.windowGroup, { mode: 'unlimited', seconds: '' });
    assert.deepEqual(form.moderationRoles, ['owner']);
    assert.equal(form.requireReason, 'on');
    assert.equal(form.directPeerMayRecall, 'off');
    assert.equal(form.consentEnabled, 'on');
    const built = documentFromForm(form);
    assert.ok(built.ok);
    assert.deepEqual(built.document, document);
  });

  test('null (no own policy) is an empty form, and an empty form an empty document', () => {
    const form = formFromDocument(null);
    assert.deepEqual(form, emptyForm());
    assert.deepEqual(documentFromForm(form), { ok: true, document: {} });
  });

  test('starting from a preset sets only the preset', () => {
    assert.deepEqual(documentFromForm(emptyForm('telegram')), { ok: true, document: { preset: 'telegram' } });
  });

  test('inputs that are not whole seconds are caught before sending, per field', () => {
    const form = {
      ...emptyForm(),
      windowDirect: { mode: 'seconds' as const, seconds: '2 min' },
      moderationWindow: { mode: 'seconds' as const, seconds: '-1' },
      reEditSeconds: '90000',
    };
    const built = documentFromForm(form);
    assert.equal(built.ok, false);
    assert.deepEqual(!built.ok && built.errors, {
      windowDirect: ['policy.error.seconds'],
      moderationWindow: ['policy.error.seconds'],
      reEditSeconds: ['policy.error.reEdit'],
    });
  });

  test('an emptied role list is sent as an empty list, inherit as nothing', () => {
    const built = documentFromForm({ ...emptyForm(), moderationRoles: [] });
    assert.deepEqual(built, { ok: true, document: { moderation: { roles: [] } } });
  });
});

describe('API errors land on their fields', () => {
  test('paths map to fields, body paths included', () => {
    assert.equal(fieldForPath('/windows/direct'), 'windowDirect');
    assert.equal(fieldForPath('/document/windows/group'), 'windowGroup');
    assert.equal(fieldForPath('/moderation/roles/1'), 'moderationRoles');
    assert.equal(fieldForPath('/consent/enabled'), 'consentEnabled');
    assert.equal(fieldForPath('/preset'), 'preset');
    assert.equal(fieldForPath('/consent/maxAgeSeconds'), 'general');
    assert.equal(fieldForPath(''), 'general');
    assert.equal(fieldForPath('/windowsX'), 'general');
  });

  test('policy_out_of_bounds lists errors; invalid_request lists problems', () => {
    const bounds = serverProblemsFrom({
      code: 'policy_out_of_bounds',
      details: {
        path: '/windows/direct',
        errors: [
          { path: '/windows/direct', message: 'no limit exceeds the maximum of 1 day' },
          { path: '/preset', message: 'preset telegram sets windows.group to 48 h' },
        ],
      },
    });
    assert.ok(bounds !== null);
    assert.deepEqual(Object.keys(bounds).sort(), ['preset', 'windowDirect']);
    assert.equal(bounds.windowDirect?.[0]?.message, 'no limit exceeds the maximum of 1 day');
    const invalid = serverProblemsFrom({
      code: 'invalid_request',
      details: { in: 'body', problems: [{ path: '/document/reEditSeconds', message: 'must be integer' }] },
    });
    assert.deepEqual(invalid, {
      reEditSeconds: [{ path: '/document/reEditSeconds', message: 'must be integer' }],
    });
  });

  test('an error that lists no problems has none (it is shown by its code instead)', () => {
    assert.equal(serverProblemsFrom({ code: 'not_permitted' }), null);
    assert.equal(serverProblemsFrom({ code: 'policy_invalid', details: { errors: [] } }), null);
  });
});
