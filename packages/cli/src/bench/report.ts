import pc from 'picocolors';
import type { BenchResults } from './results.js';
import { fmt, renderTable } from './table.js';

/** The human report: what was measured and how, the two tables, and the targets met or missed. */
export function renderReport(r: BenchResults): string {
  const e = r.environment;
  const lines: string[] = [
    '',
    pc.bold('Retract bench') + pc.dim(` — Node ${e.node}, ${e.platform}, ${e.cpus} × ${e.cpuModel}`),
    `Server under test: ${e.server.storage}; log.level ${e.server.logLevel};`,
    `  auth.passwordHashCost ${pc.yellow(String(e.server.passwordHashCost))} (scrypt N lowered from the ` +
      `default 32768 so that registering ${fmt.int(r.setup.users)} users is quick; it does not affect messaging).`,
    `Server and raw relay each run in their own child process; the load generator runs in this one.`,
    `Setup: ${fmt.int(r.setup.users)} users registered and logged in (one device each) in ` +
      `${fmt.seconds(r.setup.accountsMs)}; groups created and devices connected in ${fmt.seconds(r.setup.connectMs)}.`,
  ];

  if (r.throughput) {
    const t = r.throughput;
    const raw = t.rows.find((row) => row.system === 'relay');
    lines.push(
      '',
      pc.bold('1. Throughput') +
        ` — ${t.groups} groups × ${t.members} members (${fmt.int(t.groups * t.members)} devices), every member ` +
        `sending to its group,`,
      `   window ${t.window} outstanding sends per device, ${t.bodyBytes}-byte bodies, ` +
        `${fmt.seconds(t.durationMs)} or ${fmt.int(t.maxMessages)} messages per row. Delivered = message.created ` +
        `frames received by all members.`,
      ...renderTable(
        [
          { header: 'system' },
          { header: 'accepted msg/s', align: 'right' },
          { header: 'delivered events/s', align: 'right' },
          { header: 'vs raw (deliv.)', align: 'right' },
          { header: 'ack p50', align: 'right' },
          { header: 'ack p99', align: 'right' },
          { header: 'refused', align: 'right' },
          { header: 'undelivered', align: 'right' },
          { header: 'CPU server', align: 'right' },
          { header: 'CPU load gen', align: 'right' },
        ],
        t.rows.map((row) => [
          row.name,
          fmt.int(row.acceptedPerSec),
          fmt.int(row.deliveredPerSec),
          raw ? fmt.ratio(row.deliveredPerSec / raw.deliveredPerSec) : '–',
          fmt.ms(row.ack.p50),
          fmt.ms(row.ack.p99),
          fmt.int(row.refused),
          fmt.int(row.expected - row.delivered),
          fmt.pct(row.cpu.server),
          fmt.pct(row.cpu.loadGenerator),
        ]),
        (text, _row, column) => (column === 2 ? pc.bold(text) : text),
      ),
      pc.dim('   CPU = share of one core during the row (100% = one core saturated; the machine has ') +
        pc.dim(`${e.cpus}).`),
    );
  }

  if (r.recall) {
    const c = r.recall;
    lines.push(
      '',
      pc.bold(`2. Recall to ${fmt.int(c.devices)} devices`) +
        ` — one group, ${fmt.int(c.devices)} users × 1 device, one sender; ${c.rounds} recalls per row.`,
      `   Each round sends a message, waits until every device has it, then recalls it; times run from the`,
      `   recall request until each device has received message.recalled (load generator's clock, so they`,
      `   include its own time to read ${fmt.int(c.devices)} frames).`,
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
      pc.dim('   all devices = per recall, until the last device had it; ack = until the recaller had its ') +
        pc.dim('response; send→all = the message itself, for comparison.'),
    );
  }

  if (r.targets.length > 0) {
    lines.push('', pc.bold('Targets'));
    lines.push(
      ...renderTable(
        [{ header: 'target' }, { header: 'goal' }, { header: 'measured', align: 'right' }, { header: '' }],
        r.targets.map((t) => [t.name, t.goal, t.actual, t.met ? 'met' : 'MISSED']),
        (text, _row, column) =>
          column === 3 ? (text.trim() === 'met' ? pc.green(text) : pc.red(pc.bold(text))) : text,
      ),
    );
  }
  lines.push('');
  return lines.join('\n');
}
