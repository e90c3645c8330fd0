import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Bus, BusMessage } from '../../src/bus/bus.js';

/** The bus port's contract, run against every implementation (memory, Redis; NATS later). */
export interface BusFactory {
  readonly name: string;
  /** A reason to skip the suite (its backend is not available here), or false to run it. */
  readonly skip?: string | false;
  /** Two handles on one bus, as two nodes would have. */
  open(): Promise<{ a: Bus; b: Bus }>;
}

const sample = (seq: number): BusMessage => ({
  kind: 'events',
  event: { type: 'member.removed', at: '2026-01-01T00:00:00.000Z', conversationId: 'c_x', userId: 'u_x' },
  deliveries: [{ userId: 'u_x', seq }],
});

function collector() {
  const seen: BusMessage[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  return {
    seen,
    handler: (m: BusMessage) => {
      seen.push(m);
      for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
    },
    until: (n: number) =>
      seen.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
}

export function busContract(factory: BusFactory): void {
  describe(`bus contract: ${factory.name}`, { skip: factory.skip ?? false }, () => {
    let a: Bus;
    let b: Bus;
    beforeEach(async () => ({ a, b } = await factory.open()));
    afterEach(async () => {
      await a.close();
      await b.close();
    });

    it('delivers a published message to every subscriber, in publish order', async () => {
      const one = collector();
      const two = collector();
      a.subscribe(one.handler);
      b.subscribe(two.handler);
      for (let seq = 1; seq <= 5; seq++) await a.publish(sample(seq));
      await Promise.all([one.until(5), two.until(5)]);
      for (const c of [one, two]) {
        assert.deepEqual(
          c.seen.map((m) => (m.kind === 'events' ? m.deliveries[0]?.seq : -1)),
          [1, 2, 3, 4, 5],
        );
      }
    });

    it('stops delivering after unsubscribe', async () => {
      const kept = collector();
      const dropped = collector();
      b.subscribe(kept.handler);
      const off = b.subscribe(dropped.handler);
      off();
      await a.publish(sample(1));
      await kept.until(1);
      assert.equal(dropped.seen.length, 0);
    });

    it('carries device revocations', async () => {
      const c = collector();
      b.subscribe(c.handler);
      await a.publish({ kind: 'device.revoked', userId: 'u_x', deviceId: 'd_x' });
      await c.until(1);
      assert.deepEqual(c.seen[0], { kind: 'device.revoked', userId: 'u_x', deviceId: 'd_x' });
    });
  });
}
