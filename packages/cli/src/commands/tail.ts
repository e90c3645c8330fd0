import type { Command } from 'commander';
import pc from 'picocolors';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { describeEvent } from '../client/output.js';
import { action } from './run.js';

export function tailCommand(program: Command, env: Environment): void {
  program
    .command('tail')
    .description('Watch events live (replays what this device missed first); Ctrl-C to stop')
    .option('--after <seq>', 'start after this sequence number instead of the device’s stored cursor')
    .action(
      action(async (options) => {
        const { client } = signedInClient(options, env);
        const after = options['after'] === undefined ? undefined : Number(options['after']);
        if (after !== undefined && (!Number.isInteger(after) || after < 0)) {
          throw new Error('--after must be a non-negative integer');
        }
        const me = await client.me();
        const cursor = after ?? me.cursor;
        client.store.reset(me.user.id, cursor);
        client.connection.resetCursor(cursor);
        client.on('event', (event) => {
          process.stdout.write(`${options.json ? JSON.stringify(event) : describeEvent(event)}\n`);
        });
        client.on('state', (change) => {
          if (!options.json)
            process.stderr.write(pc.dim(`[${change.to}${change.reason ? `: ${change.reason.code}` : ''}]\n`));
        });
        client.connect();
        await new Promise<void>((resolve) => {
          const stop = () => {
            client.disconnect();
            resolve();
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          client.on('state', (change) => {
            if (change.to === 'closed') resolve();
          });
        });
      }),
    );
}
