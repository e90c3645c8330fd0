import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect } from '../../src/core/detectors/index.js';
import { check, type Row } from './helpers.js';

describe('password', () => {
  const positives: Row[] = [
    { text: 'password: hunter2', want: [['password', 'hunter2', 'high']] },
    { text: 'Password:Tr0ub4dor&3', want: [['password', 'Tr0ub4dor&3', 'high']] },
    { text: 'the wifi password is CoffeeShop42.', want: [['password', 'CoffeeShop42', 'high']] },
    { text: 'pwd=swordfish', want: [['password', 'swordfish', 'medium']], why: 'tight assignment' },
    { text: 'passwd = "correct horse"', want: [['password', 'correct horse', 'high']], why: 'quoted' },
    { text: 'passcode is 4821', want: [['password', '4821', 'high']] },
    { text: 'PIN: 1234', want: [['password', '1234', 'high']] },
    { text: 'passphrase was: S3cret!', want: [['password', 'S3cret!', 'high']] },
    { text: '密码：abc123', want: [['password', 'abc123', 'high']] },
    { text: '服务器密码是 Qwerty!2024。', want: [['password', 'Qwerty!2024', 'high']] },
    { text: '口令 xyz789', want: [['password', 'xyz789', 'high']] },
    { text: '密碼:letmein', want: [['password', 'letmein', 'high']], why: 'traditional characters' },
  ];
  for (const row of positives) it(`finds ${row.why ?? row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: 'I forgot my password yesterday', want: [] },
    { text: 'my password is incorrect', want: [] },
    { text: 'reset your password: click the link', want: [] },
    { text: 'password: ********', want: [], why: 'already masked' },
    { text: 'password: ${DB_PASSWORD}', want: [], why: 'placeholder' },
    { text: 'pwd: /home/alice', want: [], why: 'shell pwd output' },
    { text: 'passwords are hard', want: [] },
    { text: 'spin: 1234', want: [], why: 'cue inside a word' },
    { text: 'PIN: 12', want: [], why: 'PIN too short' },
    { text: '密码忘了', want: [] },
    { text: '密码是什么？', want: [] },
    { text: '请输入密码', want: [] },
  ];
  for (const row of negatives) it(`ignores ${row.why ?? row.text}`, () => check(row));

  it('reports only the token and never shows it', () => {
    const [f] = detect('password: hunter2');
    assert.equal(f?.preview, '••••••••');
    assert.equal(f?.reason, 'follows the password cue "password:" and the token mixes letters and digits');
  });
});
