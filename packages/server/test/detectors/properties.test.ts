import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DETECTOR_NAMES, detect, type Finding } from '../../src/core/detectors/index.js';

function assertWellFormed(text: string, found: readonly Finding[]): void {
  let last = 0;
  for (const f of found) {
    assert.ok(DETECTOR_NAMES.includes(f.detector));
    assert.ok(Number.isInteger(f.start) && Number.isInteger(f.end));
    assert.ok(f.start >= last, 'sorted and non-overlapping');
    assert.ok(f.end > f.start && f.end <= text.length, 'in bounds');
    assert.ok(f.preview.includes('•'), 'preview is masked');
    assert.ok(f.reason.length > 0);
    assert.ok(f.confidence === 'high' || f.confidence === 'medium');
    last = f.end;
  }
}

// Fragments that exercise every detector, glued with arbitrary text.
const fragments = [
  '11010519491231002X',
  '4111 1111 1111 1111',
  '378282246310005',
  '13812345678',
  '+86 ',
  '+44 20 7946 0958',
  'a.b@example.com',
  '@',
  '.',
  '-',
  ' ',
  '\n',
  'password: ',
  '密码：',
  'pwd=',
  'AKIAIOSFODNN7EXAMPLE',
  'ghp_',
  'eyJhbGciOiJIUzI1NiJ9',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  'q8Zr3LmN0pXv7Yt2Kb9WdFs4Hj6Ge1Ac',
  '😀',
  '身份证',
  '"',
];
const chatty = fc
  .array(
    fc.oneof(
      fc.constantFrom(...fragments),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
    {
      maxLength: 30,
    },
  )
  .map((parts) => parts.join(''));
const digitsAndSeparators = fc.string({ unit: fc.constantFrom(...'0123456789 -+X@.'), maxLength: 80 });

describe('detect properties', () => {
  it('never throws and returns in-bounds, sorted, non-overlapping, masked findings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.string({ unit: 'grapheme' }),
          chatty,
          digitsAndSeparators,
        ),
        (text) => {
          assertWellFormed(text, detect(text));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('filtering by detector is exactly a filter of the full result', () => {
    fc.assert(
      fc.property(chatty, fc.subarray([...DETECTOR_NAMES]), (text, names) => {
        assert.deepEqual(
          detect(text, { detectors: names }),
          detect(text).filter((f) => names.includes(f.detector)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('is stable under a prefix: findings shift with the text', () => {
    fc.assert(
      fc.property(chatty, (text) => {
        const shifted = detect(`.. ${text}`).map((f) => ({ ...f, start: f.start - 3, end: f.end - 3 }));
        assert.deepEqual(
          shifted,
          detect(` ${text}`).map((f) => ({ ...f, start: f.start - 1, end: f.end - 1 })),
        );
      }),
      { numRuns: 300 },
    );
  });

  // No wall-clock assertion: the point is that these complete (catastrophic backtracking would hang here).
  const K64 = 64 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(K64 / unit.length)).slice(0, K64);
  const adversarial: Record<string, string> = {
    digits: fill('1'),
    letters: fill('a'),
    'at signs': fill('@'),
    'a@': fill('a@'),
    'a.': fill('a.'),
    'local@label.': 'x@' + fill('a.'),
    'long local part': fill('a') + '@example.com',
    'card groups': fill('4111 '),
    'card dashes': fill('4111-'),
    'id groups': fill('110105 '),
    'phone-ish': fill('+8613 '),
    'plus digits': fill('+1 '),
    'password cues': fill('password: '),
    'chinese cues': fill('密码'),
    quotes: 'password: "' + fill('a'),
    'JWT prefix': fill('eyJ'),
    'JWT dots': fill('eyJabcde.'),
    'BEGIN headers': fill('-----BEGIN RSA PRIVATE KEY-----\n'),
    'BEGIN without END': '-----BEGIN RSA PRIVATE KEY-----\n' + fill('QUJD\n'),
    'public BEGINs': fill('-----BEGIN CERTIFICATE-----\n'),
    base64: fill('Ab3+'),
    hex: fill('0f'),
    slashes: fill('ab/'),
    emoji: fill('😀'),
    'sk-': fill('sk-'),
    'xoxb-': fill('xoxb-1'),
  };
  for (const [name, text] of Object.entries(adversarial)) {
    it(`completes on 64 KiB of ${name}`, () => {
      assertWellFormed(text, detect(text));
    });
  }
});
