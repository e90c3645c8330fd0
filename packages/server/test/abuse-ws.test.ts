import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { errorRegistry } from '@retract/protocol';
import { ConfigError, loadConfig } from '../src/index.js';
import {
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * WebSocket abuse: a page from a foreign origin gets no socket; a user cannot hold more than the cap;
 * a socket that stops answering pings is dropped.
 */

function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
  });
}

async function metricsText(t: TestServer): Promise<string> {
  return (await fetch(`${t.url}/metrics`)).text();
}

describe('WebSocket Origin allow-list', () => {
  let t: TestServer;
  let alice: Login;

  before(async () => {
    t = await startTestServer({ config: { ws: { allowedOrigins: ['https://chat.example.com'] } } });
    alice = await registerAndLogin(t.url, 'alice');
  });
  after(() => t.close());

  it('refuses a foreign origin with 403 before the socket opens, and allows the rest', async () => {
    const auth = { authorization: `Bearer ${alice.token}` };
    assert.equal(await upgradeStatus(t.wsUrl, { ...auth, origin: 'https://evil.example' }), 403);
    // A look-alike is foreign too.
    assert.equal(
      await upgradeStatus(t.wsUrl, { ...auth, origin: 'https://chat.example.com.evil.example' }),
      403,
    );
    assert.equal(await upgradeStatus(t.wsUrl, { ...auth, origin: 'http://chat.example.com' }), 403);
    assert.equal(await upgradeStatus(t.wsUrl, { ...auth, origin: 'null' }), 403);
    // Refused before authentication: no token needed to be turned away, none helps.
    assert.equal(await upgradeStatus(t.wsUrl, { origin: 'https://evil.example' }), 403);
    // Listed, same origin (the server's own pages), and no Origin at all (not a browser).
    assert.equal(await upgradeStatus(t.wsUrl, { ...auth, origin: 'https://chat.example.com' }), 101);
    assert.equal(await upgradeStatus(t.wsUrl, { ...auth, origin: t.url }), 101);
    assert.equal(await upgradeStatus(t.wsUrl, auth), 101);
    assert.match(await metricsText(t), /retract_ws_refused_total\{reason="origin"\} 5\b/);
  });

  it('allows every origin with ["*"]', async () => {
    const open = await startTestServer({ config: { ws: { allowedOrigins: ['*'] } } });
    try {
      const bob = await registerAndLogin(open.url, 'bob');
      const headers = { authorization: `Bearer ${bob.token}`, origin: 'https://evil.example' };
      assert.equal(await upgradeStatus(open.wsUrl, headers), 101);
    } finally {
      await open.close();
    }
  });

  it('refuses a configuration entry that is not an origin', () => {
    for (const entry of ['chat.example.com', 'https://chat.example.com/app', 'not a url']) {
      assert.throws(() => loadConfig({ ws: { allowedOrigins: [entry] } }), ConfigError, entry);
    }
    assert.doesNotThrow(() => loadConfig({ ws: { allowedOrigins: ['https://chat.example.com:8443', '*'] } }));
  });
});

describe('per-user connection cap', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;

  before(async () => {
    t = await startTestServer({ config: { ws: { maxConnectionsPerUser: 2 } } });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
  });
  after(() => t.close());

  it('closes the socket past the cap with too_many_connections, and only for that user', async () => {
    const first = await RecordingSocket.open(t.wsUrl, alice.token);
    const second = await RecordingSocket.open(t.wsUrl, alice.token);
    await first.waitFor((f) => f.type === 'ready');
    await second.waitFor((f) => f.type === 'ready');
    const third = await RecordingSocket.open(t.wsUrl, alice.token);
    assert.equal(await third.waitClose(), errorRegistry.too_many_connections.wsClose);
    assert.equal(third.closeCode, 4409);
    assert.equal(third.frames.length, 0, 'no ready, no events');
    // Browsers authenticating by frame hit the same cap.
    const fourth = await RecordingSocket.openWithAuthFrame(t.wsUrl, alice.token);
    assert.equal(await fourth.waitClose(), 4409);
    // Another user is not affected, and the first two still work.
    const bobs = await RecordingSocket.open(t.wsUrl, bob.token);
    await bobs.waitFor((f) => f.type === 'ready');
    first.send({ type: 'ping', id: 'p' });
    await first.waitFor((f) => f.type === 'pong');
    // A freed place can be taken again.
    await second.close();
    const again = await RecordingSocket.open(t.wsUrl, alice.token);
    await again.waitFor((f) => f.type === 'ready');
    assert.match(await metricsText(t), /retract_ws_refused_total\{reason="connection_cap"\} 2\b/);
    await Promise.all([first.close(), again.close(), bobs.close()]);
  });
});

describe('heartbeat', () => {
  let t: TestServer;
  let alice: Login;

  before(async () => {
    t = await startTestServer({ config: { ws: { pingIntervalMs: 150 } } });
    alice = await registerAndLogin(t.url, 'alice');
  });
  after(() => t.close());

  it('drops a socket that stops answering pings and keeps one that answers', async () => {
    const open = (autoPong: boolean) =>
      new Promise<{ ws: WebSocket; closed: Promise<number> }>((resolve, reject) => {
        const ws = new WebSocket(t.wsUrl, { headers: { authorization: `Bearer ${alice.token}` }, autoPong });
        const closed = new Promise<number>((done) => ws.on('close', (code) => done(code)));
        ws.once('open', () => resolve({ ws, closed }));
        ws.once('error', reject);
      });
    const healthy = await open(true);
    const silent = await open(false);
    let pings = 0;
    silent.ws.on('ping', () => pings++);
    // Terminated, not closed politely: the peer is presumed gone (1006 on this side).
    assert.equal(await silent.closed, 1006);
    assert.ok(pings >= 1, 'it was pinged first');
    // Several more intervals later the one that answers is still there.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal(healthy.ws.readyState, WebSocket.OPEN);
    healthy.ws.close();
    await healthy.closed;
  });
});
