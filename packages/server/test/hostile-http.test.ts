import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TObject, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { api, errorCodes, errorRegistry, limits, type ErrorCode, type Message } from '@retract/protocol';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/**
 * Hostile HTTP input against a real server: whatever arrives, the answer is a 4xx with a registry error
 * body — never a 5xx, never a crash — and nothing acknowledged before is lost.
 */

interface Raw {
  readonly status: number;
  readonly text: string;
}

/** A request with a body passed through byte for byte (no JSON.stringify, no content-type defaults). */
async function raw(
  url: string,
  method: string,
  path: string,
  options: {
    token?: string;
    contentType?: string | null;
    body?: string | Uint8Array | ReadableStream<Uint8Array>;
  } = {},
): Promise<Raw> {
  const headers: Record<string, string> = {};
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const init: RequestInit & { duplex?: 'half' } = { method, headers };
  if (options.body !== undefined) init.body = options.body as BodyInit;
  if (options.body instanceof ReadableStream) init.duplex = 'half';
  const response = await fetch(url + path, init);
  return { status: response.status, text: await response.text() };
}

/** Asserts a registry error: 4xx, exactly `{ error: { code, message, details? } }`, status from the registry. */
function assertRegistryError(
  reply: Raw,
  expected: { code?: ErrorCode | readonly ErrorCode[] } = {},
): ErrorCode {
  const context = `${reply.status} ${reply.text.slice(0, 300)}`;
  assert.ok(reply.status >= 400 && reply.status < 500, `expected a 4xx, got ${context}`);
  const body = JSON.parse(reply.text) as { error?: { code?: unknown; message?: unknown } };
  assert.deepEqual(Object.keys(body), ['error'], context);
  const error = body.error!;
  assert.ok(typeof error.code === 'string' && errorCodes.includes(error.code as ErrorCode), context);
  const code = error.code as ErrorCode;
  assert.equal(error.message, errorRegistry[code].message, context);
  assert.equal(reply.status, errorRegistry[code].status, context);
  for (const key of Object.keys(error)) assert.ok(['code', 'message', 'details'].includes(key), context);
  if (expected.code !== undefined) {
    const allowed: readonly ErrorCode[] = typeof expected.code === 'string' ? [expected.code] : expected.code;
    assert.ok(allowed.includes(code), `expected ${allowed.join(' or ')}, got ${context}`);
  }
  return code;
}

/** Any answer at all: a success, or a registry error. Never a 5xx. */
function assertHandled(reply: Raw): void {
  if (reply.status >= 200 && reply.status < 300) return;
  assertRegistryError(reply);
}

/** Rejections of a body that is not a schema-valid JSON value (a `__proto__` key is refused by the parser). */
const badBody = ['invalid_request', 'invalid_json'] as const;

/** True when the JSON text contains a key the parser refuses. */
function poisoned(text: string): boolean {
  return /"__proto__"\s*:|"constructor"\s*:/.test(text);
}

let t: TestServer;
let alice: Login;
let bob: Login;
let groupId: string;
let before0: Message;
let bobsMessage: Message;
let hideTarget: Message;

interface BodyRoute {
  readonly name: string;
  readonly path: () => string;
  readonly schema: TObject;
  /** A schema-valid body to mutate one field at a time. */
  readonly base: () => Record<string, unknown>;
  readonly auth: boolean;
  /** Commands whose body may be left out: JSON `null` is read as `{}`. */
  readonly optionalBody?: boolean;
}

const routes: readonly BodyRoute[] = [
  {
    name: 'POST /v1/users',
    path: () => '/v1/users',
    schema: api.RegisterRequest,
    base: () => ({ username: 'fuzzed', password: 'correct horse' }),
    auth: false,
  },
  {
    name: 'POST /v1/sessions',
    path: () => '/v1/sessions',
    schema: api.LoginRequest,
    base: () => ({ username: 'alice', password: 'wrong password', deviceName: 'fuzz' }),
    auth: false,
  },
  {
    name: 'POST /v1/conversations',
    path: () => '/v1/conversations',
    schema: api.CreateConversationRequest,
    base: () => ({ kind: 'group', title: 'fuzz', members: ['bob'] }),
    auth: true,
  },
  {
    name: 'POST /v1/conversations/:id/members',
    path: () => `/v1/conversations/${groupId}/members`,
    schema: api.AddMembersRequest,
    base: () => ({ members: ['nobody-at-all'], role: 'member' }),
    auth: true,
  },
  {
    name: 'POST /v1/conversations/:id/messages',
    path: () => `/v1/conversations/${groupId}/messages`,
    schema: api.SendMessageRequest,
    base: () => ({ clientMsgId: 'fuzz-base', type: 'text', body: 'fuzz' }),
    auth: true,
  },
  {
    // Bob's message: alice may not recall it, so even a valid body cannot take anything back.
    name: 'POST /v1/messages/:id/recall',
    path: () => `/v1/messages/${bobsMessage.id}/recall`,
    schema: api.RecallRequest,
    base: () => ({ reason: 'fuzz' }),
    auth: true,
    optionalBody: true,
  },
  {
    name: 'POST /v1/messages/:id/hide',
    path: () => `/v1/messages/${hideTarget.id}/hide`,
    schema: api.EmptyBody,
    base: () => ({}),
    auth: true,
    optionalBody: true,
  },
];

function post(route: BodyRoute, body: string | Uint8Array, contentType?: string | null): Promise<Raw> {
  return raw(t.url, 'POST', route.path(), {
    ...(route.auth ? { token: alice.token } : {}),
    ...(contentType === undefined ? {} : { contentType }),
    body,
  });
}

function schemaValid(route: BodyRoute, value: unknown): boolean {
  const effective = route.optionalBody && value === null ? {} : value;
  return Value.Check(route.schema, effective);
}

/** A value the field's schema refuses: the wrong type, or the right type out of range. */
function wrongValueFor(schema: TSchema): fc.Arbitrary<unknown> {
  return fc
    .oneof(
      fc.jsonValue(),
      fc.constantFrom(null, true, 0, -1, 1.5, '', [], {}, 'x'.repeat(limits.maxTextLength + 1)),
    )
    .filter((v) => !Value.Check(schema, v));
}

const runs = { numRuns: 150 } as const;

/** JSON values with ASCII strings, and with any UTF-16 (lone surrogates included). */
const anyJson = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }));

describe('hostile HTTP bodies', () => {
  before(async () => {
    t = await startTestServer();
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    const conversation = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', title: 'before the fuzz', members: ['bob'] },
    });
    assert.equal(conversation.status, 201);
    groupId = conversation.body.conversation.id;
    const send = async (login: Login, clientMsgId: string, body: string): Promise<Message> => {
      const reply = await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
        token: login.token,
        body: { clientMsgId, body },
      });
      assert.equal(reply.status, 201);
      return reply.body.message;
    };
    before0 = await send(alice, 'before-0', 'acknowledged before the fuzz');
    bobsMessage = await send(bob, 'bob-0', 'bob says hi');
    hideTarget = await send(bob, 'bob-1', 'alice may hide this one');
  });
  after(() => t.close());

  for (const route of routes) {
    describe(route.name, () => {
      it('answers arbitrary JSON values with a registry error, or success only when the schema allows it', async () => {
        await fc.assert(
          fc.asyncProperty(anyJson, async (value) => {
            const text = JSON.stringify(value) ?? 'null';
            const reply = await post(route, text);
            if (poisoned(text) || !schemaValid(route, value)) assertRegistryError(reply, { code: badBody });
            else assertHandled(reply);
          }),
          runs,
        );
      });

      const fields = Object.entries(route.schema.properties);
      if (fields.length > 0) {
        it('refuses a wrong type or value in each known field', async () => {
          await fc.assert(
            fc.asyncProperty(
              fc
                .constantFrom(...fields)
                .chain(([name, schema]) => wrongValueFor(schema).map((v) => [name, v] as const)),
              async ([name, v]) => {
                const text = JSON.stringify({ ...route.base(), [name]: v });
                assertRegistryError(await post(route, text), { code: badBody });
              },
            ),
            runs,
          );
        });
      }

      it('refuses unknown fields', async () => {
        const known = new Set(Object.keys(route.schema.properties));
        await fc.assert(
          fc.asyncProperty(
            fc.string({ minLength: 1 }).filter((k) => !known.has(k)),
            fc.jsonValue(),
            async (key, v) => {
              const text = JSON.stringify({ ...route.base(), [key]: v });
              assertRegistryError(await post(route, text), { code: badBody });
            },
          ),
          runs,
        );
      });

      it('refuses __proto__ and constructor.prototype keys, at the top and nested', async () => {
        const base = JSON.stringify(route.base()).slice(1, -1);
        const sep = base ? ',' : '';
        const bodies = [
          '{"__proto__":{"isAdmin":true}}',
          `{${base}${sep}"__proto__":{"isAdmin":true}}`,
          `{"__proto__":null${sep}${base}}`,
          '{"constructor":{"prototype":{"isAdmin":true}}}',
          `{${base}${sep}"constructor":{"prototype":{"isAdmin":true}}}`,
          `{${base}${sep}"x":[{"y":{"__proto__":{"polluted":1}}}]}`,
          `{${base}${sep}"x":{"constructor":{"prototype":{"polluted":1}}}}`,
          '[{"__proto__":{}}]',
        ];
        for (const body of bodies) assertRegistryError(await post(route, body), { code: 'invalid_json' });
        assert.equal(({} as Record<string, unknown>)['isAdmin'], undefined);
        assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
      });

      it('survives deeply nested arrays and objects (10k and 100k levels)', async () => {
        const arrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
        const objects = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
        // Deep values also go into a known field, where the validator looks at them.
        const field = Object.keys(route.schema.properties)[0] ?? 'deep';
        const inField = (deep: string) =>
          JSON.stringify({ ...route.base(), [field]: '\u0001' }).replace('"\\u0001"', deep);
        const bodies = [arrays(10_000), objects(10_000), inField(arrays(10_000)), inField(objects(9_000))];
        for (const body of bodies) {
          assert.ok(Buffer.byteLength(body) <= limits.maxBodyBytes);
          assertRegistryError(await post(route, body), { code: 'invalid_request' });
        }
        for (const body of [arrays(100_000), objects(100_000)]) {
          assertRegistryError(await post(route, body), { code: 'body_too_large' });
        }
      });

      it('refuses bodies over 64 KiB, with or without a content-length', async () => {
        const huge = JSON.stringify({ ...route.base(), body: 'x'.repeat(limits.maxBodyBytes) });
        assertRegistryError(await post(route, huge), { code: 'body_too_large' });
        assertRegistryError(await post(route, ' '.repeat(limits.maxBodyBytes + 1)), {
          code: 'body_too_large',
        });
        const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 8; i++) controller.enqueue(chunk);
            controller.close();
          },
        });
        const streamed = await raw(t.url, 'POST', route.path(), {
          ...(route.auth ? { token: alice.token } : {}),
          body: stream,
        });
        assertRegistryError(streamed, { code: 'body_too_large' });
      });

      it('refuses text that is not JSON', async () => {
        const fixed = [
          '{',
          '{"a":',
          '{"a":1,}',
          "{'a':1}",
          'undefined',
          'NaN',
          '[1,2',
          '"unterminated',
          '{}{}',
        ];
        for (const body of fixed) assertRegistryError(await post(route, body), { code: 'invalid_json' });
        await fc.assert(
          fc.asyncProperty(
            fc.string({ minLength: 1 }).filter((s) => {
              try {
                JSON.parse(s);
                return false;
              } catch {
                return true;
              }
            }),
            async (body) => {
              assertRegistryError(await post(route, body), { code: 'invalid_json' });
            },
          ),
          runs,
        );
      });

      it('refuses an empty body sent as JSON', async () => {
        assertRegistryError(await post(route, ''), { code: 'invalid_json' });
      });

      it('refuses other content types, and a body without one', async () => {
        const body = JSON.stringify(route.base());
        for (const type of [
          'text/plain',
          'text/plain; charset=utf-8',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/jsonx',
          'application/octet-stream',
        ]) {
          assertRegistryError(await post(route, body, type), { code: 'unsupported_media_type' });
        }
        assertRegistryError(await post(route, new TextEncoder().encode(body), null), {
          code: 'unsupported_media_type',
        });
      });

      it('refuses bodies that are not UTF-8', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom([0xff], [0xfe], [0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]),
            fc.string({ maxLength: 8 }),
            async (bad, text) => {
              // A well-formed body with invalid bytes inside a string: nothing may be stored with them
              // silently replaced.
              const [head, tail] = JSON.stringify({ ...route.base(), x: `${text}\u0000` }).split('\\u0000');
              const body = Buffer.concat([Buffer.from(head!), Buffer.from(bad), Buffer.from(tail!)]);
              assertRegistryError(await post(route, body), { code: 'invalid_json' });
            },
          ),
          { numRuns: 40 },
        );
        // Even when the rest of the body is valid for the route, invalid UTF-8 is refused, not repaired.
        if (route.name === 'POST /v1/conversations/:id/messages') {
          const body = Buffer.concat([
            Buffer.from('{"clientMsgId":"utf8-bad","body":"a'),
            Buffer.from([0xff, 0xfe]),
            Buffer.from('b"}'),
          ]);
          assertRegistryError(await post(route, body), { code: 'invalid_json' });
        }
      });
    });
  }

  describe('query strings and path ids', () => {
    it('refuses bad sync and history queries', async () => {
      const cases: [string, ErrorCode][] = [
        ['/v1/sync?after=-1', 'invalid_request'],
        ['/v1/sync?after=abc', 'invalid_request'],
        ['/v1/sync?after=1.5', 'invalid_request'],
        ['/v1/sync?after=', 'invalid_request'],
        ['/v1/sync?after=1&after=2', 'invalid_request'],
        ['/v1/sync?limit=100000', 'invalid_request'],
        ['/v1/sync?limit=0', 'invalid_request'],
        ['/v1/sync?limit=-5', 'invalid_request'],
        ['/v1/sync?unknown=1', 'invalid_request'],
        // Coercion must not read these as numbers.
        ['/v1/sync?after=%20', 'invalid_request'],
        ['/v1/sync?after=0x10', 'invalid_request'],
        ['/v1/sync?limit=1e1', 'invalid_request'],
        ['/v1/sync?after=+1', 'invalid_request'],
        ['/v1/sync?after=999999999', 'cursor_ahead'],
        [`/v1/conversations/${groupId}/messages?before=abc`, 'invalid_request'],
        [`/v1/conversations/${groupId}/messages?before=-1`, 'invalid_request'],
        [`/v1/conversations/${groupId}/messages?before=${'9'.repeat(16)}`, 'invalid_request'],
        [`/v1/conversations/${groupId}/messages?limit=100000`, 'invalid_request'],
        [`/v1/conversations/${groupId}/messages?limit=abc`, 'invalid_request'],
        [`/v1/conversations/${groupId}/messages?x=1`, 'invalid_request'],
      ];
      for (const [path, code] of cases) {
        assertRegistryError(await raw(t.url, 'GET', path, { token: alice.token, contentType: null }), {
          code,
        });
      }
    });

    it('refuses bad path ids with invalid_request, and well-formed unknown ones with not_found', async () => {
      const token = alice.token;
      const cases: [string, string, ErrorCode][] = [
        ['GET', '/v1/conversations/xx/messages', 'invalid_request'],
        ['GET', '/v1/conversations/%00/messages', 'invalid_request'],
        ['GET', '/v1/conversations/%ff/messages', 'invalid_request'],
        ['GET', `/v1/conversations/c_${'a'.repeat(60)}`, 'invalid_request'],
        ['GET', '/v1/conversations/..%2F..%2Fhealthz', 'invalid_request'],
        ['GET', '/v1/conversations/C_ABC', 'invalid_request'],
        ['GET', '/v1/conversations/c_doesNotExist', 'not_found'],
        ['GET', '/v1/conversations/m_wrongKind', 'not_found'],
        ['POST', '/v1/messages/%E2%80%AE/recall', 'invalid_request'],
        ['POST', '/v1/messages/m_doesNotExist/recall', 'not_found'],
        ['POST', '/v1/messages/m_doesNotExist/hide', 'not_found'],
        ['DELETE', `/v1/conversations/${groupId}/members/%20`, 'invalid_request'],
        ['GET', '/v1/nothing-here', 'route_not_found'],
      ];
      for (const [method, path, code] of cases) {
        assertRegistryError(await raw(t.url, method, path, { token, contentType: null }), { code });
      }
    });

    it('answers any string as a path id with a registry error', async () => {
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }), async (id) => {
          const segment = encodeURIComponent(id);
          for (const [method, path] of [
            ['GET', `/v1/conversations/${segment}/messages`],
            ['POST', `/v1/messages/${segment}/recall`],
          ] as const) {
            const reply = await raw(t.url, method, path, { token: alice.token, contentType: null });
            assertRegistryError(reply, { code: ['invalid_request', 'not_found', 'route_not_found'] });
          }
        }),
        runs,
      );
    });
  });

  describe('after the fuzz', () => {
    it('is healthy, accepts a normal send, and has lost nothing acknowledged', async () => {
      const health = await call<{ status: string }>(t.url, 'GET', '/healthz');
      assert.equal(health.status, 200);
      assert.equal(health.body.status, 'ok');

      const sent = await call<{ message: Message; created: boolean }>(
        t.url,
        'POST',
        `/v1/conversations/${groupId}/messages`,
        { token: alice.token, body: { clientMsgId: 'after-fuzz', body: 'still here' } },
      );
      assert.equal(sent.status, 201);
      assert.equal(sent.body.created, true);

      for (const login of [alice, bob]) {
        const page = await call<{ messages: Message[] }>(
          t.url,
          'GET',
          `/v1/conversations/${groupId}/messages?limit=500`,
          { token: login.token },
        );
        assert.equal(page.status, 200);
        const byId = new Map(page.body.messages.map((m) => [m.id, m]));
        assert.equal(byId.get(before0.id)?.body, 'acknowledged before the fuzz');
        assert.equal(byId.get(before0.id)?.recalled, null);
        assert.equal(byId.get(bobsMessage.id)?.body, 'bob says hi');
        assert.equal(byId.get(sent.body.message.id)?.body, 'still here');
      }
      // Nothing the fuzz sent as a "wrong type" was coerced into a stored message.
      const page = await call<{ messages: Message[] }>(
        t.url,
        'GET',
        `/v1/conversations/${groupId}/messages`,
        {
          token: bob.token,
        },
      );
      assert.deepEqual(
        page.body.messages.map((m) => m.clientMsgId).sort(),
        ['after-fuzz', 'before-0', 'bob-0', 'bob-1'].sort(),
      );
    });
  });
});
