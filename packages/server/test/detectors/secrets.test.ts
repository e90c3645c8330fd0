import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect, ENTROPY_THRESHOLDS, shannonEntropy } from '../../src/core/detectors/index.js';
import { check, summaryOf, type Row } from './helpers.js';

// Key-shaped fixtures are assembled from parts so that secret scanners do not trip over this file.
const b64url = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const jwt = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: '1234567890', name: 'John Doe' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
const notJwt = `${b64url({ typ: 'JWT', kid: 'k1' })}.${b64url({ sub: '1' })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV`;
const aws = 'AKIA' + 'IOSFODNN7EXAMPLE'; // AWS's documented example key id
const ghp = 'ghp' + '_' + 'R4nd0mT0k3nV4lu3sAbCdEfGhIjKlMnOpQr12';
const pat = 'github' + '_pat_' + '11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
const slack = 'xox' + 'b-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx';
const stripe = 'sk' + '_live_' + '4eC39HqLyjWDarjtT1zdp7dc';
const google = 'AI' + 'zaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY';
const openai = 'sk' + '-proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const pem = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAn5Qx7Gz1fakefakefakefakefakefakefakefake0123456789',
  'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789+/==',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const random32 = 'q8Zr3LmN0pXv7Yt2Kb9WdFs4Hj6Ge1Ac';
const randomB64 = 'kX9+2mZq/Lr8TnV4wYb7Pc1Dh5Fj3Gs0==';
const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
const gitSha = '3f2a9c1e0b8d7f6a5c4e3b2a1908f7e6d5c4b3a2';
const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('api_key', () => {
  const positives: Row[] = [
    { text: `key ${aws} ok`, want: [['api_key', aws, 'high']], why: 'AWS access key id' },
    {
      text: ('ASIA' + 'Y3K2EXAMPLE7Q5ZT').padStart(24, ' '),
      want: [['api_key', 'ASIAY3K2EXAMPLE7Q5ZT', 'high']],
    },
    { text: ghp, want: [['api_key', ghp, 'high']], why: 'GitHub classic token' },
    { text: pat, want: [['api_key', pat, 'high']], why: 'GitHub fine-grained token' },
    { text: slack, want: [['api_key', slack, 'high']], why: 'Slack bot token' },
    { text: stripe, want: [['api_key', stripe, 'high']], why: 'Stripe live key' },
    { text: google, want: [['api_key', google, 'high']], why: 'Google API key' },
    { text: `OPENAI_API_KEY=${openai}`, want: [['api_key', openai, 'high']], why: 'OpenAI-style key' },
    { text: `Bearer ${jwt}.`, want: [['api_key', jwt, 'high']], why: 'JWT, trailing full stop' },
  ];
  for (const row of positives) it(`finds ${row.why ?? row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: 'AKIAIOSFODNN7EXAMPL', want: [], why: 'AWS id one character short' },
    { text: 'AKIAiosfodnn7example', want: [], why: 'AWS id in lower case' },
    { text: 'ghp_short123', want: [], why: 'too short for a GitHub token' },
    { text: 'github_pattern_matching', want: [], why: 'ordinary identifier' },
    { text: 'sk-this-is-not-a-key-at-all-really', want: [], why: 'sk- followed by words' },
    { text: 'xoxb-just-some-words-here', want: [], why: 'Slack prefix without digits' },
    { text: 'skateboard askew AKIMBO masking', want: [], why: 'normal words' },
  ];
  for (const row of negatives) it(`ignores ${row.why ?? row.text}`, () => check(row));

  it('leaves look-alikes to the generic token detector', () => {
    // Stripe test-mode keys are not live secrets; a JWT-shaped string without "alg" is not a JWT.
    for (const text of [`sk${'_test_'}4eC39HqLyjWDarjtT1zdp7dc`, notJwt]) {
      const found = detect(text);
      assert.ok(found.length > 0, text);
      assert.ok(
        found.every((f) => f.detector === 'high_entropy_token' && f.confidence === 'medium'),
        text,
      );
    }
  });

  it('explains a JWT by its alg and masks everything', () => {
    const [f] = detect(jwt);
    assert.match(f?.reason ?? '', /"alg": "HS256"/);
    assert.equal(f?.preview, 'eyJ••••.••••.••••');
  });
});

describe('private_key', () => {
  const rows: Row[] = [
    { text: `here:\n${pem}\nthanks`, want: [['private_key', pem, 'high']] },
    {
      text: '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
      want: [
        [
          'private_key',
          '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----',
          'high',
        ],
      ],
    },
    {
      text: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTAp\n\nrest of chat',
      want: [['private_key', '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0wQTAp', 'high']],
      why: 'truncated paste without END',
    },
    {
      text: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
      want: [],
      why: 'public key: not private, and its body is not a token either',
    },
    {
      text: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUFakeCert0123456789abcdef\n-----END CERTIFICATE-----',
      want: [],
      why: 'certificate',
    },
    {
      text: '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAn5Qx7Gz1\nab==\nthanks',
      want: [['private_key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAn5Qx7Gz1\nab==', 'high']],
      why: 'truncated, ends at the first non-base64 line',
    },
    { text: 'never paste your PRIVATE KEY here', want: [] },
  ];
  for (const row of rows) it(`handles ${row.why ?? row.text.split('\n')[0]}`, () => check(row));

  it('is one finding, not also high-entropy lines inside it', () => {
    assert.deepEqual(
      detect(pem).map((f) => f.detector),
      ['private_key'],
    );
  });
});

describe('high_entropy_token', () => {
  const positives: Row[] = [
    {
      text: `token=${random32}`,
      want: [['high_entropy_token', random32, 'medium']],
      why: 'random base64url',
    },
    {
      text: `secret ${randomB64} end`,
      want: [['high_entropy_token', randomB64, 'medium']],
      why: 'base64, padded',
    },
    {
      text: `hash ${md5}`,
      want: [['high_entropy_token', md5, 'medium']],
      why: '32 hex (MD5-sized: flagged)',
    },
    {
      text: '9f86d081884c7d659a2feaa0c55ad015a3bf',
      want: [['high_entropy_token', '9f86d081884c7d659a2feaa0c55ad015a3bf', 'medium']],
    },
  ];
  for (const row of positives) it(`finds ${row.why ?? row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: `commit ${gitSha}`, want: [], why: 'git commit SHA (40 hex: decision, not flagged)' },
    { text: gitSha.toUpperCase(), want: [], why: 'upper-case 40 hex' },
    { text: `sha256 ${sha256}`, want: [], why: 'SHA-256 digest (64 hex: decision, not flagged)' },
    { text: 'request 550e8400-e29b-41d4-a716-446655440000', want: [], why: 'UUID (decision, not flagged)' },
    { text: '3F2504E0-4F89-11D3-9A0C-0305E82C3301', want: [], why: 'upper-case UUID' },
    { text: 'pneumonoultramicroscopicsilicovolcanoconiosis', want: [], why: 'long English word' },
    { text: 'internationalization2024localization', want: [], why: 'words and digits, one case' },
    { text: 'getUserProfileById2Handler', want: [], why: 'camelCase identifier' },
    { text: 'MAX_RETRY_COUNT_FOR_UPLOADS_V2', want: [], why: 'SCREAMING_SNAKE constant' },
    { text: `https://github.com/org/repo/blob/${gitSha}/src/index.ts`, want: [], why: 'path with a SHA' },
    { text: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1A', want: [], why: 'low entropy' },
    { text: 'Ab1'.repeat(10), want: [], why: 'repeating pattern, low entropy' },
    { text: 'q8Zr3LmN0pXv7Yt2Kb9WdFs', want: [], why: '23 characters, below the minimum' },
  ];
  for (const row of negatives) it(`ignores ${row.why ?? row.text}`, () => check(row));

  it('reports the measured entropy against the documented threshold', () => {
    const [f] = detect(random32);
    assert.equal(f?.preview, 'q8Zr••••••••');
    assert.ok(f?.reason.includes(shannonEntropy(random32).toFixed(2)));
    assert.ok(f?.reason.includes(`threshold ${ENTROPY_THRESHOLDS.base64}`));
  });

  it('a JWT or a GitHub token is an api_key, not also a high-entropy token', () => {
    assert.deepEqual(summaryOf(jwt), [['api_key', jwt, 'high']]);
    assert.deepEqual(summaryOf(ghp), [['api_key', ghp, 'high']]);
  });
});
