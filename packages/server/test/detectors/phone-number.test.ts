import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect } from '../../src/core/detectors/index.js';
import { check, type Row } from './helpers.js';

describe('phone_number', () => {
  const positives: Row[] = [
    { text: '手机13812345678', want: [['phone_number', '13812345678', 'medium']] },
    { text: 'call 138 1234 5678', want: [['phone_number', '138 1234 5678', 'medium']] },
    { text: 'call 138-1234-5678.', want: [['phone_number', '138-1234-5678', 'medium']] },
    { text: '+86 139 0000 1111', want: [['phone_number', '+86 139 0000 1111', 'medium']] },
    { text: '+8619912345678', want: [['phone_number', '+8619912345678', 'medium']] },
    { text: '008615012345678', want: [['phone_number', '008615012345678', 'medium']] },
    { text: 'US +1 (415) 555-2671', want: [['phone_number', '+1 (415) 555-2671', 'medium']] },
    { text: 'UK +44 20 7946 0958, ok', want: [['phone_number', '+44 20 7946 0958', 'medium']] },
    { text: '+4915112345678', want: [['phone_number', '+4915112345678', 'medium']] },
    {
      text: '13812345678 13912345678',
      want: [
        ['phone_number', '13812345678', 'medium'],
        ['phone_number', '13912345678', 'medium'],
      ],
      why: 'a space-separated list',
    },
  ];
  for (const row of positives) it(`finds ${row.why ?? row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: '12812345678', want: [], why: 'second digit 2 is not a mobile prefix' },
    { text: '1381234567', want: [], why: '10 digits' },
    { text: '138123456789', want: [], why: '12 digits' },
    { text: 'order 98765432101', want: [], why: 'random 11-digit number not starting 1' },
    { text: 'pi 3.14159265358979', want: [], why: 'decimal' },
    { text: 'score +1234', want: [], why: 'too short for E.164' },
    { text: '+0 123 456 789', want: [], why: 'country code cannot start with 0' },
    { text: '+1234567890123456', want: [], why: '16 digits' },
    { text: '+1 415  555 2671', want: [], why: 'double separator' },
    { text: 'v13812345678x', want: [], why: 'inside an identifier' },
    { text: '13812345678-1', want: [], why: 'dash-joined to more digits' },
    { text: '2024-11-27 13:45:12', want: [], why: 'timestamp' },
  ];
  for (const row of negatives) it(`ignores ${row.why ?? row.text}`, () => check(row));

  it('masks the middle digits', () => {
    assert.equal(detect('13812345678')[0]?.preview, '138 •••• 5678');
    assert.equal(detect('+86 13812345678')[0]?.preview, '+86 138 •••• 5678');
  });
});
