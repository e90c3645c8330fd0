import type { Command } from 'commander';
import type { Environment } from '../env.js';
import { anonymousClient } from '../client/context.js';
import { print } from '../client/output.js';
import { readPassword } from '../client/password.js';
import { action } from './run.js';

export function userCommand(program: Command, env: Environment): void {
  const user = program.command('user').description('Manage user accounts');
  user
    .command('add')
    .description('Register a new user on the server')
    .argument('<username>', 'letters, digits, . _ - (2–32 characters)')
    .option(
      '--password <password>',
      'the new password (visible in the process list; prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .action(
      action(async (options, username: string) => {
        const password = await readPassword(options as { password?: string; passwordStdin?: boolean });
        const created = await anonymousClient(options, env).register(username, password);
        print(options.json, { user: created }, () => `created user ${created.username} (${created.id})`);
      }),
    );
}
