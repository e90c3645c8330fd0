import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChildren, startChild, type Child } from './child.js';
import { cpuMeter } from './cpu.js';
import { closeDevices, type Device, type Group, type RecallOp, type SendOp } from './devices.js';
import { HttpClient } from './http-client.js';
import { httpRecall, httpSend, wsRecall, wsSend } from './ops.js';
import type { BenchOptions } from './options.js';
import { waitUntil } from './pool.js';
import { Progress } from './progress.js';
import { runFanout } from './recall-fanout.js';
import { connectRelayGroup } from './relay-setup.js';
import { evaluateTargets, type BenchResults, type FanoutRow, type ThroughputRow } from './results.js';
import { connectAccounts, createAccounts, createGroup, createGroups, type Account } from './retract-setup.js';
import { runThroughput } from './throughput.js';

/** Server settings for the benchmark; stated in the output because they differ from production. */
const PASSWORD_HASH_COST = 1024;
const LOG_LEVEL = 'silent';

interface Session {
  readonly o: BenchOptions;
  readonly progress: Progress;
  readonly server: Child;
  readonly relay: Child;
  readonly http: HttpClient;
  readonly wsUrl: string;
  /** Devices currently connected, closed on any exit path. */
  readonly open: Set<Device>;
  setup: { users: number; accountsMs: number; connectMs: number };
}

/**
 * Runs `retract bench`: a Retract server and a raw `ws` relay in child processes, the load generator in
 * this one; throughput rows, then recall fan-out rows; every child stopped by PID at the end, on error,
 * on Ctrl-C, or when --max-time runs out.
 */
export async function runBench(o: BenchOptions): Promise<BenchResults> {
  const progress = new Progress(o.progress);
  const workDir = mkdtempSync(join(tmpdir(), 'retract-bench-'));
  const removeWorkDir = () => rmSync(workDir, { recursive: true, force: true });
  const abort = (why: string, code: number) => {
    process.stderr.write(`\nretract bench: ${why}; stopping the child processes\n`);
    killChildren();
    removeWorkDir();
    process.exit(code);
  };
  const watchdog = setTimeout(() => abort(`--max-time (${o.maxTimeMs / 1000} s) ran out`, 2), o.maxTimeMs);
  const onSigint = () => abort('interrupted', 130);
  process.once('SIGINT', onSigint);
  process.once('exit', killChildren);

  const children: Child[] = [];
  const open = new Set<Device>();
  let http: HttpClient | undefined;
  try {
    const serverConfig = {
      host: '127.0.0.1',
      port: 0,
      dataDir: join(workDir, 'data'),
      auth: { passwordHashCost: PASSWORD_HASH_COST },
      log: { level: LOG_LEVEL },
    };
    const started = await Promise.allSettled([
      startChild('retract server', './server-child.ts', {
        args: [JSON.stringify(serverConfig)],
        cpuProfDir: o.cpuProfDir,
        readyTimeoutMs: o.timeoutMs,
      }),
      startChild('raw relay', './relay-child.ts', { readyTimeoutMs: o.timeoutMs }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [server, relay] = children as [Child, Child];
    progress.note(
      `retract server pid ${server.pid} at ${server.url}; raw relay pid ${relay.pid} at ${relay.url}`,
    );
    http = new HttpClient(new URL(server.url), o.httpSockets, o.timeoutMs);
    const session: Session = {
      o,
      progress,
      server,
      relay,
      http,
      wsUrl: `${server.url.replace(/^http/, 'ws')}/v1/ws`,
      open,
      setup: { users: 0, accountsMs: 0, connectMs: 0 },
    };
    const throughput = o.throughput ? await throughputPhase(session) : undefined;
    const recall = o.recall ? await recallPhase(session) : undefined;
    return {
      environment: {
        node: process.version,
        platform: `${platform()} ${process.arch}`,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        server: {
          storage: 'embedded SQLite in a temp dir (WAL, synchronous=normal)',
          passwordHashCost: PASSWORD_HASH_COST,
          logLevel: LOG_LEVEL,
        },
      },
      setup: session.setup,
      ...(throughput && {
        throughput: {
          groups: o.groups,
          members: o.members,
          window: o.window,
          durationMs: o.durationMs,
          maxMessages: o.maxMessages,
          bodyBytes: o.bodyBytes,
          rows: throughput,
        },
      }),
      ...(recall && { recall: { devices: o.devices, rounds: o.recalls, rows: recall } }),
      targets: evaluateTargets(throughput, recall),
    };
  } finally {
    closeDevices(open);
    http?.close();
    await Promise.all(children.map((c) => c.stop()));
    killChildren();
    clearTimeout(watchdog);
    process.off('SIGINT', onSigint);
    removeWorkDir();
  }
}

async function throughputPhase(s: Session): Promise<ThroughputRow[]> {
  const { o, progress } = s;
  const count = o.groups * o.members;
  progress.note(`Throughput: ${o.groups} groups × ${o.members} members, window ${o.window}`);
  const accounts = await timedAccounts(s, 'tp', count);
  const t0 = performance.now();
  const groupsBar = progress.bar('Retract: create groups', o.groups);
  const created = await createGroups(s.http, accounts, o.members, groupsBar);
  groupsBar.done();
  const devices = await connect(s, accounts, 'Retract: connect devices');
  s.setup.connectMs += performance.now() - t0;
  const byUser = new Map(devices.map((d) => [d.userId, d]));
  const groups: Group[] = created.map((g) => ({
    conversationId: g.conversationId,
    devices: g.members.map((m) => byUser.get(m.userId)!),
  }));
  const rows = [
    await throughputRow(s, groups, 'Retract, WS send frame', 'retract', wsSend, s.server),
    await throughputRow(s, groups, 'Retract, HTTP POST', 'retract', httpSend(s.http), s.server),
  ];
  release(s, devices);

  const relayGroups: Group[] = [];
  const relayBar = progress.bar('raw relay: connect devices', count);
  for (let g = 0; g < o.groups; g++) {
    const group = await connectRelayGroup(s.relay.url, o.members, o.timeoutMs, relayBar);
    for (const d of group.devices) s.open.add(d);
    relayGroups.push(group);
  }
  relayBar.done();
  rows.push(await throughputRow(s, relayGroups, 'raw ws relay', 'relay', wsSend, s.relay));
  release(
    s,
    relayGroups.flatMap((g) => g.devices),
  );
  return rows;
}

async function throughputRow(
  s: Session,
  groups: readonly Group[],
  name: string,
  system: 'retract' | 'relay',
  send: SendOp,
  target: Child,
): Promise<ThroughputRow> {
  const { o, progress } = s;
  const label = name.replace(/[^a-z]+/gi, '').toLowerCase();
  const common = {
    groups,
    send,
    window: o.window,
    maxMessages: o.maxMessages,
    bodyBytes: o.bodyBytes,
    timeoutMs: o.timeoutMs,
  };
  if (o.warmupMs > 0) {
    const bar = progress.bar(`${name}: warm-up`, o.warmupMs / 1000, 's');
    await runThroughput({
      ...common,
      label: `${label}-w`,
      durationMs: o.warmupMs,
      onProgress: (ms) => bar.update(Math.min(o.warmupMs, ms) / 1000),
    });
    bar.done();
  }
  const seconds = o.durationMs / 1000;
  const bar = progress.bar(name, seconds, 's');
  const meter = cpuMeter([target.pid, process.pid]);
  const result = await runThroughput({
    ...common,
    label,
    durationMs: o.durationMs,
    onProgress: (ms, accepted, delivered) =>
      bar.update(Math.min(o.durationMs, ms) / 1000, `${accepted} accepted, ${delivered} delivered`),
  });
  const cpu = meter();
  bar.done(`${Math.round(result.acceptedPerSec)} msg/s, ${Math.round(result.deliveredPerSec)} events/s`);
  return {
    name,
    system,
    ...result,
    cpu: { server: cpu[target.pid] ?? null, loadGenerator: cpu[process.pid] ?? null },
  };
}

async function recallPhase(s: Session): Promise<FanoutRow[]> {
  const { o, progress } = s;
  progress.note(`Recall fan-out: ${o.devices} devices in one group, ${o.recalls} recalls per row`);
  const accounts = await timedAccounts(s, 'rc', o.devices);
  const t0 = performance.now();
  // Devices connect first, so the group's creation reaches them live: a barrier proving all are in.
  const devices = await connect(s, accounts, 'Retract: connect devices');
  let joined = 0;
  for (const d of devices) {
    d.peer.onEvent = (frame) => {
      if (frame.indexOf('"type":"conversation.created"') !== -1) joined += 1;
    };
  }
  const [owner, ...others] = accounts as [Account, ...Account[]];
  const conversationId = await createGroup(s.http, owner, 'bench recall group', others);
  if (!(await waitUntil(() => joined >= devices.length, o.timeoutMs))) {
    throw new Error(`only ${joined}/${devices.length} devices heard of the recall group`);
  }
  s.setup.connectMs += performance.now() - t0;
  const group: Group = { conversationId, devices };
  const sender = devices[0]!;
  const rows: FanoutRow[] = [];
  if (o.recallVia !== 'ws') {
    rows.push(await fanoutRow(s, group, sender, 'Retract, HTTP recall', 'retract', httpRecall(s.http)));
  }
  if (o.recallVia !== 'http') {
    rows.push(await fanoutRow(s, group, sender, 'Retract, WS recall frame', 'retract', wsRecall));
  }
  release(s, devices);

  const relayBar = progress.bar('raw relay: connect devices', o.devices);
  const relayGroup = await connectRelayGroup(s.relay.url, o.devices, o.timeoutMs, relayBar);
  for (const d of relayGroup.devices) s.open.add(d);
  relayBar.done();
  rows.push(await fanoutRow(s, relayGroup, relayGroup.devices[0]!, 'raw ws relay', 'relay', wsRecall));
  release(s, relayGroup.devices);
  return rows;
}

async function fanoutRow(
  s: Session,
  group: Group,
  sender: Device,
  name: string,
  system: 'retract' | 'relay',
  recall: RecallOp,
): Promise<FanoutRow> {
  const { o, progress } = s;
  const bar = progress.bar(name, o.recalls, 'recalls');
  const result = await runFanout({
    group,
    sender,
    send: wsSend,
    recall,
    label: name.replace(/[^a-z]+/gi, '').toLowerCase(),
    rounds: o.recalls,
    warmup: o.recallWarmup,
    bodyBytes: o.bodyBytes,
    timeoutMs: o.timeoutMs,
    onRound: (done, ms) =>
      bar.update(done, `last: all ${group.devices.length} devices in ${ms.toFixed(1)} ms`),
  });
  bar.done(`p50 ${result.reachAll.p50.toFixed(1)} ms, p99 ${result.reachAll.p99.toFixed(1)} ms`);
  return { name, system, ...result };
}

async function timedAccounts(s: Session, prefix: string, count: number): Promise<Account[]> {
  const t0 = performance.now();
  const bar = s.progress.bar(`Retract: register + log in users`, count);
  const accounts = await createAccounts(s.http, prefix, count, bar);
  bar.done(`scrypt N=${PASSWORD_HASH_COST}`);
  s.setup.users += count;
  s.setup.accountsMs += performance.now() - t0;
  return accounts;
}

async function connect(s: Session, accounts: readonly Account[], label: string): Promise<Device[]> {
  const bar = s.progress.bar(label, accounts.length);
  const devices = await connectAccounts(s.wsUrl, accounts, s.o.timeoutMs, bar);
  for (const d of devices) s.open.add(d);
  bar.done();
  return devices;
}

function release(s: Session, devices: readonly Device[]): void {
  closeDevices(devices);
  for (const d of devices) s.open.delete(d);
}
