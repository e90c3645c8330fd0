import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkConversationPolicy,
  policyProblemCodes,
  validatePolicyDocument,
  type Bounds,
  type PolicyError,
} from '../../server/src/core/policy/index.js';
import { problemFromSchemaError } from '../../server/src/core/policy/document.js';
import { phrasedProblemCodes, problemText } from '../src/admin/PolicyEditor.js';
import { serverProblemsFrom, type ServerProblem } from '../src/admin/policy-form.js';
import type { AdminI18n } from '../src/admin/i18n.js';
import { i18n, resources, type Locale } from '../src/i18n/index.js';

/** The admin translator for one locale, as `useAdminI18n` builds it (a missing key comes back as itself). */
function adminI18n(locale: Locale): AdminI18n {
  const t = i18n.getFixedT(locale);
  return {
    locale,
    t: (key, vars) => (i18n.exists(`admin:${key}`, { lng: locale }) ? t(`admin:${key}`, { ...vars }) : key),
  };
}

const en = adminI18n('en');
const zh = adminI18n('zh-CN');
const cjk = /[\u4e00-\u9fff]/;

const tight: Bounds = {
  maxSenderWindowSeconds: 3600,
  maxModeratorWindowSeconds: 86400,
  allowUntilRead: false,
  allowConsent: false,
  allowDirectPeerRecall: false,
};

/** One real problem of each code, as the server's policy core builds them. */
function problemsOfEveryCode(): Map<string, PolicyError> {
  const out = new Map<string, PolicyError>();
  const add = (errors: readonly PolicyError[]) => {
    for (const error of errors) if (!out.has(error.code)) out.set(error.code, error);
  };
  const invalid = (doc: unknown) => {
    const result = validatePolicyDocument(doc);
    assert.ok(!result.ok, JSON.stringify(doc));
    add(result.errors);
  };
  invalid({ windows: { channel: 1, direct: '1', group: -1 }, placeholder: 'sometimes' });
  invalid({ reEditSeconds: 86401, moderation: { label: 'x'.repeat(101), roles: ['owner', 'owner'] } });
  invalid({ moderation: { label: '' } });
  invalid({ consent: { enabled: true, maxAgeSeconds: 0 }, smartWindow: { enabled: true, windowSeconds: 0 } });
  invalid({ recallableTypes: ['text'], windows: { types: { voice: 60 } } });
  add(
    checkConversationPolicy(
      { windows: { group: 7200 }, moderation: { windowSeconds: null }, untilRead: true },
      tight,
    ),
  );
  add(checkConversationPolicy({ preset: 'telegram' }, tight));
  add([
    problemFromSchemaError({
      keyword: 'pattern',
      instancePath: '/moderation/label',
      schemaPath: '#',
      params: {},
      message: 'must match pattern',
    }),
  ]);
  return out;
}

describe('policy problems from the server', () => {
  test('every code the server produces is phrased here, with a message in both locales', () => {
    assert.deepEqual([...phrasedProblemCodes].sort(), [...policyProblemCodes].sort());
    for (const code of phrasedProblemCodes) {
      const english = resources.en.admin.policy.problem[code];
      const chinese = resources['zh-CN'].admin.policy.problem[code];
      assert.ok(typeof english === 'string' && english.length > 0, `en: policy.problem.${code}`);
      assert.ok(typeof chinese === 'string' && cjk.test(chinese), `zh-CN: policy.problem.${code}`);
    }
  });

  test('each real problem reads in Chinese, without the server’s English, and fills every value', () => {
    const problems = problemsOfEveryCode();
    assert.deepEqual([...problems.keys()].sort(), [...policyProblemCodes].sort());
    for (const [code, problem] of problems) {
      for (const field of ['windowGroup', 'general'] as const) {
        const chinese = problemText(problem, field, zh);
        assert.match(chinese, cjk, `${code}: ${chinese}`);
        assert.ok(!chinese.includes(problem.message), `${code} is not the server's message: ${chinese}`);
        assert.doesNotMatch(chinese, /\{\{|policy\.problem/, `${code}: ${chinese}`);
        const english = problemText(problem, field, en);
        assert.doesNotMatch(english, /\{\{|policy\.problem/, `${code}: ${english}`);
      }
    }
  });

  test('values are phrased for people: durations, no limit, setting and type names, lists', () => {
    const exceeds: ServerProblem = {
      path: '/windows/direct',
      message: "999999 s exceeds the server's maximum sender window of 604800 s",
      code: 'exceeds_bound',
      params: { value: null, limit: 604800 },
    };
    assert.equal(
      problemText(exceeds, 'windowDirect', zh),
      '此服务器允许会话设置的时限最长为 7天（你设置的是 不限）。',
    );
    assert.equal(
      problemText(exceeds, 'windowDirect', en),
      'This server allows conversations at most 7 days (you chose no limit).',
    );
    const preset: ServerProblem = {
      path: '/preset',
      message: 'preset telegram sets windows.types.file.group to 10800 s, above …',
      code: 'preset_exceeds_bound',
      params: { preset: 'telegram', field: 'windows.types.file.group', value: 10800, limit: 3600 },
    };
    assert.equal(
      problemText(preset, 'preset', zh),
      '预设 telegram 将“文件的发送者时限（群聊）”设为 3小时，但此服务器最多允许 1小时。',
    );
    const feature: ServerProblem = {
      path: '/consent/enabled',
      message: 'this server does not let conversations enable consent recall',
      code: 'feature_not_allowed',
      params: { feature: 'consent.enabled' },
    };
    assert.equal(
      problemText(feature, 'consentEnabled', zh),
      '此服务器不允许会话开启“超出时限后可请求同意”。',
    );
    const type: ServerProblem = {
      path: '/windows/direct',
      message: 'must be integer or null',
      code: 'wrong_type',
      params: { types: ['integer', 'null'] },
    };
    assert.equal(problemText(type, 'windowDirect', zh), '必须是整数或不限（null）。');
    assert.equal(problemText(type, 'windowDirect', en), 'Must be a whole number or no limit (null).');
  });

  test('under "general" a problem names its setting in the user’s language, else its path', () => {
    const smart: ServerProblem = {
      path: '/document/smartWindow/windowSeconds',
      message: 'must be greater than 0 (or null) when the smart window is enabled: …',
      code: 'smart_window_zero',
      params: {},
    };
    assert.match(problemText(smart, 'general', zh), /^智能时限长度：开启智能时限时/);
    assert.match(problemText(smart, 'general', en), /^Smart window length: Must be more than 0/);
    const typed: ServerProblem = {
      path: '/windows/types/voice',
      message: 'voice is not in recallableTypes, so this window would never apply',
      code: 'type_not_recallable',
      params: { type: 'voice' },
    };
    assert.equal(
      problemText(typed, 'general', zh),
      '语音的发送者时限：“语音”不在可撤回的内容类型中，此时限永远不会生效。',
    );
    const unknown: ServerProblem = {
      path: '/windows/channel',
      message: 'unknown key',
      code: 'unknown_key',
      params: { key: 'channel' },
    };
    assert.equal(problemText(unknown, 'general', zh), '/windows/channel：未知的设置项“channel”。');
    const root: ServerProblem = {
      path: '',
      message: 'must be object',
      code: 'wrong_type',
      params: { types: ['object'] },
    };
    assert.equal(problemText(root, 'general', zh), '必须是一组设置。');
  });

  test('an unknown code, unreadable params or no code at all fall back to the server’s message', () => {
    const future: ServerProblem = {
      path: '/windows/direct',
      message: 'must be a prime number of seconds',
      code: 'not_prime',
      params: {},
    };
    assert.equal(problemText(future, 'windowDirect', zh), 'must be a prime number of seconds');
    assert.equal(problemText(future, 'general', zh), '发送者时限（单聊）：must be a prime number of seconds');
    const garbled: ServerProblem = {
      path: '/windows/direct',
      message: 'must be >= 0',
      code: 'too_small',
      params: { limit: 'zero' },
    };
    assert.equal(problemText(garbled, 'windowDirect', zh), 'must be >= 0');
    const bare: ServerProblem = { path: '/document', message: 'must be object' };
    assert.equal(problemText(bare, 'general', zh), 'must be object');
  });

  test('problems land on the field their path names; an error without a list has none', () => {
    const problems = serverProblemsFrom({
      code: 'policy_out_of_bounds',
      details: {
        errors: [
          {
            path: '/windows/direct',
            message: 'm1',
            code: 'exceeds_bound',
            params: { value: null, limit: 1 },
          },
          { path: '/preset', message: 'm2', code: 'preset_feature_not_allowed', params: {} },
          { path: '/smartWindow/windowSeconds', message: 'm3' },
          'not a problem',
        ],
      },
    });
    assert.deepEqual(problems, {
      windowDirect: [
        { path: '/windows/direct', message: 'm1', code: 'exceeds_bound', params: { value: null, limit: 1 } },
      ],
      preset: [{ path: '/preset', message: 'm2', code: 'preset_feature_not_allowed', params: {} }],
      general: [{ path: '/smartWindow/windowSeconds', message: 'm3' }],
    });
    assert.equal(serverProblemsFrom({ code: 'invalid_request' }), null);
    assert.equal(serverProblemsFrom({ code: 'policy_invalid', details: { errors: [] } }), null);
  });
});
