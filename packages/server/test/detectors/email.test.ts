import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect } from '../../src/core/detectors/index.js';
import { check, type Row } from './helpers.js';

describe('email', () => {
  const positives: Row[] = [
    { text: 'alice@example.com', want: [['email', 'alice@example.com', 'high']] },
    {
      text: 'write to bob.smith+tag@mail.example.co.uk.',
      want: [['email', 'bob.smith+tag@mail.example.co.uk', 'high']],
    },
    {
      text: '(carol_99@sub-domain.example.org)',
      want: [['email', 'carol_99@sub-domain.example.org', 'high']],
    },
    { text: '邮箱：zhang.san@qq.com，谢谢', want: [['email', 'zhang.san@qq.com', 'high']] },
    { text: 'mailto:x@y.io!', want: [['email', 'x@y.io', 'high']] },
  ];
  for (const row of positives) it(`finds ${row.text}`, () => check(row));

  const negatives: Row[] = [
    { text: 'a@b', want: [], why: 'no domain dot' },
    { text: 'user@localhost', want: [], why: 'dotless host (decision: not flagged)' },
    { text: 'user@example.c', want: [], why: 'one-letter TLD' },
    { text: 'user@192.168.0.1', want: [], why: 'IP literal, numeric TLD' },
    { text: '@example.com', want: [], why: 'no local part' },
    { text: 'see @alice.bob in the channel', want: [], why: 'mention' },
    { text: 'user@-example.com', want: [], why: 'label starting with a dash' },
    { text: 'git@github.com:org/repo.git', want: [['email', 'git@github.com', 'high']], why: 'ssh remote' },
  ];
  for (const row of negatives) it(`handles ${row.why ?? row.text}`, () => check(row));

  it('masks the local part', () => {
    assert.equal(detect('alice@example.com')[0]?.preview, 'a•••@example.com');
  });
});
