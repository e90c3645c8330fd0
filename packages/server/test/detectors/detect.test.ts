import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DETECTOR_NAMES, DETECTORS, detect, summarize } from '../../src/core/detectors/index.js';
import { summaryOf, withLuhn } from './helpers.js';

const aws = 'AKIA' + 'IOSFODNN7EXAMPLE';
const id = '11010519491231002X';

describe('detect: overlaps, options, offsets', () => {
  it('keeps the more specific finding when spans overlap', () => {
    assert.deepEqual(summaryOf('13812345678@163.com'), [['email', '13812345678@163.com', 'high']]);
    assert.deepEqual(summaryOf(`password: ${aws}`), [['api_key', aws, 'high']]);
    const card = withLuhn('621381234567890');
    assert.deepEqual(summaryOf(card), [['bank_card', card, 'high']]);
  });

  it('finds several kinds in one message, sorted by position', () => {
    const text = `身份证${id}，手机 138 1234 5678，邮箱 a.b@example.com，卡号 4111 1111 1111 1111，密码：Abc12345`;
    assert.deepEqual(summaryOf(text), [
      ['cn_id_card', id, 'high'],
      ['phone_number', '138 1234 5678', 'medium'],
      ['email', 'a.b@example.com', 'high'],
      ['bank_card', '4111 1111 1111 1111', 'high'],
      ['password', 'Abc12345', 'high'],
    ]);
  });

  it('uses UTF-16 offsets (emoji and CJK before the match)', () => {
    const text = `😀😀 邮箱 x@example.org`;
    const [f] = detect(text);
    assert.equal(text.slice(f?.start, f?.end), 'x@example.org');
    assert.equal(f?.start, 8);
  });

  it('filters by detector without changing what a span is', () => {
    const text = `13812345678@163.com ${id}`;
    assert.deepEqual(summaryOf(text, { detectors: ['phone_number'] }), []);
    assert.deepEqual(summaryOf(text, { detectors: ['cn_id_card'] }), [['cn_id_card', id, 'high']]);
    assert.deepEqual(summaryOf('plain text', { detectors: [] }), []);
  });

  it('returns nothing for ordinary chat', () => {
    for (const text of [
      '',
      'See you at 7:30 tomorrow, room 1204.',
      '明天下午三点开会，地点 3 号会议室。',
      'The build #48213 failed on commit 3f2a9c1; re-running.',
      'I forgot my password yesterday 🙈',
      'Order 2024-11-27 / total ¥1,299.00 / qty 3',
    ]) {
      assert.deepEqual(detect(text), [], text);
    }
  });
});

describe('summarize', () => {
  it('says nothing was found', () => {
    assert.equal(summarize([]), 'Nothing sensitive found.');
  });

  it('names one thing', () => {
    assert.equal(summarize(detect(id)), 'This message looks like it contains an ID card number.');
  });

  it('lists kinds in a fixed order with counts', () => {
    const text = `${id} 13812345678 13912345678 a@example.com`;
    assert.equal(
      summarize(detect(text)),
      'This message looks like it contains an ID card number, an e-mail address, and two phone numbers.',
    );
    assert.equal(
      summarize(detect('4111 1111 1111 1111 and AKIAIOSFODNN7EXAMPLE')),
      'This message looks like it contains an API key or token and a bank card number.',
    );
  });

  it('hedges when every finding is medium confidence', () => {
    assert.equal(summarize(detect('call 13812345678')), 'This message may contain a phone number.');
  });
});

describe('documentation', () => {
  it('describes every detector', () => {
    assert.deepEqual(Object.keys(DETECTORS).sort(), [...DETECTOR_NAMES].sort());
    for (const name of DETECTOR_NAMES) {
      const info = DETECTORS[name];
      assert.ok(info.description.length > 20, name);
      assert.equal(info.label.length, 2, name);
    }
  });

  it('docs/detectors.md has a section for every detector', () => {
    const doc = readFileSync(new URL('../../../../docs/detectors.md', import.meta.url), 'utf8');
    for (const name of DETECTOR_NAMES) assert.match(doc, new RegExp(`^### \`${name}\``, 'm'), name);
  });
});
