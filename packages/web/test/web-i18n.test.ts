import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { leafKeys, locales, resources, translate, detectLocale } from '../src/i18n/index.js';

describe('translations', () => {
  it('offers English and Simplified Chinese', () => {
    assert.deepEqual(
      locales.map((l) => l.code),
      ['en', 'zh-CN'],
    );
  });

  for (const ns of ['common', 'chat'] as const) {
    it(`has the same ${ns} keys in every locale`, () => {
      assert.deepEqual(leafKeys(resources['zh-CN'][ns]).sort(), leafKeys(resources.en[ns]).sort());
    });

    it(`translates every ${ns} string into Chinese (no English left)`, () => {
      const english = leafKeys(resources.en[ns]);
      for (const key of english) {
        const zh = translate('zh-CN', `${ns}:${key}`);
        // Strings that are only placeholders, numbers and punctuation need no translation.
        const words = zh.replace(/\{\{\w+\}\}/g, '');
        if (!/[A-Za-z]{2,}/.test(words) && !/[\u3400-\u9fff]/.test(words)) continue;
        assert.ok(/[\u3400-\u9fff]/.test(zh), `${ns}:${key} is not translated: ${zh}`);
      }
    });
  }

  it('interpolates and pluralises', () => {
    assert.equal(translate('en', 'chat:list.unread', { count: 1 }), '1 unread message');
    assert.equal(translate('en', 'chat:list.unread', { count: 3 }), '3 unread messages');
    assert.equal(
      translate('zh-CN', 'chat:placeholder.theyRecalled', { name: 'alice' }),
      'alice 撤回了一条消息',
    );
  });

  it('picks the locale from navigator.language', () => {
    assert.equal(detectLocale('zh-CN'), 'zh-CN');
    assert.equal(detectLocale('zh-TW'), 'zh-CN');
    assert.equal(detectLocale('en-GB'), 'en');
    assert.equal(detectLocale('fr'), 'en');
    assert.equal(detectLocale(undefined), 'en');
  });
});
