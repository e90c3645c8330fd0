import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { stats } from '@retract/protocol';
import {
  delayBinEdges,
  delayBinLabel,
  followUpRows,
  formatDuration,
  formatShare,
  groupDelayBuckets,
  niceMax,
  outcomeLabel,
  outcomeRows,
  parseWindowMinutes,
  whatIfText,
  windowMarkerPosition,
  type DelayBucket,
  type Translate,
} from '../src/admin/charts.js';

/** The server's 157 fine buckets (docs/analytics.md), every count 1 recalled and 2 denied. */
function fineBuckets(): DelayBucket[] {
  const edges: number[] = [];
  for (let s = 0; s < 300; s += 5) edges.push(s);
  for (let s = 300; s < 1800; s += 30) edges.push(s);
  for (let s = 1800; s < 7200; s += 300) edges.push(s);
  for (let s = 7200; s < 86_400; s += 3600) edges.push(s);
  for (let s = 86_400; s <= 604_800; s += 86_400) edges.push(s);
  return edges.map((from, i) => ({
    fromSeconds: from,
    toSeconds: edges[i + 1] ?? null,
    recalled: 1,
    denied: 2,
  }));
}

/** Echoes the key and its values, so tests see which text was chosen with what. */
const t: Translate = (key, vars) =>
  vars === undefined
    ? key
    : `${key}(${Object.entries(vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')})`;

describe('delay histogram bins', () => {
  test('the fine buckets group into the readable bins, losing nothing', () => {
    const buckets = fineBuckets();
    assert.equal(buckets.length, 157);
    const bins = groupDelayBuckets(buckets);
    assert.deepEqual(
      bins.map((b) => b.fromSeconds),
      delayBinEdges,
    );
    assert.equal(bins.at(-1)?.toSeconds, null);
    const sum = (
      f: (b: { recalled: number; denied: number }) => number,
      list: readonly { recalled: number; denied: number }[],
    ) => list.reduce<number>((n, b) => n + f(b), 0);
    assert.equal(
      sum((b) => b.recalled, bins),
      sum((b) => b.recalled, buckets),
    );
    assert.equal(
      sum((b) => b.denied, bins),
      sum((b) => b.denied, buckets),
    );
    // [0, 30): six 5-second buckets; [30, 60): six; [1 min, 2 min): twelve.
    assert.deepEqual(
      bins.slice(0, 3).map((b) => b.recalled),
      [6, 6, 12],
    );
    // The open-ended bin holds the 7-day bucket and beyond.
    assert.equal(bins.at(-1)?.recalled, 1);
  });

  test('empty input still gives every bin, with zeros', () => {
    const bins = groupDelayBuckets([]);
    assert.equal(bins.length, delayBinEdges.length);
    assert.ok(bins.every((b) => b.recalled === 0 && b.denied === 0));
  });

  test('the window marker sits at its place on the binned axis', () => {
    const bins = groupDelayBuckets([]);
    assert.equal(windowMarkerPosition(bins, 120), 3); // the left edge of [2 min, 5 min)
    assert.equal(windowMarkerPosition(bins, 45), 1.5); // halfway through [30 s, 1 min)
    assert.equal(windowMarkerPosition(bins, 0), 0);
    assert.equal(windowMarkerPosition(bins, 30 * 86_400), bins.length - 1);
    assert.equal(windowMarkerPosition(bins, null), null);
    assert.equal(windowMarkerPosition([], 120), null);
  });

  test('bin labels read as ranges in the locale, the last as open-ended', () => {
    const bins = groupDelayBuckets([]);
    assert.equal(delayBinLabel(bins[2]!, t, 'en'), 'delay.bin(from=1 min,to=2 min)');
    assert.equal(delayBinLabel(bins.at(-1)!, t, 'en'), 'delay.openBin(from=7 days)');
    assert.equal(formatDuration(30, 'en'), '30 sec');
    assert.equal(formatDuration(7200, 'en'), '2 hr');
    assert.equal(formatDuration(90, 'en'), '90 sec');
    assert.match(formatDuration(120, 'zh-CN'), /2\s*分钟/);
  });
});

describe('shares and counts', () => {
  test('a share is a percentage with at most one decimal; null is a dash', () => {
    assert.equal(formatShare(0.25, 'en'), '25%');
    assert.equal(formatShare(1 / 3, 'en'), '33.3%');
    assert.equal(formatShare(1, 'en'), '100%');
    assert.equal(formatShare(0, 'en'), '0%');
    assert.equal(formatShare(null, 'en'), '—');
    assert.equal(formatShare(0.125, 'zh-CN'), '12.5%');
  });

  test('axis maxima are round', () => {
    assert.equal(niceMax(0), 1);
    assert.equal(niceMax(7), 10);
    assert.equal(niceMax(13), 20);
    assert.equal(niceMax(48), 50);
    assert.equal(niceMax(0.4), 0.5);
    assert.equal(niceMax(100), 100);
  });

  test('outcomes: recalled first, then denials by count', () => {
    const rows = outcomeRows({ not_permitted: 3, recall_window_expired: 9, recalled: 2, needs_consent: 3 });
    assert.deepEqual(
      rows.map((r) => r.outcome),
      ['recalled', 'recall_window_expired', 'needs_consent', 'not_permitted'],
    );
    const known: Translate = (key) => (key === 'outcome.recalled' ? 'Recalled' : key);
    assert.equal(outcomeLabel('recalled', known), 'Recalled');
    assert.equal(outcomeLabel('some_new_code', known), 'some_new_code');
  });

  test('follow-ups keep their shares and order', () => {
    const rows = followUpRows({
      counts: { correction: 2, hide: 1, message: 3, none: 4, pending: 5 },
      shares: { correction: 0.2, hide: 0.1, message: 0.3, none: 0.4 },
    });
    assert.deepEqual(
      rows.map((r) => [r.kind, r.count, r.share]),
      [
        ['correction', 2, 0.2],
        ['hide', 1, 0.1],
        ['message', 3, 0.3],
        ['none', 4, 0.4],
      ],
    );
  });
});

describe('what-if text', () => {
  const base: stats.WhatIf = {
    from: '2026-03-01T00:00:00Z',
    to: '2026-03-08T00:00:00Z',
    windowSeconds: 600,
    deniedByWindow: 40,
    wouldAllow: 12,
    share: 0.3,
    estimated: false,
  };

  test('N of M denials, with the share and the window', () => {
    assert.equal(whatIfText(base, t, 'en'), 'whatif.result(n=12,m=40,share=30%,window=10 min)');
  });

  test('an estimate and a lower bound say so', () => {
    assert.equal(
      whatIfText({ ...base, windowSeconds: 610, estimated: true }, t, 'en'),
      'whatif.result(n=12,m=40,share=30%,window=610 sec) whatif.estimated',
    );
    assert.match(
      whatIfText({ ...base, windowSeconds: 8 * 86_400, estimated: true }, t, 'en'),
      /whatif\.lowerBound$/,
    );
  });

  test('no denials is its own sentence', () => {
    assert.equal(
      whatIfText({ ...base, deniedByWindow: 0, wouldAllow: 0, share: null }, t, 'en'),
      'whatif.noDenials(window=10 min)',
    );
  });

  test('large numbers are grouped in the locale', () => {
    assert.match(
      whatIfText({ ...base, deniedByWindow: 12_345, wouldAllow: 1234 }, t, 'en'),
      /n=1,234,m=12,345/,
    );
  });

  test('the minutes input becomes seconds within the API range', () => {
    assert.equal(parseWindowMinutes('10'), 600);
    assert.equal(parseWindowMinutes(' 1 '), 60);
    assert.equal(parseWindowMinutes('43200'), 30 * 86_400);
    assert.equal(parseWindowMinutes('43201'), null);
    assert.equal(parseWindowMinutes('0'), null);
    assert.equal(parseWindowMinutes('1.5'), null);
    assert.equal(parseWindowMinutes(''), null);
  });
});
