import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { stats } from '@retract/protocol';
import {
  call,
  registerAndLogin,
  startTestServer,
  type Login,
  type TestServer,
} from '../../server/test/support/harness.js';
import { delayBins } from '../src/stats/delay.js';
import { formatDuration, parseDuration } from '../src/stats/duration.js';
import { retract } from './run-cli.js';

/**
 * `retract stats` and `retract stats what-if` from a real process against a server with three known
 * attempts: one recalled after 30 s, one denied after 5 min (then corrected), one after 3 min (then hidden).
 */
describe('retract stats against a server with known attempts', () => {
  let t: TestServer;
  let root: Login;
  let alice: Login;
  const period = ['--from', '2026-01-01T00:00:00Z', '--to', '2026-01-02T00:00:00Z', '--tz', 'UTC'];
  const as = (who: Login) => ({ RETRACT_SERVER: t.url, RETRACT_TOKEN: who.token });

  before(async () => {
    t = await startTestServer({ config: { serverAdmins: ['root'] } });
    root = await registerAndLogin(t.url, 'root');
    alice = await registerAndLogin(t.url, 'alice');
    await registerAndLogin(t.url, 'bob');
    const chat = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'direct', members: ['bob'] },
    });
    const conversation = chat.body.conversation.id;
    let n = 0;
    const send = async (extra: Record<string, unknown> = {}) => {
      const reply = await call<{ message: { id: string } }>(
        t.url,
        'POST',
        `/v1/conversations/${conversation}/messages`,
        {
          token: alice.token,
          body: { clientMsgId: `m${(n += 1)}`, body: 'hello', ...extra },
        },
      );
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      return reply.body.message.id;
    };
    const recall = (id: string) =>
      call(t.url, 'POST', `/v1/messages/${id}/recall`, { token: alice.token, body: {} });

    const m1 = await send();
    t.clock.advance(30_000);
    assert.equal((await recall(m1)).status, 200);
    const m2 = await send();
    t.clock.advance(300_000);
    assert.notEqual((await recall(m2)).status, 200);
    await send({ corrects: m2 });
    const m3 = await send();
    t.clock.advance(180_000);
    assert.notEqual((await recall(m3)).status, 200);
    assert.equal(
      (await call(t.url, 'POST', `/v1/messages/${m3}/hide`, { token: alice.token, body: {} })).status,
      200,
    );
  });
  after(() => t.close());

  it('prints the figures as JSON', async () => {
    const run = await retract(['stats', ...period, '--json'], as(root));
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as stats.RecallStats;
    assert.equal(report.attempts.total, 3);
    assert.equal(report.denials.total, 2);
    assert.equal(report.followUps.counts.correction, 1);
    assert.equal(report.followUps.counts.hide, 1);
  });

  it('draws tables and charts, the window marked on the delay histogram', async () => {
    const run = await retract(['stats', ...period], as(root));
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout;
    assert.match(out, /Active senders who attempt a recall: 100%/);
    assert.match(out, /^ {2}2026-01-01 +1 +1 +100%/m);
    assert.match(out, /Attempts by outcome/);
    assert.match(out, /recall_window_expired +█+ +2 \(67%\)/);
    assert.match(out, /recalled +█+[▏▎▍▌▋▊▉]? +1 \(33%\)/);
    assert.match(out, /denials due to the window .*: 2 of 2 = 100%/);
    // Histogram: the recall after 30 s before the window mark, the two denials after it.
    const lines = out.split('\n');
    const mark = lines.findIndex((l) => l.includes('◀ window 2 min'));
    assert.ok(mark > 0, out);
    const row = (label: string) => lines.findIndex((l) => l.trimStart().startsWith(label));
    assert.ok(row('30 s – 1 min') > 0 && row('30 s – 1 min') < mark);
    assert.ok(row('3 min – 5 min') > mark && row('5 min – 10 min') > mark);
    assert.match(lines[row('5 min – 10 min')]!, /▒+ 1$/);
    assert.match(out, /correction +█+ +50% \(1\)/);
    assert.match(out, /hide \(delete for me\) +█+ +50% \(1\)/);
    assert.match(out, /nothing +0% \(0\)/);
    assert.match(out, /By conversation kind\n.*\n {2}direct +3 +1 +2 +67%/);
    assert.match(out, /By content type\n.*\n {2}text +3 +1 +2 +67%/);
  });

  it('answers what-if for a longer window, with s/m/h/d suffixes', async () => {
    const ten = await retract(['stats', 'what-if', '--window', '10m', ...period], as(root));
    assert.equal(ten.code, 0, ten.stderr);
    assert.match(ten.stdout, /window were 10 min/);
    assert.match(ten.stdout, /of 2 attempts denied because the window had passed, 2 \(100%\)/);
    const four = await retract(['stats', 'what-if', '--window', '240', ...period, '--json'], as(root));
    assert.equal(four.code, 0, four.stderr);
    const answer = JSON.parse(four.stdout) as stats.WhatIf;
    assert.deepEqual([answer.deniedByWindow, answer.wouldAllow, answer.windowSeconds], [2, 1, 240]);
  });

  it('refuses bad input before asking, and non-admins when asking', async () => {
    const bad = await retract(['stats', 'what-if', '--window', '10x'], as(root));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /'10x' is not a duration/);
    const date = await retract(['stats', '--from', 'yesterday'], as(root));
    assert.equal(date.code, 1);
    assert.match(date.stderr, /--from 'yesterday' is not a date/);
    const denied = await retract(['stats', ...period], as(alice));
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /error \w+/);
  });
});

describe('stats helpers', () => {
  it('parses and prints durations', () => {
    assert.deepEqual(['90', '90s', '10m', '1.5h', '2d'].map(parseDuration), [90, 90, 600, 5400, 172_800]);
    assert.throws(() => parseDuration('ten minutes'), /not a duration/);
    assert.throws(() => parseDuration('1.5s'), /whole number/);
    assert.equal(formatDuration(5400), '1 h 30 min');
  });

  it('bins delays without splitting a server bucket, with the window as an edge', () => {
    const bins = delayBins(
      [
        { fromSeconds: 95, toSeconds: 100, recalled: 2, denied: 0 },
        { fromSeconds: 100, toSeconds: 105, recalled: 1, denied: 1 },
        { fromSeconds: 7 * 86_400, toSeconds: null, recalled: 0, denied: 4 },
      ],
      100,
    );
    const at = (from: number) => bins.find((b) => b.from === from);
    assert.deepEqual([at(90)?.recalled, at(90)?.to], [2, 100]);
    assert.deepEqual([at(100)?.recalled, at(100)?.denied], [1, 1]);
    assert.equal(bins.at(-1)?.to, null);
    assert.equal(bins.at(-1)?.denied, 4);
    assert.equal(
      bins.reduce((s, b) => s + b.recalled + b.denied, 0),
      8,
    );
  });
});
