import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorRegistry, type Message } from '@retract/protocol';
import type { Bus, BusMessage } from '../../src/bus/bus.js';
import { createMemoryBus } from '../../src/bus/memory/memory-bus.js';
import {
  call,
  login,
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from '../support/harness.js';

/**
 * What the gateway does when its bus says messages may have been lost (`onReconnect`): every open socket
 * reads what it missed from storage, as on a sequence gap — without waiting for a next event to show the
 * gap — and a logout whose revocation was lost closes the sockets of that device.
 */
function lossyBus() {
  const inner = createMemoryBus();
  const reconnectHandlers = new Set<() => void>();
  const dropped: BusMessage[] = [];
  const control = { dropping: false };
  const bus: Bus = {
    publish: (message) => {
      if (control.dropping) {
        dropped.push(message);
        return Promise.resolve();
      }
      return inner.publish(message);
    },
    subscribe: (handler) => inner.subscribe(handler),
    onReconnect(handler) {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    close: () => inner.close(),
  };
  return {
    bus,
    control,
    dropped,
    reconnect: () => {
      for (const handler of reconnectHandlers) handler();
    },
  };
}

describe('gateway: catch-up when the bus reconnects', () => {
  const lossy = lossyBus();
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let conversationId: string;

  before(async () => {
    t = await startTestServer({ parts: { bus: lossy.bus } });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    conversationId = created.body.conversation.id;
  });
  after(() => t.close());

  it('has every open socket read what the lost bus messages carried, from storage', async () => {
    const phone = await RecordingSocket.open(t.wsUrl, bob.token, 0);
    await phone.waitFor((f) => f.type === 'synced');
    const before = phone.events().length;

    lossy.control.dropping = true;
    const sent = await call<{ message: Message }>(
      t.url,
      'POST',
      `/v1/conversations/${conversationId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'lost-1', body: 'sent while the bus was down' },
      },
    );
    assert.equal(sent.status, 201);
    assert.equal(lossy.dropped.length, 1, 'the bus dropped it');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(phone.events().length, before, 'no gap to notice: the socket has not heard of it');

    lossy.control.dropping = false;
    lossy.reconnect();
    const caught = await phone.waitForEvent(
      (e) => e.type === 'message.created' && e.message.id === sent.body.message.id,
    );
    assert.equal(caught.type === 'message.created' && caught.message.body, 'sent while the bus was down');
    assert.equal(phone.frames.filter((f) => f.type === 'synced').length, 1, 'synced is announced once');

    // Live delivery goes on in order after the catch-up, with no repeat.
    await call(t.url, 'POST', `/v1/conversations/${conversationId}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'after-1', body: 'after the outage' },
    });
    await phone.waitForEvent((e) => e.type === 'message.created' && e.message.body === 'after the outage');
    const seqs = phone.frames.flatMap((f) => (f.type === 'event' ? [f.event.seq] : []));
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'gap-free, no repeats',
    );
    assert.match(
      await t.server.context.metrics.registry.getSingleMetricAsString('retract_bus_resyncs_total'),
      /retract_bus_resyncs_total 1/,
    );
    await phone.close();
  });

  it('closes the sockets of a device whose revocation was lost', async () => {
    const laptop = await login(t.url, 'bob', 'laptop');
    const socket = await RecordingSocket.open(t.wsUrl, laptop.token);
    await socket.waitFor((f) => f.type === 'synced');
    const staying = await RecordingSocket.open(t.wsUrl, bob.token);
    await staying.waitFor((f) => f.type === 'synced');

    lossy.control.dropping = true;
    assert.equal((await call(t.url, 'DELETE', '/v1/sessions/current', { token: laptop.token })).status, 204);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(socket.closeCode, undefined, 'the revocation was lost: the socket is still open');

    lossy.control.dropping = false;
    lossy.reconnect();
    assert.equal(await socket.waitClose(), errorRegistry.session_revoked.wsClose);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(staying.closeCode, undefined, 'a device still logged in keeps its socket');
    await staying.close();
  });
});
