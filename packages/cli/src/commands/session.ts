import type { Command } from 'commander';
import type { Environment } from '../env.js';
import { anonymousClient, serverUrl, signedInClient } from '../client/context.js';
import { removeCredentials, writeCredentials } from '../client/credentials.js';
import { print } from '../client/output.js';
import { readPassword } from '../client/password.js';
import { action } from './run.js';

export function sessionCommands(program: Command, env: Environment): void {
  program
    .command('login')
    .description('Log in as a new device and remember its token for the other commands')
    .argument('<username>')
    .option('--password <password>', 'the password (visible in the process list; prefer --password-stdin)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--device <name>', 'a name for this device', 'cli')
    .action(
      action(async (options, username: string) => {
        const password = await readPassword(options as { password?: string; passwordStdin?: boolean });
        const result = await anonymousClient(options, env).login(
          username,
          password,
          String(options['device']),
        );
        const path = writeCredentials(env, {
          server: serverUrl(options, env),
          token: result.token,
          username: result.user.username,
          userId: result.user.id,
          deviceId: result.device.id,
        });
        print(
          options.json,
          { user: result.user, device: result.device, credentials: path },
          () => `logged in as ${result.user.username} (device ${result.device.id}); token saved in ${path}`,
        );
      }),
    );

  program
    .command('logout')
    .description('End this device’s session on the server and forget its token')
    .action(
      action(async (options) => {
        const { client } = signedInClient(options, env);
        await client.logout();
        removeCredentials(env);
        print(options.json, { loggedOut: true }, () => 'logged out');
      }),
    );

  program
    .command('whoami')
    .description('Show the logged-in user, device and cursor')
    .action(
      action(async (options) => {
        const me = await signedInClient(options, env).client.me();
        print(
          options.json,
          me,
          () =>
            `${me.user.username} (${me.user.id}) on device ${me.device.name} (${me.device.id}), cursor ${me.cursor}`,
        );
      }),
    );
}
