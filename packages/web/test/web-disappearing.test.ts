import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { translate, type Locale } from '../src/i18n/index.js';
import { timerLength, timerPresets, timerSetting } from '../src/lib/expiry.js';

const say = (locale: Locale, seconds: number): string => {
  const p = timerLength(seconds);
  return translate(locale, p.key, p.values);
};

describe('disappearing timer lengths and settings', () => {
  it('names each preset in its largest whole unit', () => {
    assert.deepEqual(
      timerPresets.map((s) => say('en', s)),
      ['5 minutes', '1 hour', '1 day', '1 week'],
    );
    assert.deepEqual(
      timerPresets.map((s) => say('zh-CN', s)),
      ['5 分钟', '1 小时', '1 天', '1 周'],
    );
    assert.equal(say('en', 2 * 86_400), '2 days');
    assert.equal(say('en', 60), '1 minute');
  });

  it('falls back to the countdown’s units for a length set through the API', () => {
    assert.equal(say('en', 90), '1m 30s');
    assert.equal(say('en', 5), '5s');
  });

  it('says the whole setting, in both languages', () => {
    const line = (locale: Locale, mode: 'after_send' | 'after_read', seconds: number) => {
      const s = timerSetting({ mode, seconds });
      return translate(locale, s.key, { time: translate(locale, s.time.key, s.time.values) });
    };
    assert.equal(line('en', 'after_send', 86_400), '1 day after sending');
    assert.equal(line('en', 'after_read', 300), '5 minutes after reading');
    assert.equal(line('zh-CN', 'after_send', 3600), '发送后 1 小时');
  });
});
