import pc from 'picocolors';
import type { ClusterBenchResults, TopologyResult } from './cluster-results.js';
import { fmt, renderTable } from './table.js';

/** The human report of `retract bench --cluster`: one row per topology in each table. */
export function renderClusterReport(r: ClusterBenchResults): string {
  const e = r.environment;
  const l = r.load;
  const baseline = r.topologies[0];
  const vsBaseline = (t: TopologyResult): string =>
    baseline?.throughput && t.throughput && baseline.throughput.acceptedPerSec > 0
      ? fmt.ratio(t.throughput.acceptedPerSec / baseline.throughput.acceptedPerSec)
      : '–';
  const measured = r.topologies.filter((t) => t.throughput);
  const recalled = r.topologies.filter((t) => t.recall);
  const lines = [
    '',
    pc.bold('Retract bench --cluster') +
      pc.dim(` — Node ${e.node}, ${e.platform}, ${e.cpus} × ${e.cpuModel}`),
    `Shared backends: PostgreSQL at ${r.store} (a fresh database per topology, dropped after), Redis at ${r.bus}.`,
    `Every topology: ${fmt.int(l.devices)} users × 1 connected device, spread over its nodes round-robin; ` +
      `auth.passwordHashCost ${r.server.passwordHashCost}, log.level ${r.server.logLevel}.`,
    pc.yellow(
      `All nodes, PostgreSQL, Redis and the load generator share this machine's ${e.cpus} cores: the multi-node ` +
        'rows show what coordination costs,',
    ),
    pc.yellow('not what more machines would add.'),
    pc.dim(
      `Machine load average (1 min) start → end: ${e.loadAverage.start.toFixed(2)} → ${e.loadAverage.end.toFixed(2)}.`,
    ),
    ...r.topologies.map((t) =>
      pc.dim(
        `  ${t.name}: users registered in ${fmt.seconds(t.setup.accountsMs)}, devices connected in ` +
          `${fmt.seconds(t.setup.connectMs)}; devices reconnected after a retryable close: ${fmt.int(t.reconnects)}.`,
      ),
    ),
  ];
  if (measured.length > 0) {
    lines.push(
      '',
      pc.bold('1. Messages per second') +
        ` — ${l.groups} groups × ${l.members} members; every member sends to its group over its WebSocket, ` +
        `${l.window} send(s) outstanding each,`,
      `   ${l.bodyBytes}-byte bodies, ${fmt.seconds(l.durationMs)} per row. Delivered = message.created frames ` +
        "received by all members, the sender's own device included.",
      ...renderTable(
        [
          { header: 'topology' },
          { header: 'accepted msg/s', align: 'right' },
          { header: 'delivered events/s', align: 'right' },
          { header: 'vs 1 node SQLite', align: 'right' },
          { header: 'ack p50', align: 'right' },
          { header: 'ack p99', align: 'right' },
          { header: 'refused', align: 'right' },
          { header: 'undelivered', align: 'right' },
          { header: 'nodes CPU', align: 'right' },
          { header: 'CPU/msg', align: 'right' },
          { header: 'load gen CPU', align: 'right' },
        ],
        measured.map((t) => {
          const tp = t.throughput!;
          return [
            t.name,
            fmt.int(tp.acceptedPerSec),
            fmt.int(tp.deliveredPerSec),
            vsBaseline(t),
            fmt.ms(tp.ack.p50),
            fmt.ms(tp.ack.p99),
            fmt.int(tp.refused),
            fmt.int(Math.max(0, tp.expected - tp.delivered)),
            fmt.pct(tp.cpu.nodes),
            tp.cpu.nodesUsPerMessage === null ? '–' : `${fmt.int(tp.cpu.nodesUsPerMessage)} µs`,
            fmt.pct(tp.cpu.loadGenerator),
          ];
        }),
        (text, _row, column) => (column === 1 ? pc.bold(text) : text),
      ),
      pc.dim(
        '   nodes CPU = all Retract nodes together, as a share of one core (PostgreSQL and Redis not counted); ' +
          'CPU/msg = their CPU time per accepted message.',
      ),
      pc.dim(
        '   refused = attempts answered with an error, each retried after 100 ms with the same client message id ' +
          '(nothing acknowledged is lost);',
      ),
      pc.dim('   undelivered = deliveries owed for acknowledged messages that never arrived.'),
      ...measured
        .filter((t) => t.throughput!.refused > 0)
        .map((t) =>
          pc.yellow(
            `   ${t.name}: refused ${Object.entries(t.throughput!.refusals)
              .map(([code, n]) => `${fmt.int(n)} × ${code}`)
              .join(', ')}` +
              (t.throughput!.refusals['unavailable']
                ? ' (the node waited too long for a database connection and shed the request)'
                : ''),
          ),
        ),
      ...measured
        .filter((t) => t.throughput!.delivered > t.throughput!.expected)
        .map((t) =>
          pc.yellow(
            `   ${t.name}: ${fmt.int(t.throughput!.delivered - t.throughput!.expected)} deliveries more than ` +
              'acknowledged sends owed: sends committed whose reply was lost with a closed socket (counted ' +
              'refused; a retry with the same client message id returns the original).',
          ),
        ),
    );
  }
  if (recalled.length > 0) {
    lines.push(
      '',
      pc.bold(`2. Recall fan-out to ${fmt.int(l.recallDevices)} devices`) +
        ` — one group, the sender on the first node recalls over HTTP; ${l.recalls} recalls per row.`,
      '   Times run from the recall request until each device has message.recalled, on the load generator’s clock.',
      ...renderTable(
        [
          { header: 'topology' },
          { header: 'all devices p50', align: 'right' },
          { header: 'p99', align: 'right' },
          { header: 'max', align: 'right' },
          { header: 'per device p50', align: 'right' },
          { header: 'p99', align: 'right' },
          { header: 'ack p50', align: 'right' },
          { header: 'send→all p50', align: 'right' },
        ],
        recalled.map((t) => {
          const rc = t.recall!;
          return [
            t.name,
            fmt.ms(rc.reachAll.p50),
            fmt.ms(rc.reachAll.p99),
            fmt.ms(rc.reachAll.max),
            fmt.ms(rc.perDevice.p50),
            fmt.ms(rc.perDevice.p99),
            fmt.ms(rc.ack.p50),
            fmt.ms(rc.createdReachAll.p50),
          ];
        }),
        (text, _row, column) => (column === 2 ? pc.bold(text) : text),
      ),
      pc.dim(
        '   all devices = per recall, until the last device had it; per device = every (device, recall) pair.',
      ),
    );
  }
  lines.push('');
  return lines.join('\n');
}
