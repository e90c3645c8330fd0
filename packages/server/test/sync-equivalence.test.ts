import { it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Conversation, Message, ServerFrame } from '@retract/protocol';
import { TimelineStore, snapshotFromFetch } from '@retract/sdk';
import {
  call,
  login,
  register,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * Sync proven by state equivalence: for random interleavings of sends, recalls, hides, disconnects,
 * reconnects and clock moves across four devices of three users, each device's state — built only by
 * applying the events it received to its stale state — equals a fresh fetch once it has caught up, and
 * no device holds the text of a recalled message. The devices are raw sockets feeding the SDK's
 * TimelineStore; the server is real (HTTP, WebSocket, SQLite).
 */

type Op =
  | { kind: 'send'; user: number; conversation: number; replyTo?: number; corrects?: number }
  | { kind: 'recall'; user: number; pick: number }
  | { kind: 'hide'; user: number; pick: number }
  | { kind: 'disconnect'; device: number }
  | { kind: 'connect'; device: number }
  | { kind: 'advance'; seconds: number };

const USERS = ['alice', 'bob', 'carol'] as const;
/** Device i belongs to user DEVICE_OWNERS[i]: bob has two. */
const DEVICE_OWNERS = [0, 1, 1, 2] as const;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('send' as const), user: fc.nat(2), conversation: fc.nat(1) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      user: fc.nat(2),
      conversation: fc.nat(1),
      replyTo: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      user: fc.nat(2),
      conversation: fc.nat(1),
      corrects: fc.nat(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('recall' as const), user: fc.nat(2), pick: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('hide' as const), user: fc.nat(2), pick: fc.nat() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disconnect' as const), device: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('connect' as const), device: fc.nat(3) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.integer({ min: 1, max: 90 }) }),
  },
);

class Device {
  readonly store: TimelineStore;
  socket: RecordingSocket | null = null;
  /** Text of recalled messages must never reach a socket opened after the recall was acknowledged. */
  readonly forbidden = new Set<string>();
  readonly leaks: string[] = [];

  constructor(readonly login: Login) {
    this.store = new TimelineStore({ userId: login.userId });
  }

  async connect(wsUrl: string): Promise<void> {
    if (this.socket) return;
    const forbiddenNow = [...this.forbidden];
    const socket = await RecordingSocket.openWithAuthFrame(wsUrl, this.login.token, this.store.cursor);
    socket.socket.on('message', (data) => {
      const text = String(data);
      for (const secret of forbiddenNow) if (text.includes(secret)) this.leaks.push(secret);
      const frame = JSON.parse(text) as ServerFrame;
      if (frame.type === 'event') this.store.apply(frame.event);
    });
    this.socket = socket;
    await socket.waitFor((f) => f.type === 'synced');
  }

  async disconnect(): Promise<void> {
    if (!this.socket) return;
    const socket = this.socket;
    this.socket = null;
    await socket.close();
  }
}

async function freshFetch(url: string, device: Device) {
  const token = device.login.token;
  const list = await call<{ conversations: Conversation[] }>(url, 'GET', '/v1/conversations', { token });
  const messages: Record<string, Message[]> = {};
  for (const c of list.body.conversations) {
    const all: Message[] = [];
    let before: string | null = null;
    do {
      const q: string = before ? `?limit=7&before=${before}` : '?limit=7';
      const page = await call<{ messages: Message[]; nextBefore: string | null }>(
        url,
        'GET',
        `/v1/conversations/${c.id}/messages${q}`,
        {
          token,
        },
      );
      all.push(...page.body.messages);
      before = page.body.nextBefore;
    } while (before);
    messages[c.id] = all;
  }
  return snapshotFromFetch(device.login.userId, list.body.conversations, messages);
}

async function run(ops: readonly Op[]): Promise<void> {
  const t: TestServer = await startTestServer({ windowSeconds: 120 });
  try {
    for (const name of USERS) await register(t.url, name);
    const devices = await Promise.all(
      DEVICE_OWNERS.map((u, i) => login(t.url, USERS[u]!, `device-${i}`).then((l) => new Device(l))),
    );
    const tokenOf = (user: number) => devices[DEVICE_OWNERS.indexOf(user as 0 | 1 | 2)]!.login.token;
    const group = await call<{ conversation: Conversation }>(t.url, 'POST', '/v1/conversations', {
      token: tokenOf(0),
      body: { kind: 'group', title: 'all', members: ['bob', 'carol'] },
    });
    const direct = await call<{ conversation: Conversation }>(t.url, 'POST', '/v1/conversations', {
      token: tokenOf(0),
      body: { kind: 'direct', members: ['bob'] },
    });
    const conversations = [group.body.conversation, direct.body.conversation];
    const sent: { id: string; text: string; conversation: number }[] = [];
    const recalledTexts = new Set<string>();
    let n = 0;

    for (const op of ops) {
      switch (op.kind) {
        case 'send': {
          // carol is not in the direct conversation: her send there is refused, and must change nothing.
          const text = `msg-${++n}-${Math.random().toString(36).slice(2)}`;
          // Replies and corrections name a random earlier message: often one the server must refuse
          // (another conversation; someone else's, for a correction) — and a refusal changes nothing.
          const pick = (i: number | undefined) =>
            i === undefined || sent.length === 0 ? undefined : sent[i % sent.length]!.id;
          const replyTo = pick(op.replyTo);
          const corrects = pick(op.corrects);
          const reply = await call<{ message: Message }>(
            t.url,
            'POST',
            `/v1/conversations/${conversations[op.conversation]!.id}/messages`,
            {
              token: tokenOf(op.user),
              body: {
                clientMsgId: `k${n}`,
                body: text,
                ...(replyTo ? { replyTo } : {}),
                ...(corrects ? { corrects } : {}),
              },
            },
          );
          if (reply.status === 201)
            sent.push({ id: reply.body.message.id, text, conversation: op.conversation });
          else assert.ok([403, 404].includes(reply.status), `send answered ${reply.status}`);
          break;
        }
        case 'recall': {
          const target = sent[op.pick % Math.max(sent.length, 1)];
          if (!target) break;
          const reply = await call<{ transitioned: boolean }>(
            t.url,
            'POST',
            `/v1/messages/${target.id}/recall`,
            {
              token: tokenOf(op.user),
            },
          );
          assert.ok([200, 403, 404].includes(reply.status), `recall answered ${reply.status}`);
          if (reply.status === 200) {
            recalledTexts.add(target.text);
            for (const d of devices) d.forbidden.add(target.text);
          }
          break;
        }
        case 'hide': {
          const target = sent[op.pick % Math.max(sent.length, 1)];
          if (!target) break;
          const reply = await call(t.url, 'POST', `/v1/messages/${target.id}/hide`, {
            token: tokenOf(op.user),
          });
          assert.ok([200, 404].includes(reply.status), `hide answered ${reply.status}`);
          break;
        }
        case 'connect':
          await devices[op.device]!.connect(t.wsUrl);
          break;
        case 'disconnect':
          await devices[op.device]!.disconnect();
          break;
        case 'advance':
          t.clock.advance(op.seconds * 1000);
          break;
      }
    }

    // Catch everyone up: reconnect from each device's own cursor and compare with a fresh fetch.
    for (const d of devices) {
      await d.disconnect();
      await d.connect(t.wsUrl);
      const expected = await freshFetch(t.url, d);
      assert.deepEqual(
        d.store.snapshot(),
        expected,
        `device ${d.login.deviceId} of ${d.login.username} diverged`,
      );
      const state = JSON.stringify(d.store.snapshot());
      for (const text of recalledTexts)
        assert.ok(!state.includes(text), `device holds recalled text ${text}`);
      assert.deepEqual(d.leaks, [], 'a socket opened after a recall carried its text');
      await d.disconnect();
    }
  } finally {
    await t.close();
  }
}

it('every device converges to a fresh fetch and holds no recalled text', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), (ops) => run(ops)),
    { numRuns: 100 },
  );
});
