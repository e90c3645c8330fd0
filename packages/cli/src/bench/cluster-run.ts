import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildren, startChild, type Child } from './child.js';
import {
  clusterTopologies,
  type ClusterBenchResults,
  type Topology,
  type TopologyResult,
} from './cluster-results.js';
import { cpuMeter } from './cpu.js';
import { closeDevices, type Device, type Group } from './devices.js';
import { machine } from './environment.js';
import { HttpClient } from './http-client.js';
import { httpRecall, wsSend } from './ops.js';
import type { BenchOptions, ClusterOptions } from './options.js';
import { freshDatabase, type BenchDatabase } from './postgres-database.js';
import { Progress, type Bar } from './progress.js';
import { runFanout } from './recall-fanout.js';
import { connectAccounts, createAccounts, createGroups, type Account } from './retract-setup.js';
import { runThroughput } from './throughput.js';

/** Same server settings as the single-node bench, stated in the report. */
const PASSWORD_HASH_COST = 1024;
const LOG_LEVEL = 'silent';
const MEMBERS_PER_REQUEST = 1000;

/**
 * `retract bench --cluster`: the same load against one node on embedded SQLite, one node on PostgreSQL
 * with the Redis bus, and N nodes sharing that PostgreSQL and Redis, one topology after another in one
 * run. Each topology gets a fresh database (created on the PostgreSQL server given, dropped after) and
 * fresh data directories; devices are spread over the nodes round-robin, so most of a group's members sit
 * on other nodes than its sender and every delivery crosses the bus.
 */
export async function runClusterBench(
  o: BenchOptions,
  cluster: ClusterOptions,
): Promise<ClusterBenchResults> {
  const progress = new Progress(o.progress);
  const loadAtStart = loadavg()[0] ?? 0;
  const workDir = mkdtempSync(join(tmpdir(), 'retract-bench-cluster-'));
  const databases = new Set<BenchDatabase>();
  const cleanUp = async () => {
    killChildren();
    await Promise.allSettled([...databases].map((d) => d.drop()));
    rmSync(workDir, { recursive: true, force: true });
  };
  const abort = (why: string, code: number) => {
    process.stderr.write(`\nretract bench: ${why}; stopping the child processes\n`);
    void cleanUp().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => abort(`--max-time (${o.maxTimeMs / 1000} s) ran out`, 2), o.maxTimeMs);
  const onSigint = () => abort('interrupted', 130);
  process.once('SIGINT', onSigint);
  process.once('exit', killChildren);
  try {
    const topologies: TopologyResult[] = [];
    for (const topology of clusterTopologies(cluster.nodes)) {
      progress.note(`\n${topology.name}`);
      const database = topology.storage === 'postgres' ? await freshDatabase(cluster.storeUrl) : undefined;
      if (database) databases.add(database);
      try {
        topologies.push(
          await measureTopology(o, progress, topology, {
            dir: join(workDir, topology.key),
            storeUrl: database?.url,
            busUrl: cluster.busUrl,
            onUnexpectedExit: (description) => abort(description.trimEnd(), 1),
          }),
        );
      } finally {
        if (database) {
          await database.drop();
          databases.delete(database);
        }
      }
    }
    return {
      environment: machine(loadAtStart),
      server: { passwordHashCost: PASSWORD_HASH_COST, logLevel: LOG_LEVEL },
      store: redacted(cluster.storeUrl),
      bus: redacted(cluster.busUrl),
      load: {
        devices: Math.max(o.groups * o.members, o.devices),
        groups: o.groups,
        members: o.members,
        window: o.window,
        durationMs: o.durationMs,
        bodyBytes: o.bodyBytes,
        recallDevices: o.devices,
        recalls: o.recalls,
      },
      topologies,
    };
  } finally {
    clearTimeout(watchdog);
    process.off('SIGINT', onSigint);
    await cleanUp();
  }
}

interface Place {
  readonly dir: string;
  readonly storeUrl: string | undefined;
  readonly busUrl: string;
  readonly onUnexpectedExit: (description: string) => void;
}

async function measureTopology(
  o: BenchOptions,
  progress: Progress,
  topology: Topology,
  place: Place,
): Promise<TopologyResult> {
  const nodes: Child[] = [];
  const clients: HttpClient[] = [];
  const open = new Set<Device>();
  try {
    nodes.push(...(await startNodes(o, topology, place)));
    clients.push(...nodes.map((n) => new HttpClient(new URL(n.url), o.httpSockets, o.timeoutMs)));
    progress.note(`  nodes: ${nodes.map((n) => `pid ${n.pid} at ${n.url}`).join('; ')}`);
    const setup = { accountsMs: 0, connectMs: 0 };

    const count = Math.max(o.groups * o.members, o.devices);
    let t0 = performance.now();
    const accountsBar = progress.bar('register + log in users', count);
    // Setup requests go to the nodes in turn, like the devices.
    const accounts = (
      await Promise.all(
        clients.map((http, n) =>
          createAccounts(http, `${topology.key}n${n}u`, share(count, clients.length, n), accountsBar),
        ),
      )
    ).flat();
    accountsBar.done();
    setup.accountsMs = performance.now() - t0;

    t0 = performance.now();
    const devices = await connectSpread(o, nodes, accounts, progress.bar('connect devices', count));
    for (const d of devices) open.add(d);
    setup.connectMs = performance.now() - t0;

    const throughput = o.throughput
      ? await throughputOf(o, progress, nodes, clients[0]!, accounts, devices)
      : undefined;
    const recall = o.recall ? await recallOf(o, progress, clients[0]!, accounts, devices) : undefined;
    return {
      ...topology,
      setup,
      reconnects: devices.reduce((sum, d) => sum + d.peer.reconnects, 0),
      ...(throughput && { throughput }),
      ...(recall && { recall }),
    };
  } finally {
    closeDevices(open);
    for (const c of clients) c.close();
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

/** The first node starts alone (it creates the schema and the key files the others share). */
async function startNodes(o: BenchOptions, topology: Topology, place: Place): Promise<Child[]> {
  const shared = join(place.dir, 'shared');
  mkdirSync(shared, { recursive: true, mode: 0o700 });
  const channelPrefix = `retract-bench-${process.pid}-${topology.key}:`;
  const configOf = (i: number) => ({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(place.dir, `node-${i}`),
    auth: { passwordHashCost: PASSWORD_HASH_COST },
    log: { level: LOG_LEVEL },
    // Thousands of users from one address, as fast as possible: a load test, not abuse.
    limits: { enabled: false },
    ws: { maxConnectionsPerUser: 10_000 },
    ...(topology.storage === 'postgres' && {
      storage: { url: place.storeUrl },
      bus: { url: place.busUrl, channelPrefix },
      blobs: { dir: join(shared, 'blobs') },
      encryption: { masterKeyPath: join(shared, 'master.key') },
      audit: {
        keyPath: join(shared, 'audit-signing.key'),
        checkpointFile: join(shared, 'checkpoints.jsonl'),
      },
    }),
  });
  const start = (i: number) =>
    startChild(`retract node ${i + 1}`, './server-child.ts', {
      args: [JSON.stringify(configOf(i))],
      cpuProfDir: o.cpuProfDir,
      readyTimeoutMs: o.timeoutMs,
      onUnexpectedExit: place.onUnexpectedExit,
    });
  const first = await start(0);
  const others = await Promise.allSettled(Array.from({ length: topology.nodes - 1 }, (_, i) => start(i + 1)));
  const nodes = [first, ...others.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))];
  const failed = others.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw failed.reason;
  }
  return nodes;
}

/** Account i connects to node i mod N; devices come back in account order. */
async function connectSpread(
  o: BenchOptions,
  nodes: readonly Child[],
  accounts: readonly Account[],
  bar: Bar,
): Promise<Device[]> {
  const perNode = nodes.map((_, n) => accounts.filter((_, i) => i % nodes.length === n));
  const connected = await Promise.all(
    nodes.map((node, n) =>
      connectAccounts(`${node.url.replace(/^http/, 'ws')}/v1/ws`, perNode[n]!, o.timeoutMs, bar),
    ),
  );
  bar.done();
  const byUser = new Map(connected.flat().map((d) => [d.userId, d]));
  return accounts.map((a) => byUser.get(a.userId)!);
}

async function throughputOf(
  o: BenchOptions,
  progress: Progress,
  nodes: readonly Child[],
  http: HttpClient,
  accounts: readonly Account[],
  devices: readonly Device[],
): Promise<NonNullable<TopologyResult['throughput']>> {
  const groupsBar = progress.bar('create throughput groups', o.groups);
  const created = await createGroups(http, accounts.slice(0, o.groups * o.members), o.members, groupsBar);
  groupsBar.done();
  const byUser = new Map(devices.map((d) => [d.userId, d]));
  const groups: Group[] = created.map((g) => ({
    conversationId: g.conversationId,
    devices: g.members.map((m) => byUser.get(m.userId)!),
  }));
  const common = {
    groups,
    send: wsSend,
    window: o.window,
    maxMessages: o.maxMessages,
    bodyBytes: o.bodyBytes,
    timeoutMs: o.timeoutMs,
  };
  if (o.warmupMs > 0) {
    const bar = progress.bar('throughput: warm-up', o.warmupMs / 1000, 's');
    await runThroughput({
      ...common,
      label: 'w',
      durationMs: o.warmupMs,
      onProgress: (ms) => bar.update(tenths(Math.min(o.warmupMs, ms))),
    });
    bar.done();
  }
  const bar = progress.bar('throughput: WS send frames', o.durationMs / 1000, 's');
  const meter = cpuMeter([...nodes.map((n) => n.pid), process.pid]);
  const result = await runThroughput({
    ...common,
    label: 't',
    durationMs: o.durationMs,
    onProgress: (ms, accepted, delivered) =>
      bar.update(tenths(Math.min(o.durationMs, ms)), `${accepted} accepted, ${delivered} delivered`),
  });
  const cpu = meter();
  bar.done(`${Math.round(result.acceptedPerSec)} msg/s, ${Math.round(result.deliveredPerSec)} events/s`);
  const nodeUse = nodes.map((n) => cpu.get(n.pid) ?? null);
  const nodesMs = nodeUse.every((u) => u !== null) ? nodeUse.reduce((sum, u) => sum + u!.ms, 0) : null;
  const nodesShare = nodeUse.every((u) => u !== null) ? nodeUse.reduce((sum, u) => sum + u!.share, 0) : null;
  return {
    ...result,
    cpu: {
      nodes: nodesShare,
      loadGenerator: cpu.get(process.pid)?.share ?? null,
      nodesUsPerMessage: nodesMs !== null && result.accepted > 0 ? (nodesMs * 1000) / result.accepted : null,
    },
  };
}

/**
 * One group of `o.devices` members (created with the first thousand, the rest added a thousand at a
 * time, the request size limit); the sender is the first device, on node 1, and recalls over HTTP there.
 */
async function recallOf(
  o: BenchOptions,
  progress: Progress,
  http: HttpClient,
  accounts: readonly Account[],
  devices: readonly Device[],
): Promise<NonNullable<TopologyResult['recall']>> {
  const [owner, ...others] = accounts.slice(0, o.devices) as [Account, ...Account[]];
  const setupBar = progress.bar('create the recall group', others.length, 'members');
  const first = others.slice(0, MEMBERS_PER_REQUEST - 1);
  const created = await http.postOk<{ conversation: { id: string } }>(
    '/v1/conversations',
    { kind: 'group', title: 'bench recall group', members: first.map((a) => a.username) },
    owner.token,
  );
  setupBar.update(first.length);
  const conversationId = created.conversation.id;
  for (let i = first.length; i < others.length; i += MEMBERS_PER_REQUEST) {
    const chunk = others.slice(i, i + MEMBERS_PER_REQUEST);
    await http.postOk(
      `/v1/conversations/${conversationId}/members`,
      { members: chunk.map((a) => a.username) },
      owner.token,
    );
    setupBar.update(i + chunk.length);
  }
  setupBar.done();
  const group: Group = { conversationId, devices: devices.slice(0, o.devices) };
  const bar = progress.bar(`recall to ${o.devices} devices`, o.recalls, 'recalls');
  // The warm-up rounds also prove every member is in: a round waits until all have the message.
  const [result] = await runFanout({
    group,
    sender: group.devices[0]!,
    send: wsSend,
    variants: [{ name: 'HTTP recall', recall: httpRecall(http) }],
    label: 'r',
    rounds: o.recalls,
    warmup: o.recallWarmup,
    bodyBytes: o.bodyBytes,
    timeoutMs: o.timeoutMs,
    onRound: (done, _name, ms) =>
      bar.update(done, `all ${group.devices.length} devices in ${ms.toFixed(1)} ms`),
  });
  bar.done(`p99 ${result!.reachAll.p99.toFixed(1)} ms`);
  return result!;
}

/** How many of `total` items part `n` of `parts` gets, spreading the remainder over the first parts. */
function share(total: number, parts: number, n: number): number {
  return Math.floor(total / parts) + (n < total % parts ? 1 : 0);
}

/** A URL with any password removed, for the report. */
function redacted(raw: string): string {
  const url = new URL(raw);
  if (url.password) url.password = '***';
  return url.toString();
}

function tenths(ms: number): number {
  return Math.round(ms / 100) / 10;
}
