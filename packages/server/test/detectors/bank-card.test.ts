import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect, luhnValid } from '../../src/core/detectors/index.js';
import { check, refLuhn, summaryOf, withLuhn, type Row } from './helpers.js';

const unionPay16 = withLuhn('621234567890123');
const unionPay19 = withLuhn('622202123456789012');
const unknownPrefix = withLuhn('990012345678901'); // MII 9, no network
const dateOrder = withLuhn('2024112700012345'); // yyyymmdd-stamped order number that happens to pass Luhn
const msTimestamp = withLuhn('173271234567'); // 13 digits starting 1, like Date.now()
const offByOne = (s: string) => s.slice(0, -1) + ((Number(s.at(-1)) + 1) % 10);

describe('bank_card', () => {
  it('uses published test numbers that really pass Luhn', () => {
    for (const n of ['4111111111111111', '5555555555554444', '378282246310005', unionPay16, unionPay19]) {
      assert.equal(refLuhn(n), true, n);
      assert.equal(luhnValid(n), true, n);
      assert.equal(luhnValid(offByOne(n)), false, n);
    }
    assert.equal(refLuhn('6212345678901237'), false, 'the brief’s guessed UnionPay example fails Luhn');
  });

  const positives: Row[] = [
    { text: '4111 1111 1111 1111', want: [['bank_card', '4111 1111 1111 1111', 'high']], why: 'Visa test' },
    { text: '4111-1111-1111-1111', want: [['bank_card', '4111-1111-1111-1111', 'high']], why: 'dashes' },
    { text: 'card 5555555555554444!', want: [['bank_card', '5555555555554444', 'high']], why: 'Mastercard' },
    { text: '378282246310005', want: [['bank_card', '378282246310005', 'high']], why: 'Amex' },
    { text: '3782 822463 10005', want: [['bank_card', '3782 822463 10005', 'high']], why: 'Amex 4-6-5' },
    {
      text: '2221000000000009',
      want: [['bank_card', '2221000000000009', 'high']],
      why: 'Mastercard 2-series',
    },
    { text: `卡号${unionPay16}`, want: [['bank_card', unionPay16, 'high']], why: 'UnionPay after Chinese' },
    { text: unionPay19, want: [['bank_card', unionPay19, 'high']], why: 'UnionPay 19 digits' },
    {
      text: 'card 4111 1111 1111 1111 123',
      want: [['bank_card', '4111 1111 1111 1111', 'high']],
      why: 'a trailing CVV-sized group is not part of the number',
    },
    { text: 'exp 4111 1111 1111 1111 12/25', want: [['bank_card', '4111 1111 1111 1111', 'high']] },
    {
      text: unknownPrefix,
      want: [['bank_card', unknownPrefix, 'medium']],
      why: 'Luhn-valid, unknown issuer',
    },
  ];
  for (const row of positives) it(`finds ${row.why ?? row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: '4111 1111 1111 1112', want: [], why: 'off-by-one digit' },
    { text: offByOne(unionPay16), want: [], why: 'off-by-one UnionPay' },
    { text: 'order 20241127000123456', want: [], why: 'order number' },
    { text: `order ${dateOrder}`, want: [], why: 'Luhn-valid order number stamped with a date' },
    { text: 'ts 1732712345678', want: [], why: 'millisecond timestamp' },
    { text: `ts ${msTimestamp}`, want: [], why: 'Luhn-valid timestamp-like number' },
    { text: '4111111111111111' + '2', want: [], why: '17 digits with Visa prefix: wrong length, no Luhn' },
    { text: '41111111111111111111', want: [], why: '20-digit run' },
    { text: '4111 1111 1111 1111 1234', want: [], why: 'a fifth 4-digit group makes it a longer run' },
    { text: '4111-1111-1111-1111-1', want: [], why: 'dash-joined extra digits' },
    { text: 'x4111111111111111', want: [], why: 'glued to a letter' },
    { text: '4111 1111-1111 1111', want: [], why: 'mixed separators' },
    { text: '0000000000000000', want: [], why: 'all zeros' },
    { text: '1'.repeat(60), want: [], why: 'long digit run' },
  ];
  for (const row of negatives) it(`ignores ${row.why ?? row.text}`, () => check(row));

  it('explains and masks', () => {
    const [f] = detect(unionPay16);
    assert.equal(f?.preview, `6212 •••• •••• ${unionPay16.slice(-4)}`);
    assert.equal(
      f?.reason,
      'valid bank card number: 16 digits, Luhn checksum passes, issuer prefix 62 (UnionPay)',
    );
    const [m] = detect(unknownPrefix);
    assert.match(m?.reason ?? '', /no known issuer prefix/);
  });

  it('is a bank card, not a phone number, even when a mobile number hides inside it', () => {
    const n = withLuhn('621381234567890'); // digits 3-13 read 13812345678
    assert.deepEqual(summaryOf(`pay to ${n}`), [['bank_card', n, 'high']]);
    const notCard = withLuhn('138123456781234'); // leading 1: no issuer, and too long for a phone
    assert.deepEqual(detect(notCard), []);
  });
});
