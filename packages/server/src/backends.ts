import type { Logger } from './actions/context.js';
import type { Bus } from './bus/bus.js';
import { createMemoryBus } from './bus/memory/memory-bus.js';
import { busBackendOf, type ServerConfig } from './config.js';

/**
 * The backends a configuration selects beyond the embedded defaults: PostgreSQL (storage and key store,
 * shared by every node) and the Redis bus. `createServer` calls these only when the configuration asks
 * for them, so the embedded mode loads neither `pg` nor `ioredis`.
 */

/** The PostgreSQL storage and key store openers. */
export interface PostgresEntryPoints {
  readonly openPostgresStorage: typeof import('./storage/postgres/postgres-storage.js').openPostgresStorage;
  readonly openPostgresKeyStore: typeof import('./keys/postgres/postgres-key-store.js').openPostgresKeyStore;
}

/** The PostgreSQL backend, loaded only when the configuration asks for it (the embedded mode never loads `pg`). */
export async function postgresBackend(): Promise<PostgresEntryPoints> {
  const [{ openPostgresStorage }, { openPostgresKeyStore }] = await Promise.all([
    import('./storage/postgres/postgres-storage.js'),
    import('./keys/postgres/postgres-key-store.js'),
  ]);
  return { openPostgresStorage, openPostgresKeyStore };
}

/** The bus the configuration names: in-process by default, Redis pub/sub for `redis://`/`rediss://`. */
export async function openConfiguredBus(config: ServerConfig, log: Logger): Promise<Bus> {
  const onHandlerError = (error: unknown) => log.error({ err: error }, 'bus handler failed');
  if (busBackendOf(config) === 'memory' || config.bus.url === null) return createMemoryBus(onHandlerError);
  const { openRedisBus } = await import('./bus/redis/redis-bus.js');
  const bus = await openRedisBus({
    url: config.bus.url,
    channelPrefix: config.bus.channelPrefix,
    log,
    onHandlerError,
  });
  log.info({ nodeId: bus.nodeId, channel: bus.channel }, 'bus: Redis pub/sub');
  return bus;
}
