import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino, type Logger as PinoLogger } from 'pino';
import type { ActionContext } from './actions/context.js';
import type { Bus } from './bus/bus.js';
import { createMemoryBus } from './bus/memory/memory-bus.js';
import type { ServerConfig } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { buildHttpApp, type Server } from './http/app.js';
import { createMetrics } from './metrics.js';
import { openSqliteStorage } from './storage/sqlite/sqlite-storage.js';
import type { Storage } from './storage/storage.js';
import { attachGateway, type Gateway } from './ws/gateway.js';
import { expireDue } from './actions/disappearing.js';
import { expireConsentRequests } from './actions/consent.js';
import { deliverHeld } from './actions/held.js';
import { openFsBlobStore, type BlobStore } from './blobs/index.js';

/** Parts a caller may supply instead of the defaults built from the config (tests, other backends). */
export interface ServerParts {
  readonly storage?: Storage;
  readonly bus?: Bus;
  readonly blobs?: BlobStore;
  readonly clock?: Clock;
  readonly logger?: PinoLogger;
}

export interface RetractServer {
  readonly http: Server;
  readonly gateway: Gateway;
  readonly context: ActionContext;
  /** Starts listening; resolves with the base URL (e.g. `http://127.0.0.1:8080`). */
  listen(): Promise<string>;
  /** Stops accepting, closes sockets with 1001, drains requests, closes storage. Idempotent. */
  close(): Promise<void>;
}

/** Composes storage, bus, HTTP API and WebSocket gateway from a validated config. */
export async function createServer(config: ServerConfig, parts: ServerParts = {}): Promise<RetractServer> {
  const logger = parts.logger ?? pino({ level: config.log.level, base: { service: 'retract' } });
  const storage =
    parts.storage ??
    openSqliteStorage({ path: join(config.dataDir, 'retract.db'), synchronous: config.storage.synchronous });
  const blobs = parts.blobs ?? (await openFsBlobStore({ dir: join(config.dataDir, 'blobs') }));
  const bus = parts.bus ?? createMemoryBus((error) => logger.error({ err: error }, 'bus handler failed'));
  const context: ActionContext = {
    storage,
    blobs,
    bus,
    clock: parts.clock ?? systemClock,
    config,
    metrics: createMetrics(),
    log: logger,
  };
  const http = await buildHttpApp(context, logger);
  const gateway = attachGateway(http.server, context);
  // Every second: deliver held messages that are due, erase disappearing messages that ran out, end
  // consent requests nobody answered.
  const sweeper = setInterval(() => {
    deliverHeld(context).catch((error: unknown) =>
      logger.error({ err: error }, 'delivering held messages failed'),
    );
    expireDue(context).catch((error: unknown) => logger.error({ err: error }, 'expiring messages failed'));
    expireConsentRequests(context).catch((error: unknown) =>
      logger.error({ err: error }, 'expiring consent requests failed'),
    );
  }, 1000).unref();

  let closing: Promise<void> | undefined;
  return {
    http,
    gateway,
    context,
    async listen(): Promise<string> {
      await http.listen({ host: config.host, port: config.port });
      const address = http.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return `http://${host}:${address.port}`;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        clearInterval(sweeper);
        await gateway.close();
        await http.close();
        await bus.close();
        await blobs.close();
        await storage.close();
      })();
      return closing;
    },
  };
}
