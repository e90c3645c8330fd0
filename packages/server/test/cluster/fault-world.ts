import assert from 'node:assert/strict';
import { call, login, register, type Login } from '../support/harness.js';
import { until } from '../support/redis.js';
import { freshDatabase, startCluster, testPostgresUrl, testRedisUrl, type Cluster } from './cluster.js';
import { Device, printTally, type DeviceTally } from './device.js';

/**
 * The world of the fault tests (faults-*.test.ts): a real cluster (three server processes, PostgreSQL,
 * Redis), a group of six users with one device each spread over the nodes, and the Jepsen-style tally
 * each test ends with — per device, messages lost, duplicated, and recalled-but-still-shown, all zero.
 * Only processes these tests start are stopped (by PID); PostgreSQL is cut through a proxy of their own.
 */

export interface World {
  cluster: Cluster;
  users: Login[];
  devices: Device[];
  groupId: string;
  dead: Set<number>;
  cleanup: (() => Promise<void>)[];
}

export async function world(options: {
  busUrl?: string;
  storeUrl?: (dbUrl: string) => string;
  users?: number;
}) {
  const db = await freshDatabase(testPostgresUrl!);
  const cleanup: (() => Promise<void>)[] = [() => db.drop()];
  const cluster = await startCluster({
    count: 3,
    storeUrl: options.storeUrl ? options.storeUrl(db.url) : db.url,
    busUrl: options.busUrl ?? testRedisUrl!,
  });
  cleanup.unshift(() => cluster.close());
  const dead = new Set<number>();
  const users: Login[] = [];
  const count = options.users ?? 6;
  for (let i = 0; i < count; i++) {
    await register(cluster.nodes[0]!.url, `user${i}`);
    users.push(await login(cluster.nodes[i % 3]!.url, `user${i}`, `device${i}`));
  }
  const created = await call<{ conversation: { id: string } }>(
    cluster.nodes[1]!.url,
    'POST',
    '/v1/conversations',
    {
      token: users[0]!.token,
      body: { kind: 'group', title: 'faults', members: users.slice(1).map((_, i) => `user${i + 1}`) },
    },
  );
  assert.equal(created.status, 201);
  const alive = () => cluster.nodes.map((n, i) => ({ wsUrl: n.wsUrl, alive: !dead.has(i) }));
  const devices: Device[] = [];
  for (const [i, u] of users.entries()) {
    const d = new Device(`user${i}@n${i % 3}`, u.userId, u.token, alive, i % 3);
    await d.connect();
    devices.push(d);
  }
  cleanup.unshift(async () => devices.forEach((d) => d.close()));
  const w: World = { cluster, users, devices, groupId: created.body.conversation.id, dead, cleanup };
  return w;
}

export async function dispose(w: World | undefined) {
  for (const step of w?.cleanup ?? []) await step();
}

export const aliveNode = (w: World, i: number) => {
  const live = w.cluster.nodes.filter((_, k) => !w.dead.has(k));
  return live[i % live.length]!;
};

/** Waits until every device has applied every event its user has, as a live node reports it. */
export async function converge(w: World, timeoutMs = 30_000) {
  for (const [i, d] of w.devices.entries()) {
    const user = w.users[i]!;
    await until(
      `${d.name} converges`,
      async () => {
        const page = await call<{ events: { seq: number }[] }>(
          aliveNode(w, 0).url,
          'GET',
          '/v1/sync?after=0&limit=500',
          {
            token: user.token,
          },
        );
        const last = page.body.events.at(-1)?.seq ?? 0;
        return page.status === 200 && d.cursor >= last && last > 0;
      },
      timeoutMs,
    );
  }
}

export function assertClean(title: string, tallies: DeviceTally[]) {
  printTally(title, tallies);
  for (const t of tallies) {
    assert.deepEqual(
      { lost: t.lost, duplicated: t.duplicated, recalledButShown: t.recalledButShown },
      { lost: 0, duplicated: 0, recalledButShown: 0 },
      t.device,
    );
  }
}
