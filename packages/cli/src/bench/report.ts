import pc from 'picocolors';
import type { BenchResults } from './results.js';
import { fmt, renderTable } from './table.js';

/** A row whose load generator used more than this share of a core measured the generator, too. */
const GENERATOR_BOUND = 0.85;

/** The human report: what was measured and how, the two tables, and the targets met or missed. */
export function renderReport(r: BenchResults): string {
  return [...header(r), ...throughput(r), ...recall(r), ...targets(r), ''].join('\n');
}

function header(r: BenchResults): string[] {
  const e = r.environment;
  const load = `${e.loadAverage.start.toFixed(2)} → ${e.loadAverage.end.toFixed(2)}`;
  return [
    '',
    pc.bold('Retract bench') + pc.dim(` — Node ${e.node}, ${e.platform}, ${e.cpus} × ${e.cpuModel}`),
    `Server under test: ${e.server.storage}, log.level ${e.server.logLevel},`,
    `  auth.passwordHashCost ${pc.yellow(String(e.server.passwordHashCost))} (scrypt N, lowered from 32768 ` +
      `so ${fmt.int(r.setup.users)} users register quickly; messaging does not use it).`,
    'Retract and the raw relay each run in their own child process; the load generator runs in this one.',
    `Setup: ${fmt.int(r.setup.users)} users registered and logged in (one device each) in ` +
      `${fmt.seconds(r.setup.accountsMs)}; groups created and devices connected in ${fmt.seconds(r.setup.connectMs)}.`,
    pc.dim(`Machine load average (1 min) start → end: ${load}; anything above 0 is other work competing.`),
  ];
}

function throughput(r: BenchResults): string[] {
  const t = r.throughput;
  if (!t) return [];
  const raw = t.rows.find((row) => row.system === 'relay');
  const bound = t.rows.filter((row) => (row.cpu.loadGenerator ?? 0) > GENERATOR_BOUND).map((row) => row.name);
  return [
    '',
    pc.bold('1. Throughput') +
      ` — ${t.groups} groups × ${t.members} members (${fmt.int(t.groups * t.members)} devices, one per user); ` +
      'every member sends to its group',
    `   at full speed, at most ${t.window} sends outstanding per device, ${t.bodyBytes}-byte bodies, ` +
      `${fmt.seconds(t.durationMs)} or ${fmt.int(t.maxMessages)} messages per row.`,
    '   Accepted = acks (WS reply / HTTP 201); delivered = message.created frames received by all members, the ' +
      "sender's own device included.",
    ...renderTable(
      [
        { header: 'system' },
        { header: 'accepted msg/s', align: 'right' },
        { header: 'delivered events/s', align: 'right' },
        { header: 'vs raw', align: 'right' },
        { header: 'ack p50', align: 'right' },
        { header: 'ack p99', align: 'right' },
        { header: 'refused', align: 'right' },
        { header: 'undelivered', align: 'right' },
        { header: 'server CPU', align: 'right' },
        { header: 'CPU/msg', align: 'right' },
        { header: 'load gen CPU', align: 'right' },
      ],
      t.rows.map((row) => [
        row.name,
        fmt.int(row.acceptedPerSec),
        fmt.int(row.deliveredPerSec),
        raw ? fmt.ratio(row.deliveredPerSec / raw.deliveredPerSec) : '–',
        fmt.ms(row.ack.p50),
        fmt.ms(row.ack.p99),
        fmt.int(row.refused),
        fmt.int(Math.max(0, row.expected - row.delivered)),
        fmt.pct(row.cpu.server),
        row.cpu.serverUsPerMessage === null ? '–' : `${fmt.int(row.cpu.serverUsPerMessage)} µs`,
        fmt.pct(row.cpu.loadGenerator),
      ]),
      (text, _row, column) => (column === 2 || column === 3 ? pc.bold(text) : text),
    ),
    pc.dim(
      '   vs raw = delivered events/s ÷ the raw relay’s. refused = attempts answered with an error, each ' +
        'retried after 100 ms with the same client message id;',
    ),
    pc.dim(
      '   undelivered = deliveries owed for acknowledged messages that never arrived. CPU = share of one core ' +
        `(the machine has ${r.environment.cpus}); CPU/msg =`,
    ),
    pc.dim(
      '   server CPU time per accepted message, which a busy machine skews less than rates. HTTP rows use the ' +
        'same window',
    ),
    pc.dim('   over a keep-alive pool (--http-sockets).'),
    ...(bound.length > 0
      ? [
          pc.yellow(
            `   The load generator was near one full core in: ${bound.join(', ')} — those rates are partly the ` +
              'generator’s limit (lower bounds).',
          ),
        ]
      : []),
  ];
}

function recall(r: BenchResults): string[] {
  const c = r.recall;
  if (!c) return [];
  return [
    '',
    pc.bold(`2. Recall to ${fmt.int(c.devices)} devices`) +
      ` — one group of ${fmt.int(c.devices)} users × 1 device, one sender, ${c.rounds} recalls per row ` +
      '(Retract rows take turns).',
    '   Each round sends a message (WS), waits until every device has it, then recalls it; times run from the ' +
      'recall request until',
    '   each device has received message.recalled, on the load generator’s clock (so they include its own time ' +
      `to read ${fmt.int(c.devices)} frames).`,
    ...renderTable(
      [
        { header: 'system' },
        { header: 'all devices p50', align: 'right' },
        { header: 'p99', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'per device p50', align: 'right' },
        { header: 'p90', align: 'right' },
        { header: 'p99', align: 'right' },
        { header: 'max', align: 'right' },
        { header: 'ack p50', align: 'right' },
        { header: 'send→all p50', align: 'right' },
      ],
      c.rows.map((row) => [
        row.name,
        fmt.ms(row.reachAll.p50),
        fmt.ms(row.reachAll.p99),
        fmt.ms(row.reachAll.max),
        fmt.ms(row.perDevice.p50),
        fmt.ms(row.perDevice.p90),
        fmt.ms(row.perDevice.p99),
        fmt.ms(row.perDevice.max),
        fmt.ms(row.ack.p50),
        fmt.ms(row.createdReachAll.p50),
      ]),
      (text, _row, column) => (column === 2 ? pc.bold(text) : text),
    ),
    pc.dim(
      '   all devices = per recall, until the last device had it; per device = every (device, recall) pair; ' +
        'ack = until the recaller',
    ),
    pc.dim('   had its HTTP response / reply frame; send→all = the message itself reaching every device.'),
  ];
}

function targets(r: BenchResults): string[] {
  if (r.targets.length === 0) return [];
  return [
    '',
    pc.bold('Targets'),
    ...renderTable(
      [{ header: 'target' }, { header: 'goal' }, { header: 'measured', align: 'right' }, { header: '' }],
      r.targets.map((t) => [t.name, t.goal, t.actual, t.met ? 'met' : 'MISSED']),
      (text, _row, column) =>
        column === 3 ? (text.trim() === 'met' ? pc.green(text) : pc.red(pc.bold(text))) : text,
    ),
  ];
}
