import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, Tombstone } from '@retract/sdk';
import { listTime } from '../src/lib/format.js';
import { byActivity, lastMessagePreview } from '../src/lib/preview.js';
import { dayKey, dayPhrase, timeline } from '../src/lib/timeline.js';

/** Local wall-clock times, so the tests hold in any time zone. */
const at = (y: number, mo: number, d: number, h = 12, mi = 0): string =>
  new Date(y, mo - 1, d, h, mi).toISOString();
const now = Date.parse(at(2026, 3, 18, 15, 0));

let seq = 0;
function message(senderId: string, sentAt: string, extra: Partial<Message> = {}): Message {
  seq += 1;
  return {
    id: `m${String(seq).padStart(4, '0')}`,
    conversationId: 'c1',
    senderId,
    clientMsgId: `k${seq}`,
    type: 'text',
    body: `hello ${seq}`,
    sentAt,
    recalled: null,
    ...extra,
  } as Message;
}

const tombstone = (recalledBy: string, role = 'sender'): Tombstone =>
  ({ recalledAt: at(2026, 3, 18, 14), recalledBy, role, reason: null }) as unknown as Tombstone;

describe('day separators', () => {
  it('names today and yesterday, and dates otherwise (with the year only when it differs)', () => {
    assert.deepEqual(dayPhrase(at(2026, 3, 18, 0, 5), now, 'en'), { key: 'day.today' });
    assert.deepEqual(dayPhrase(at(2026, 3, 17, 23, 59), now, 'en'), { key: 'day.yesterday' });
    const older = dayPhrase(at(2026, 3, 2), now, 'en');
    assert.equal(older.key, 'day.date');
    assert.match(String(older.values?.date), /March 2/);
    assert.doesNotMatch(String(older.values?.date), /2026/);
    assert.match(String(dayPhrase(at(2025, 12, 31), now, 'en').values?.date), /2025/);
    assert.match(String(dayPhrase(at(2026, 3, 2), now, 'zh-CN').values?.date), /3月2日/);
  });

  it('keys days by the local calendar', () => {
    assert.equal(dayKey(at(2026, 1, 5, 0, 0)), '2026-01-05');
    assert.equal(dayKey(at(2026, 1, 5, 23, 59)), '2026-01-05');
  });
});

describe('timeline', () => {
  it('puts a separator before the first message of each day', () => {
    const rows = timeline(
      [message('a', at(2026, 3, 17, 9)), message('a', at(2026, 3, 17, 10)), message('b', at(2026, 3, 18, 9))],
      now,
      'en',
    );
    assert.deepEqual(
      rows.map((r) => r.day?.key ?? null),
      ['day.yesterday', null, 'day.today'],
    );
  });

  it('groups runs from one sender within five minutes, broken by another sender, a gap or a recall', () => {
    const rows = timeline(
      [
        message('a', at(2026, 3, 18, 9, 0)),
        message('a', at(2026, 3, 18, 9, 2)),
        message('a', at(2026, 3, 18, 9, 4)),
        message('b', at(2026, 3, 18, 9, 5)),
        message('b', at(2026, 3, 18, 9, 30)),
        message('b', at(2026, 3, 18, 9, 31), { recalled: tombstone('b'), body: null }),
        message('b', at(2026, 3, 18, 9, 32)),
      ],
      now,
      'en',
    );
    assert.deepEqual(
      rows.map((r) => `${r.groupStart ? 'S' : '-'}${r.groupEnd ? 'E' : '-'}`),
      ['S-', '--', '-E', 'SE', 'SE', 'SE', 'SE'],
    );
  });

  it('is empty for no messages', () => {
    assert.deepEqual(timeline([], now, 'en'), []);
  });
});

describe('conversation previews', () => {
  const nameOf = (id: string) => ({ me: 'me', al: 'alice' })[id] ?? '?';

  it('shows the last visible message, marking one’s own', () => {
    const preview = lastMessagePreview(
      [message('al', at(2026, 3, 18, 9)), message('me', at(2026, 3, 18, 10), { body: 'see\nyou' })],
      'me',
      nameOf,
    );
    assert.deepEqual(preview?.phrase, { key: 'list.previewText', values: { text: 'see you' } });
    assert.equal(preview?.mine, true);
    assert.equal(preview?.recalled, false);
  });

  it('shows the placeholder of a recalled message, never its content', () => {
    const recalled = message('al', at(2026, 3, 18, 10), { body: null, recalled: tombstone('al') });
    const preview = lastMessagePreview([message('al', at(2026, 3, 18, 9)), recalled], 'me', nameOf);
    assert.deepEqual(preview?.phrase, { key: 'placeholder.theyRecalled', values: { name: 'alice' } });
    assert.equal(preview?.recalled, true);
    assert.doesNotMatch(JSON.stringify(preview), /hello/);
  });

  it('names attachments by type, skips hidden messages, and is null when there is nothing', () => {
    const image = message('al', at(2026, 3, 18, 9), { type: 'image', body: null });
    const hidden = message('al', at(2026, 3, 18, 10), { hidden: true, body: null });
    assert.deepEqual(lastMessagePreview([image, hidden], 'me', nameOf)?.phrase, { key: 'chat.type_image' });
    assert.equal(lastMessagePreview([], 'me', nameOf), null);
  });

  it('orders conversations by their latest activity', () => {
    const conversation = (id: string, createdAt: string) =>
      ({ id, kind: 'direct', title: null, createdAt, members: [] }) as never;
    const messages: Record<string, Message[]> = {
      a: [message('al', at(2026, 3, 18, 9))],
      b: [message('al', at(2026, 3, 18, 11))],
      c: [],
    };
    const sorted = byActivity(
      [
        conversation('a', at(2026, 3, 1)),
        conversation('b', at(2026, 3, 1)),
        conversation('c', at(2026, 3, 18, 10)),
      ],
      (id) => messages[id] ?? [],
    );
    assert.deepEqual(
      sorted.map((c: { id: string }) => c.id),
      ['b', 'c', 'a'],
    );
  });
});

describe('list times', () => {
  it('shows the time today, the weekday this week, the date before', () => {
    assert.match(listTime(at(2026, 3, 18, 9, 5), 'en', now), /09:05/);
    assert.equal(listTime(at(2026, 3, 16, 9), 'en', now), 'Mon');
    assert.equal(listTime(at(2026, 3, 2, 9), 'en', now), '3/2');
    assert.equal(listTime(at(2025, 3, 2, 9), 'en', now), '3/2/25');
  });
});
