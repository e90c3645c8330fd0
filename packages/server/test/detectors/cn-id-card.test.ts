import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect, idCheckChar } from '../../src/core/detectors/index.js';
import { check, refIdCheck, refLuhn, withIdCheck, wrongIdCheck, type Row } from './helpers.js';

const sample = '11010519491231002X'; // the published sample from GB 11643-1999
const shenzhen = withIdCheck('44030419900307123');
const leap = withIdCheck('31010120000229456');

describe('cn_id_card', () => {
  it('agrees with the independent MOD 11-2 implementation', () => {
    assert.equal(refIdCheck(sample.slice(0, 17)), 'X');
    let seed = 12345;
    const digit = () => {
      seed = (seed * 48271) % 2147483647; // MINSTD, exact in doubles
      return String(seed % 10);
    };
    for (let i = 0; i < 500; i++) {
      const first17 = Array.from({ length: 17 }, digit).join('');
      assert.equal(idCheckChar(first17), refIdCheck(first17), first17);
    }
  });

  const positives: Row[] = [
    { text: sample, want: [['cn_id_card', sample, 'high']], why: 'published sample, X check' },
    { text: `身份证号${sample}，请核对`, want: [['cn_id_card', sample, 'high']], why: 'inside Chinese text' },
    { text: sample.toLowerCase(), want: [['cn_id_card', sample.toLowerCase(), 'high']], why: 'lower-case x' },
    { text: `ID: ${shenzhen}.`, want: [['cn_id_card', shenzhen, 'high']] },
    { text: `${leap}`, want: [['cn_id_card', leap, 'high']], why: '2000-02-29 is a real date' },
    { text: '110105 19491231 002X', want: [['cn_id_card', '110105 19491231 002X', 'high']], why: '6-8-4' },
    {
      text: '旧证 110105491231002',
      want: [['cn_id_card', '110105491231002', 'medium']],
      why: '15-digit legacy',
    },
  ];
  for (const row of positives) it(`finds ${row.why ?? row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: wrongIdCheck(sample.slice(0, 17)), want: [], why: 'wrong check character' },
    { text: wrongIdCheck(shenzhen.slice(0, 17)), want: [], why: 'wrong check character (digit)' },
    { text: withIdCheck('11010519490230002'), want: [], why: 'February 30' },
    { text: withIdCheck('11010519000229002'), want: [], why: '1900-02-29 (1900 was not a leap year)' },
    { text: withIdCheck('11010518991231002'), want: [], why: 'born before 1900' },
    { text: withIdCheck('11010519491301002'), want: [], why: 'month 13' },
    { text: withIdCheck('01010519491231002'), want: [], why: 'region code starting 0' },
    { text: sample.slice(0, 17), want: [], why: '17 digits' },
    { text: `9${sample}`, want: [], why: 'inside a longer run' },
    { text: `A${sample}`, want: [], why: 'glued to a letter' },
    { text: '110105  19491231  002X', want: [], why: 'double spaces' },
    { text: '110105 19491231002X', want: [], why: 'inconsistent grouping' },
    { text: '110105491331002', want: [], why: '15-digit with month 13' },
  ];
  for (const row of negatives) it(`ignores ${row.why ?? row.text}`, () => check(row));

  it('honours currentYear for the birth-year upper bound', () => {
    const future = withIdCheck('11010520300101002');
    assert.equal(detect(future).length, 1);
    assert.deepEqual(detect(future, { currentYear: 2026 }), []);
  });

  it('keeps an ID number that also passes Luhn with a UnionPay-like 62 prefix as an ID', () => {
    let id = '';
    for (let seq = 0; seq < 1000 && !id; seq++) {
      const candidate = withIdCheck(`62010219850612${String(seq).padStart(3, '0')}`);
      if (refLuhn(candidate)) id = candidate;
    }
    assert.ok(id, 'found a Luhn-valid Gansu ID');
    assert.deepEqual(
      detect(id).map((f) => f.detector),
      ['cn_id_card'],
    );
  });

  it('masks the birth date and explains without revealing it', () => {
    const [f] = detect(sample);
    assert.equal(f?.preview, '1101••••••••••002X');
    assert.match(f?.reason ?? '', /MOD 11-2/);
    assert.doesNotMatch(f?.reason ?? '', /1949/);
  });
});
