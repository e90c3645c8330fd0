import type { Command } from 'commander';
import type { stats } from '@retract/protocol';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { print } from '../client/output.js';
import { parseDuration } from '../stats/duration.js';
import { renderStats, renderWhatIf } from '../stats/render.js';
import { action } from './run.js';

/** `retract stats` (and `what-if`): the server's recall analytics, for server admins. */
export function statsCommand(program: Command, env: Environment): void {
  const command = program
    .command('stats')
    .description(
      'Recall analytics (server admins): who tries to take messages back, how often too late, what they do ' +
        'next — as tables and small charts (docs/analytics.md)',
    );
  periodOptions(command)
    .addHelpText(
      'after',
      `
Examples:
  retract stats
  retract stats --from 2025-03-01 --to 2025-03-08 --tz Europe/Berlin
  retract stats what-if --window 10m`,
    )
    .action(
      action(async (options) => {
        const report = await signedInClient(options, env).client.http.stats(periodOf(options));
        print(options.json, report, () => renderStats(report).trimEnd());
      }),
    );

  periodOptions(
    command
      .command('what-if')
      .description(
        'How many attempts denied because the window had passed would a longer window have allowed?',
      )
      .requiredOption('--window <duration>', 'the window to try: seconds, or with s, m, h or d (e.g. 10m)'),
  ).action(
    action(async (options) => {
      const windowSeconds = parseDuration(String(options['window']));
      const query: stats.WhatIfQuery = { ...periodOf(options), windowSeconds };
      const result = await signedInClient(options, env).client.http.whatIf(query);
      print(options.json, result, () => renderWhatIf(result).trimEnd());
    }),
  );
}

function periodOptions(command: Command): Command {
  return command
    .option('--from <date>', 'start of the period, ISO date or date and time (default: 7 days before --to)')
    .option('--to <date>', 'end of the period, exclusive (default: now, on the server’s clock)')
    .option('--tz <zone>', 'IANA time zone for days and hours (default: the server’s analytics.timeZone)')
    .option('--json', 'print the server’s answer as JSON');
}

/** Dates are checked here, so a typo is named before any request; the server rounds to quarter hours. */
export function periodOf(options: Record<string, unknown>): stats.StatsQuery {
  const out: { from?: string; to?: string; tz?: string } = {};
  for (const key of ['from', 'to'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    const ms = Date.parse(String(value));
    if (!Number.isFinite(ms))
      throw new Error(`--${key} '${String(value)}' is not a date (e.g. 2025-03-01 or 2025-03-01T09:00Z)`);
    out[key] = new Date(ms).toISOString();
  }
  if (typeof options['tz'] === 'string') out.tz = options['tz'];
  return out;
}
