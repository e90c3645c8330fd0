import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { errorRegistry } from '@retract/protocol';
import {
  call,
  registerAndLogin,
  RecordingSocket,
  startTestServer,
  type Login,
  type TestServer,
} from './support/harness.js';

/**
 * A client that stops reading is cut off (close 4429 `slow_consumer`, counted in
 * `retract_ws_slow_consumer_disconnects_total`) and nobody else waits for it: the other members'
 * delivery latency while it is stuck is compared, as a ratio of medians over many messages, with the
 * same run while it still reads. Ratios, not times, so a busy machine slows both sides alike.
 */

const filler = 'lorem ipsum dolor sit amet '.repeat(550); // ~15 KB per event: buffers fill quickly

/** A member's socket that notes when each numbered message arrived. */
class Reader {
  private readonly arrived = new Map<string, number>();
  private waiters = new Map<string, () => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = String(data);
      const marker = /"body":"(m-[a-z]+-[0-9]+) /.exec(text)?.[1];
      if (marker === undefined) return;
      this.arrived.set(marker, performance.now());
      this.waiters.get(marker)?.();
      this.waiters.delete(marker);
    });
  }

  static async open(t: TestServer, token: string): Promise<Reader> {
    const ws = new WebSocket(t.wsUrl, { headers: { authorization: `Bearer ${token}` } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Reader(ws);
  }

  /** Resolves with the arrival time of the marked message. */
  arrival(marker: string, timeoutMs = 15_000): Promise<number> {
    const at = this.arrived.get(marker);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${marker} never arrived`)), timeoutMs);
      this.waiters.set(marker, () => {
        clearTimeout(timer);
        resolve(this.arrived.get(marker)!);
      });
    });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

describe('slow consumer', () => {
  let t: TestServer;
  let sender: RecordingSocket;
  let readers: Reader[];
  let sloth: RecordingSocket;
  let groupId: string;

  before(async () => {
    t = await startTestServer({ config: { ws: { maxBufferedBytes: 64 * 1024 } } });
    const alice = await registerAndLogin(t.url, 'alice');
    const members: Login[] = [];
    for (const name of ['bob', 'carol', 'dave']) members.push(await registerAndLogin(t.url, name));
    const slow = await registerAndLogin(t.url, 'sloth');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob', 'carol', 'dave', 'sloth'] },
    });
    groupId = created.body.conversation.id;
    sender = await RecordingSocket.open(t.wsUrl, alice.token);
    await sender.waitFor((f) => f.type === 'synced');
    readers = await Promise.all(members.map((m) => Reader.open(t, m.token)));
    sloth = await RecordingSocket.open(t.wsUrl, slow.token);
    await sloth.waitFor((f) => f.type === 'synced');
  });
  after(() => t.close());

  /** Sends one message and resolves with the time until every healthy reader had it (ms). */
  async function roundTrip(marker: string): Promise<number> {
    const started = performance.now();
    sender.send({
      type: 'send',
      id: marker,
      conversationId: groupId,
      clientMsgId: marker,
      body: `${marker} ${filler}`,
    });
    const arrivals = await Promise.all(readers.map((r) => r.arrival(marker)));
    return Math.max(...arrivals) - started;
  }

  const slowConsumers = () =>
    t.server.context.metrics.slowConsumers.get().then((m) => m.values[0]?.value ?? 0);

  it('cuts off a client that never reads, while the others’ latency stays flat', async (test) => {
    for (let i = 0; i < 30; i++) await roundTrip(`m-warm-${i}`); // JIT, caches, buffers

    // Baseline: everyone reads, the sloth too.
    const baseline: number[] = [];
    for (let i = 0; i < 150; i++) baseline.push(await roundTrip(`m-base-${i}`));
    assert.equal(await slowConsumers(), 0);

    // The sloth stops reading: its socket's kernel buffers fill, then the server's backlog for it.
    (sloth.socket as unknown as { _socket: Socket })._socket.pause();
    const whileStuck: number[] = [];
    let sent = 0;
    while ((await slowConsumers()) === 0) {
      assert.ok(sent < 5000, 'the slow client was never cut off');
      whileStuck.push(await roundTrip(`m-stuck-${sent++}`));
    }
    // Delivery goes on for the others after the cut-off.
    for (let i = 0; i < 20; i++) await roundTrip(`m-after-${i}`);

    assert.ok(whileStuck.length >= 30, `only ${whileStuck.length} messages measured while it was stuck`);
    const ratio = median(whileStuck) / Math.max(median(baseline), 1);
    test.diagnostic(
      `${whileStuck.length} messages while stuck: median ${median(whileStuck).toFixed(2)} ms; ` +
        `baseline ${median(baseline).toFixed(2)} ms; ratio ${ratio.toFixed(2)}`,
    );
    assert.ok(
      ratio < 3,
      `median latency ${median(whileStuck).toFixed(2)} ms while a client was stuck vs ` +
        `${median(baseline).toFixed(2)} ms without (×${ratio.toFixed(2)})`,
    );

    // Once it reads again it finds the close frame behind what was buffered: 4429, slow_consumer.
    (sloth.socket as unknown as { _socket: Socket })._socket.resume();
    assert.equal(await sloth.waitClose(), errorRegistry.slow_consumer.wsClose);
    assert.equal(sloth.closeCode, 4429);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(metrics, /retract_ws_slow_consumer_disconnects_total 1\b/);
    // Only the sloth: the healthy readers are still open.
    for (const r of readers) assert.equal(r.ws.readyState, WebSocket.OPEN);
    for (const r of readers) r.ws.close();
    await sender.close();
  });
});
