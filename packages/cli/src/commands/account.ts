import type { Command } from 'commander';
import type { Environment } from '../env.js';
import { signedInClient } from '../client/context.js';
import { print } from '../client/output.js';
import { action } from './run.js';

/**
 * `retract passwd` and `retract admin user disable|enable`: both end sessions on the server, and their
 * sockets close at once. Passwords come from options only (two at once cannot share standard input).
 */
export function accountCommands(program: Command, env: Environment): void {
  program
    .command('passwd')
    .description('Change your password; every other session of yours ends, this one stays')
    .requiredOption('--current <password>', 'the password now')
    .requiredOption('--new <password>', 'the new password (at least 8 characters)')
    .action(
      action(async (options) => {
        const { client } = signedInClient(options, env);
        const result = await client.http.changePassword({
          currentPassword: String(options['current']),
          newPassword: String(options['new']),
        });
        print(
          options.json,
          result,
          () => `password changed; ${result.revokedSessions} other session(s) ended`,
        );
      }),
    );

  const user = program
    .command('admin')
    .description('Server administration (server admins)')
    .command('user')
    .description('Accounts: disable (no login, every session ends at once) or enable again');
  for (const verb of ['disable', 'enable'] as const) {
    user
      .command(verb)
      .description(verb === 'disable' ? 'Disable an account; its sessions end at once' : 'Enable an account')
      .argument('<username>')
      .action(
        action(async (options, username: string) => {
          const { client } = signedInClient(options, env);
          const result = await client.http.setAccountDisabled(username, verb === 'disable');
          print(options.json, result, () =>
            result.disabled
              ? `disabled ${result.user.username}; ${result.revokedSessions} session(s) ended`
              : `enabled ${result.user.username}`,
          );
        }),
      );
  }
}
