import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, loadConfig, type RetractServer, type ServerParts } from '@retract/server';
import type { SimClock } from './clock.js';

/**
 * The default target: a Retract server in this process on 127.0.0.1, embedded SQLite in a temp dir
 * (removed afterwards), its clock the simulator's. Cheap password hashing: 200 accounts are set up in
 * seconds, and nobody will ever log in to them again.
 */
export interface EmbeddedOptions {
  /** Keep the data here instead of a temp dir (not removed). */
  readonly dataDir?: string;
  readonly logger?: ServerParts['logger'];
  /** Config sections merged over the simulator's (e.g. a policy). */
  readonly config?: Record<string, unknown>;
  /** Called while the server still runs, just before it is closed (tests inspect its files and metrics). */
  readonly beforeClose?: (server: { url: string; dataDir: string }) => Promise<void>;
}

export interface Embedded {
  readonly url: string;
  readonly dataDir: string;
  readonly server: RetractServer;
  close(): Promise<void>;
}

export async function startEmbedded(
  options: EmbeddedOptions,
  clock: SimClock,
  settings: { admin: string; timeZone: string; followUpSeconds: number },
): Promise<Embedded> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'retract-simulate-'));
  const base: Record<string, unknown> = {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    auth: { passwordHashCost: 1024 },
    serverAdmins: [settings.admin],
    analytics: { timeZone: settings.timeZone, followUpSeconds: settings.followUpSeconds },
    log: { level: 'error' },
    // A day of traffic from one address in a minute: a load generator, not abuse.
    limits: { enabled: false },
  };
  const config = loadConfig({ ...base, ...options.config });
  const server = await createServer(config, {
    clock,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  let url: string;
  try {
    url = await server.listen();
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    url,
    dataDir,
    server,
    async close() {
      try {
        await options.beforeClose?.({ url, dataDir });
      } finally {
        await server.close();
        if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
