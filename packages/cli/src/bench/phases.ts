import { closeDevices, type Device, type Group, type RecallOp, type SendOp } from './devices.js';
import type { Child } from './child.js';
import { cpuMeter } from './cpu.js';
import type { HttpClient } from './http-client.js';
import { httpRecall, httpSend, wsRecall, wsSend } from './ops.js';
import type { BenchOptions } from './options.js';
import { waitUntil } from './pool.js';
import type { Progress } from './progress.js';
import { runFanout } from './recall-fanout.js';
import { connectRelayGroup } from './relay-setup.js';
import type { FanoutRow, ThroughputRow } from './results.js';
import { connectAccounts, createAccounts, createGroup, createGroups, type Account } from './retract-setup.js';
import { runThroughput } from './throughput.js';

/**
 * The two measurements, each first against Retract, then against the raw relay with the same shape of
 * load: throughput rows (WS send frame, HTTP POST, relay) and recall fan-out rows (HTTP and WS recall
 * taking turns, relay).
 */

/** What the phases share: options, the children, the HTTP pool, and the devices to close on exit. */
export interface Session {
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

export async function throughputPhase(s: Session): Promise<ThroughputRow[]> {
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
      onProgress: (ms) => bar.update(tenths(Math.min(o.warmupMs, ms))),
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
      bar.update(tenths(Math.min(o.durationMs, ms)), `${accepted} accepted, ${delivered} delivered`),
  });
  const cpu = meter();
  bar.done(`${Math.round(result.acceptedPerSec)} msg/s, ${Math.round(result.deliveredPerSec)} events/s`);
  const server = cpu.get(target.pid) ?? null;
  const loadGenerator = cpu.get(process.pid) ?? null;
  return {
    name,
    system,
    ...result,
    cpu: {
      server: server?.share ?? null,
      loadGenerator: loadGenerator?.share ?? null,
      serverUsPerMessage: server && result.accepted > 0 ? (server.ms * 1000) / result.accepted : null,
    },
  };
}

export async function recallPhase(s: Session): Promise<FanoutRow[]> {
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
  const variants: { name: string; recall: RecallOp }[] = [];
  if (o.recallVia !== 'ws') variants.push({ name: 'Retract, HTTP recall', recall: httpRecall(s.http) });
  if (o.recallVia !== 'http') variants.push({ name: 'Retract, WS recall frame', recall: wsRecall });
  const rows = await fanoutRows(s, group, variants, 'retract');
  release(s, devices);

  const relayBar = progress.bar('raw relay: connect devices', o.devices);
  const relayGroup = await connectRelayGroup(s.relay.url, o.devices, o.timeoutMs, relayBar);
  for (const d of relayGroup.devices) s.open.add(d);
  relayBar.done();
  rows.push(...(await fanoutRows(s, relayGroup, [{ name: 'raw ws relay', recall: wsRecall }], 'relay')));
  release(s, relayGroup.devices);
  return rows;
}

/** Variants of one system take turns round by round; the first device of the group is the sender. */
async function fanoutRows(
  s: Session,
  group: Group,
  variants: readonly { name: string; recall: RecallOp }[],
  system: 'retract' | 'relay',
): Promise<FanoutRow[]> {
  const { o, progress } = s;
  const names = variants.map((v) => v.name);
  const label = system === 'relay' ? 'raw ws relay: recall' : `Retract: recall (${variants.length} ways)`;
  const bar = progress.bar(label, o.recalls * variants.length, 'recalls');
  const results = await runFanout({
    group,
    sender: group.devices[0]!,
    send: wsSend,
    variants,
    label: `${system}-recall`,
    rounds: o.recalls,
    warmup: o.recallWarmup,
    bodyBytes: o.bodyBytes,
    timeoutMs: o.timeoutMs,
    onRound: (done, name, ms) =>
      bar.update(done, `${name}: all ${group.devices.length} devices in ${ms.toFixed(1)} ms`),
  });
  bar.done(results.map((r, i) => `${names[i]} p99 ${r.reachAll.p99.toFixed(1)} ms`).join(', '));
  return results.map((r, i) => ({ name: names[i]!, system, ...r }));
}

async function timedAccounts(s: Session, prefix: string, count: number): Promise<Account[]> {
  const t0 = performance.now();
  const bar = s.progress.bar(`Retract: register + log in users`, count);
  const accounts = await createAccounts(s.http, prefix, count, bar);
  bar.done();
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

/** Milliseconds as seconds with one decimal, for progress bars. */
function tenths(ms: number): number {
  return Math.round(ms / 100) / 10;
}
