import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import WebSocket from 'ws';
import {
  ClientFrameSchema,
  errorCodes,
  errorRegistry,
  limits,
  type ErrorCode,
  type ServerFrame,
} from '@retract/protocol';
import {
  call,
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * Hostile WebSocket frames: junk is answered with `invalid_frame` and the connection stays open; command
 * frames that are well-formed but wrong get a failed `reply`; only an oversized frame (1009) or junk
 * before authentication (4401) ends a socket; the server stays healthy throughout.
 */

type Frame = string | { readonly binary: Uint8Array };

const clientFrames = (ClientFrameSchema as unknown as { anyOf: TObject[] }).anyOf;
const frameTypes = clientFrames.map((s) => (s.properties['type'] as unknown as { const: string }).const);

function isValidClientFrame(value: unknown): boolean {
  return Value.Check(ClientFrameSchema, value);
}

/** A well-formed frame of each type, to mutate one field at a time. */
function baseFrames(conversationId: string, messageId: string): Record<string, Record<string, unknown>> {
  return {
    auth: { type: 'auth', token: 'a-token-of-some-length', after: 0 },
    ack: { type: 'ack', seq: 0 },
    ping: { type: 'ping', id: 'p' },
    send: { type: 'send', id: 'r', conversationId, clientMsgId: 'c', body: 'hello' },
    recall: { type: 'recall', id: 'r', messageId, reason: 'why' },
    hide: { type: 'hide', id: 'r', messageId },
  };
}

let t: TestServer;
let alice: Login;
let bob: Login;
let groupId: string;
let bobsMessageId: string;

/** A socket authenticated by header whose frames are checked one junk frame at a time. */
let socket: RecordingSocket;
let marker = 0;

/**
 * Sends one junk frame followed by a ping, and returns the frames the server sent in between. The server
 * handles a socket's frames in order and answers junk synchronously, so its answer comes before the pong.
 */
async function answerTo(frame: Frame): Promise<ServerFrame[]> {
  const start = socket.frames.length;
  if (typeof frame === 'string') socket.send(frame);
  else socket.socket.send(frame.binary, { binary: true });
  const id = `marker-${++marker}`;
  socket.send({ type: 'ping', id });
  const pong = await socket.waitFor((f) => f.type === 'pong' && f.id === id);
  return socket.frames.slice(start, socket.frames.indexOf(pong));
}

function assertInvalidFrame(answer: ServerFrame[], sent: Frame): void {
  const what = typeof sent === 'string' ? sent.slice(0, 200) : `binary ${sent.binary.length} bytes`;
  assert.equal(answer.length, 1, `one answer to ${what}, got ${JSON.stringify(answer)}`);
  const frame = answer[0]!;
  assert.equal(frame.type, 'error', what);
  if (frame.type !== 'error') return;
  assert.equal(frame.error.code, 'invalid_frame', what);
  assert.equal(frame.error.message, errorRegistry.invalid_frame.message);
}

async function assertJunkRefused(frame: Frame): Promise<void> {
  assertInvalidFrame(await answerTo(frame), frame);
}

function assertRegistryCode(code: unknown): asserts code is ErrorCode {
  assert.ok(typeof code === 'string' && errorCodes.includes(code as ErrorCode), String(code));
}

/** A raw socket without the harness' parsing: records text frames and how it closed. */
interface RawSocket {
  readonly ws: WebSocket;
  readonly messages: string[];
  readonly closed: Promise<{ code: number; reason: string }>;
}

async function openRaw(url: string, headers: Record<string, string> = {}): Promise<RawSocket> {
  const ws = new WebSocket(url, { headers });
  const messages: string[] = [];
  ws.on('message', (data) => messages.push(String(data)));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, closed };
}

/** The HTTP status with which an upgrade was refused (the `ws` client reports it, then errors). */
function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
  });
}

const runs = { numRuns: 150 } as const;

describe('hostile WebSocket frames', () => {
  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    groupId = created.body.conversation.id;
    const sent = await call<{ message: { id: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: bob.token,
        body: { clientMsgId: 'bob-1', body: 'from bob' },
      },
    );
    assert.equal(sent.status, 201);
    bobsMessageId = sent.body.message.id;
    socket = await RecordingSocket.open(t.wsUrl, alice.token);
    await socket.waitFor((f) => f.type === 'synced');
  });
  after(async () => {
    await socket.close();
    await t.close();
  });

  describe('on an authenticated socket', () => {
    it('answers arbitrary JSON that is not a client frame with invalid_frame', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc
            .oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }))
            .filter((v) => !isValidClientFrame(v)),
          async (value) => assertJunkRefused(JSON.stringify(value) ?? 'null'),
        ),
        runs,
      );
    });

    it('answers unknown frame types with invalid_frame', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.string().filter((type) => !frameTypes.includes(type)),
          fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
          async (type, rest) => assertJunkRefused(JSON.stringify({ ...rest, type })),
        ),
        runs,
      );
      for (const type of ['PING', 'pong', 'event', 'ready', 'reply', 'error', ' ping', 'ping\u0000'])
        await assertJunkRefused(JSON.stringify({ type }));
    });

    it('answers unknown fields with invalid_frame', async () => {
      const bases = baseFrames(groupId, bobsMessageId);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.values(bases)),
          fc.string({ minLength: 1 }),
          fc.jsonValue(),
          async (base, key, value) => {
            fc.pre(!Object.hasOwn(base, key));
            await assertJunkRefused(JSON.stringify({ ...base, [key]: value }));
          },
        ),
        runs,
      );
    });

    it('answers a wrong type or value in any field with invalid_frame', async () => {
      const bases = baseFrames(groupId, bobsMessageId);
      const cases = clientFrames.flatMap((schema) => {
        const type = (schema.properties['type'] as unknown as { const: string }).const;
        return Object.entries(schema.properties)
          .filter(([name]) => name !== 'type')
          .map(([name, fieldSchema]) => ({ base: bases[type]!, name, fieldSchema }));
      });
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...cases).chain((c) =>
            fc
              .oneof(
                fc.jsonValue(),
                fc.constantFrom(null, true, -1, 1.5, '', [], {}, 'x'.repeat(limits.maxTextLength + 1)),
              )
              .filter((v) => !Value.Check(c.fieldSchema, v))
              .map((v) => JSON.stringify({ ...c.base, [c.name]: v })),
          ),
          async (text) => assertJunkRefused(text),
        ),
        runs,
      );
      // Each frame type without one of its required fields.
      for (const schema of clientFrames) {
        const type = (schema.properties['type'] as unknown as { const: string }).const;
        for (const name of schema.required ?? []) {
          if (name === 'type') continue;
          const { [name]: _dropped, ...rest } = bases[type]!;
          await assertJunkRefused(JSON.stringify(rest));
        }
      }
    });

    it('answers __proto__ and constructor.prototype keys with invalid_frame, polluting nothing', async () => {
      for (const text of [
        '{"type":"ping","__proto__":{"polluted":true}}',
        '{"__proto__":{"type":"ping"}}',
        '{"__proto__":{"type":"ping","polluted":true},"type":"ping"}',
        '{"type":"ping","constructor":{"prototype":{"polluted":true}}}',
        '{"type":"send","id":"r","conversationId":"c_x","clientMsgId":"c","body":"b","__proto__":{}}',
        '[{"__proto__":{"polluted":true}}]',
      ])
        await assertJunkRefused(text);
      assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    });

    it('answers text that is not JSON with invalid_frame', async () => {
      for (const text of ['', ' ', '{', '{"type":"ping"', "{'type':'ping'}", 'ping', 'undefined', '{}{}'])
        await assertJunkRefused(text);
      await fc.assert(
        fc.asyncProperty(
          fc.string({ unit: 'binary' }).filter((s) => {
            try {
              JSON.parse(s);
              return false;
            } catch {
              return true;
            }
          }),
          async (text) => assertJunkRefused(text),
        ),
        runs,
      );
    });

    it('answers binary frames with invalid_frame, even when they hold a valid frame', async () => {
      await assertJunkRefused({ binary: new TextEncoder().encode('{"type":"ping"}') });
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) =>
          assertJunkRefused({ binary: bytes }),
        ),
        { numRuns: 50 },
      );
    });

    it('answers deeply nested JSON with invalid_frame', async () => {
      const arrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
      const objects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
      for (const text of [
        arrays(30_000),
        objects(10_000),
        `{"type":"ping","id":${arrays(20_000)}}`,
        `{"type":"send","id":"r","conversationId":"${groupId}","clientMsgId":"c","body":${objects(9_000)}}`,
      ]) {
        assert.ok(Buffer.byteLength(text) <= limits.maxFrameBytes);
        await assertJunkRefused(text);
      }
    });

    it('answers well-formed commands that cannot run with a failed reply, and stays open', async () => {
      const lonely = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
        token: bob.token,
        body: { kind: 'group', members: [] },
      });
      const cases: [Record<string, unknown>, ErrorCode][] = [
        [{ type: 'send', conversationId: 'c_doesNotExist', clientMsgId: 'x1', body: 'hi' }, 'not_found'],
        [
          { type: 'send', conversationId: lonely.body.conversation.id, clientMsgId: 'x2', body: 'hi' },
          'not_found',
        ],
        [{ type: 'recall', messageId: 'm_doesNotExist' }, 'not_found'],
        [{ type: 'recall', messageId: bobsMessageId }, 'not_permitted'],
        [{ type: 'hide', messageId: 'm_doesNotExist' }, 'not_found'],
      ];
      for (const [i, [frame, code]] of cases.entries()) {
        const id = `cmd-${i}`;
        socket.send({ ...frame, id });
        const reply = await socket.waitFor((f) => f.type === 'reply' && f.id === id);
        assert.ok(reply.type === 'reply' && !reply.ok, JSON.stringify(reply));
        if (reply.type !== 'reply' || reply.ok) continue;
        assertRegistryCode(reply.error.code);
        assert.equal(reply.error.code, code, JSON.stringify(frame));
        assert.equal(reply.error.message, errorRegistry[code].message);
      }
      // The same clientMsgId for different content: refused, the original untouched.
      socket.send({ type: 'send', id: 'k1', conversationId: groupId, clientMsgId: 'key', body: 'first' });
      const first = await socket.waitFor((f) => f.type === 'reply' && f.id === 'k1');
      assert.ok(first.type === 'reply' && first.ok);
      socket.send({ type: 'send', id: 'k2', conversationId: groupId, clientMsgId: 'key', body: 'second' });
      const second = await socket.waitFor((f) => f.type === 'reply' && f.id === 'k2');
      assert.ok(second.type === 'reply' && !second.ok && second.error.code === 'idempotency_key_reused');

      // Frames valid in shape but wrong for the state: an error frame, the socket stays open.
      const auth = await answerTo(JSON.stringify({ type: 'auth', token: alice.token }));
      assertInvalidFrame(auth, 'auth again');
      const ahead = await answerTo(JSON.stringify({ type: 'ack', seq: 1_000_000 }));
      const [aheadFrame] = ahead;
      assert.equal(ahead.length, 1);
      assert.ok(
        aheadFrame?.type === 'error' && aheadFrame.error.code === 'cursor_ahead',
        JSON.stringify(ahead),
      );
      assert.equal(socket.closeCode, undefined);
    });

    it('closes a socket that sends an oversized frame with 1009, and only that socket', async () => {
      const victim = await RecordingSocket.open(t.wsUrl, alice.token);
      await victim.waitFor((f) => f.type === 'synced');
      victim.send(JSON.stringify({ type: 'ping', id: 'x'.repeat(limits.maxFrameBytes) }));
      assert.equal(await victim.waitClose(), 1009);
      const answer = await answerTo('{"type":"ping","id":1}');
      assertInvalidFrame(answer, 'after the oversized frame elsewhere');
    });

    it('closes a socket that sends text that is not UTF-8 with 1007 (the ws library), and only that socket', async () => {
      const victim = await openRaw(t.wsUrl, { authorization: `Bearer ${alice.token}` });
      victim.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      assert.equal((await victim.closed).code, 1007);
      assert.equal(socket.closeCode, undefined);
    });
  });

  describe('before authentication', () => {
    const junkFirstFrames: Frame[] = [
      'not json',
      '{"type":"ping"}',
      '{"type":"ack","seq":0}',
      '{"type":"auth"}',
      '{"type":"auth","token":"no-such-token-at-all"}',
      '{"type":"auth","token":"x","extra":1}',
      '{"__proto__":{"type":"auth","token":"x"}}',
      '['.repeat(20_000) + ']'.repeat(20_000),
      { binary: new TextEncoder().encode('{"type":"auth","token":"x"}') },
    ];

    for (const [i, first] of junkFirstFrames.entries()) {
      it(`closes with 4401 when the first frame is junk (#${i})`, async () => {
        const raw = await openRaw(t.wsUrl);
        if (typeof first === 'string') raw.ws.send(first);
        else raw.ws.send(first.binary, { binary: true });
        const { code, reason } = await raw.closed;
        assert.equal(code, errorRegistry.unauthenticated.wsClose);
        assert.equal(reason, 'unauthenticated');
        assert.deepEqual(raw.messages, [], 'nothing is sent to an unauthenticated socket');
      });
    }

    it('keeps frames sent right behind the auth frame, in order', async () => {
      const raw = await openRaw(t.wsUrl);
      raw.ws.send(JSON.stringify({ type: 'auth', token: alice.token, after: 0 }));
      raw.ws.send(JSON.stringify({ type: 'ping', id: 'early-1' }));
      raw.ws.send(JSON.stringify({ type: 'ping', id: 'early-2' }));
      const pongCount = () => raw.messages.filter((m) => m.includes('"pong"')).length;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no pongs')), 10_000);
        const check = () => {
          if (pongCount() < 2) return;
          clearTimeout(timer);
          raw.ws.off('message', check);
          resolve();
        };
        raw.ws.on('message', check);
        check();
      });
      const pongs = raw.messages
        .filter((m) => m.includes('"pong"'))
        .map((m) => (JSON.parse(m) as { id: string }).id);
      assert.deepEqual(pongs, ['early-1', 'early-2']);
      assert.ok(raw.messages[0]?.includes('"ready"'), 'ready comes first');
      raw.ws.close();
    });

    it('closes with 1009 when the first frame is oversized', async () => {
      const raw = await openRaw(t.wsUrl);
      raw.ws.send(JSON.stringify({ type: 'auth', token: 'x'.repeat(limits.maxFrameBytes) }));
      assert.equal((await raw.closed).code, 1009);
    });

    it('refuses the upgrade with 401 for an invalid, malformed or logged-out token', async () => {
      assert.equal(await refusedUpgrade(t.wsUrl, { authorization: 'Bearer not-a-real-token-0000' }), 401);
      assert.equal(await refusedUpgrade(t.wsUrl, { authorization: `Basic ${alice.token}` }), 401);
      assert.equal(await refusedUpgrade(t.wsUrl, { authorization: 'Bearer' }), 401);
      assert.equal(await refusedUpgrade(t.wsUrl, { authorization: '' }), 401);
      const gone = await registerAndLogin(t.url, 'leaving');
      assert.equal((await call(t.url, 'DELETE', '/v1/sessions/current', { token: gone.token })).status, 204);
      assert.equal(await refusedUpgrade(t.wsUrl, { authorization: `Bearer ${gone.token}` }), 401);
      // Neighbouring mistakes: wrong path, bad cursor.
      assert.equal(await refusedUpgrade(`${t.url.replace(/^http/, 'ws')}/v1/wsx`), 404);
      assert.equal(
        await refusedUpgrade(`${t.wsUrl}?after=-1`, { authorization: `Bearer ${alice.token}` }),
        400,
      );
    });

    it('closes a socket that never authenticates with 4408', async () => {
      const quick = await startTestServer({ config: { ws: { authTimeoutMs: 100 } } });
      try {
        const raw = await openRaw(quick.wsUrl);
        const { code, reason } = await raw.closed;
        assert.equal(code, errorRegistry.auth_timeout.wsClose);
        assert.equal(reason, 'auth_timeout');
        assert.deepEqual(raw.messages, []);
      } finally {
        await quick.close();
      }
    });
  });

  describe('after the junk', () => {
    it('is healthy, and the fuzzed socket still works', async () => {
      const health = await call<{ status: string }>(t.url, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.equal(socket.closeCode, undefined);
      socket.send({ type: 'ping', id: 'final' });
      await socket.waitFor((f) => f.type === 'pong' && f.id === 'final');
      socket.send({
        type: 'send',
        id: 'final-send',
        conversationId: groupId,
        clientMsgId: 'final',
        body: 'still fine',
      });
      const reply = await socket.waitFor((f) => f.type === 'reply' && f.id === 'final-send');
      assert.ok(reply.type === 'reply' && reply.ok, JSON.stringify(reply));
      const event = await socket.waitForEvent(
        (e) => e.type === 'message.created' && e.message.clientMsgId === 'final',
      );
      assert.equal(event.type === 'message.created' && event.message.body, 'still fine');
      const history = await call<{ messages: { clientMsgId: string; body: string | null }[] }>(
        t.url,
        'GET',
        `/v1/conversations/${groupId}/messages`,
        { token: bob.token },
      );
      // Only the messages sent on purpose exist: no junk frame was turned into a message.
      assert.deepEqual(history.body.messages.map((m) => m.clientMsgId).sort(), ['bob-1', 'final', 'key']);
      assert.equal(history.body.messages.find((m) => m.clientMsgId === 'key')?.body, 'first');
    });
  });
});
