import type { Command } from 'commander';
import { createServer } from '@retract/server';
import type { Environment } from '../env.js';
import { resolveServerConfig } from '../server-config.js';

export function serveCommand(program: Command, env: Environment): void {
  program
    .command('serve')
    .description('Run the Retract server: HTTP API, WebSocket gateway, embedded SQLite')
    .option('-c, --config <file>', 'JSON config file (env RETRACT_CONFIG)')
    .option('--host <host>', 'interface to listen on (env RETRACT_HOST, default 127.0.0.1)')
    .option('-p, --port <port>', 'port to listen on (env RETRACT_PORT, default 8080)')
    .option('-d, --data <dir>', 'data directory (env RETRACT_DATA, default ./data)')
    .action(async (flags: { config?: string; host?: string; port?: string; data?: string }) => {
      const config = resolveServerConfig(flags, env);
      const server = await createServer(config);
      const url = await server.listen();
      server.context.log.info({ url, dataDir: config.dataDir }, `Retract listening on ${url}`);
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
