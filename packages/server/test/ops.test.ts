import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@retract/protocol';
import { call, registerAndLogin, startTestServer, type TestServer } from './support/harness.js';

describe('operations endpoints', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('reports health with the storage check', async () => {
    const health = await call<{ status: string; storage: string }>(t.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok', storage: 'ok' });
  });

  it('counts sends and recall outcomes in Prometheus metrics', async () => {
    const alice = await registerAndLogin(t.url, 'alice');
    const c = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: [] },
    });
    const sent = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${c.body.conversation.id}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'm1', body: 'x' },
      },
    );
    await call(t.url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, { token: alice.token });
    await call(t.url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, { token: alice.token });
    const response = await fetch(`${t.url}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /^retract_messages_sent_total 1$/m);
    assert.match(text, /^retract_recall_attempts_total\{outcome="recalled"\} 1$/m);
    assert.match(text, /^retract_recall_attempts_total\{outcome="already_recalled"\} 1$/m);
    assert.match(
      text,
      /^retract_http_request_duration_seconds_count\{method="POST",route="\/v1\/messages\/:id\/recall",status="200"\} 2$/m,
    );
  });

  it('serves an OpenAPI document that names every core path', async () => {
    const doc = await call<{ openapi: string; paths: Record<string, unknown> }>(
      t.url,
      'GET',
      '/v1/openapi.json',
    );
    assert.equal(doc.status, 200);
    assert.match(doc.body.openapi, /^3\./);
    for (const path of [
      '/v1/users',
      '/v1/sessions',
      '/v1/sessions/current',
      '/v1/conversations',
      '/v1/conversations/{id}/members',
      '/v1/conversations/{id}/members/{userId}',
      '/v1/conversations/{id}/messages',
      '/v1/messages/{id}/recall',
      '/v1/messages/{id}/hide',
      '/v1/sync',
      '/v1/admin/stats',
      '/v1/admin/stats/what-if',
      '/v1/push/vapid-public-key',
      '/v1/devices/me/push-targets',
      '/v1/devices/me/push-targets/{id}',
      '/v1/me/password',
      '/v1/admin/users/{username}/disable',
      '/v1/admin/users/{username}/enable',
      '/v1/admin/webhooks',
      '/v1/admin/webhooks/{id}/deliveries',
      '/v1/admin/api-keys',
      '/v1/admin/messages/{id}/recall',
      '/v1/admin/recalls',
    ]) {
      assert.ok(path in doc.body.paths, `${path} is documented`);
    }
  });

  it('shows a landing page at /', async () => {
    const response = await fetch(`${t.url}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Retract is running/);
  });
});
