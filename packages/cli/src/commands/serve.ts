import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { busBackendOf, createServer, storageBackendOf } from '@retract/server';
import type { Environment } from '../env.js';
import { resolveServerConfig, type ServeFlags } from '../server-config.js';

export function serveCommand(program: Command, env: Environment): void {
  program
    .command('serve')
    .description(
      'Run the Retract server: HTTP API, WebSocket gateway; embedded SQLite unless --store/--bus make it a cluster node',
    )
    .option('-c, --config <file>', 'JSON config file (env RETRACT_CONFIG)')
    .option('--host <host>', 'interface to listen on (env RETRACT_HOST, default 127.0.0.1)')
    .option('-p, --port <port>', 'port to listen on (env RETRACT_PORT, default 8080)')
    .option('-d, --data <dir>', 'data directory (env RETRACT_DATA, default ./data)')
    .option(
      '--store <url>',
      'storage: sqlite: (embedded in the data directory, the default) or postgres://user:pass@host:5432/db, shared by every node (env RETRACT_STORE)',
    )
    .option(
      '--bus <url>',
      'cross-node bus: memory: (in-process, the default) or redis://host:6379 (rediss:// for TLS) (env RETRACT_BUS)',
    )
    .option(
      '--blobs <dir>',
      'attachment directory (env RETRACT_BLOBS, default <data>/blobs); on several nodes, one every node mounts',
    )
    .addHelpText(
      'after',
      '\nSeveral nodes: give each the same --store postgres://… and --bus redis://…, a shared --blobs directory,\n' +
        'and the same key files (master key, audit signing key, compliance key). See README, "Running on several machines".',
    )
    .action(async (flags: ServeFlags) => {
      const config = resolveServerConfig(flags, env, { webDir: defaultWebDir() });
      const server = await createServer(config);
      const url = await server.listen();
      server.context.log.info(
        {
          url,
          dataDir: config.dataDir,
          storage: storageBackendOf(config),
          bus: busBackendOf(config),
        },
        `Retract listening on ${url}`,
      );
      const stop = (signal: string) => {
        server.context.log.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            server.context.log.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}

/** The web client built in this repository (`npm run build:web`), when it has been built. */
function defaultWebDir(): string | null {
  const dir = fileURLToPath(new URL('../../../web/dist', import.meta.url));
  return existsSync(dir) ? dir : null;
}
