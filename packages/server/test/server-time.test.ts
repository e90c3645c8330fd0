import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './support/harness.js';

/**
 * Every answer carries the server's clock (`retract-time`), the one that decides every window, so a
 * client whose own clock is off can still count down to a deadline the server gave.
 */
describe('retract-time: the server clock on every answer', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
  });

  after(async () => {
    await t.close();
  });

  it('stamps successes, errors and unknown routes with the server clock, not the machine’s', async () => {
    t.clock.advance(7 * 24 * 3_600_000);
    for (const [path, status] of [
      ['/healthz', 200],
      ['/v1/me', 401],
      ['/v1/nowhere', 404],
    ] as const) {
      const response = await fetch(t.url + path);
      await response.arrayBuffer();
      assert.equal(response.status, status, path);
      assert.equal(response.headers.get('retract-time'), new Date(t.clock.now()).toISOString(), path);
    }
  });
});
