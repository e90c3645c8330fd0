import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { pino, type Logger as PinoLogger } from 'pino';
import type { ActionContext } from './actions/context.js';
import type { Bus } from './bus/bus.js';
import { openConfiguredBus, postgresBackend } from './backends.js';
import { busBackendOf, storageBackendOf, type ServerConfig } from './config.js';
import { scaledClock, systemClock, type Clock } from './core/clock.js';
import { buildHttpApp, type Server } from './http/app.js';
import { createMetrics } from './metrics.js';
import { openSqliteStorage } from './storage/sqlite/sqlite-storage.js';
import type { Storage } from './storage/storage.js';
import { attachGateway, type Gateway } from './ws/gateway.js';
import { expireDue } from './actions/disappearing.js';
import { expireConsentRequests } from './actions/consent.js';
import { deliverHeld } from './actions/held.js';
import { openFsBlobStore, type BlobStore } from './blobs/index.js';
import { sealedBlobStore } from './blobs/sealed/sealed-blob-store.js';
import type { KeyStore } from './keys/key-store.js';
import { openSqliteKeyStore } from './keys/sqlite/sqlite-key-store.js';
import { loadOrCreateComplianceKey } from './keys/compliance-key.js';
import { sealedStorage } from './storage/sealed/sealed-storage.js';
import { expireHolds } from './actions/compliance.js';
import { retireOld } from './actions/retention.js';
import { sweepAnalytics } from './actions/analytics/index.js';
import { startWebhookWorker } from './webhooks/worker.js';
import { startPushWorker } from './push/worker.js';
import { loadVapidKeys } from './push/vapid.js';
import type { FaultHooks } from './actions/context.js';
import { auditPathsOf } from './audit/paths.js';
import { loadOrCreateSigningKey } from './audit/signing-key.js';
import { createAuditService } from './audit/audit-service.js';

/** Parts a caller may supply instead of the defaults built from the config (tests, other backends). */
export interface ServerParts {
  /** The backend; it is always wrapped so that content is sealed at rest. */
  readonly storage?: Storage;
  readonly keys?: KeyStore;
  readonly bus?: Bus;
  readonly blobs?: BlobStore;
  readonly clock?: Clock;
  readonly logger?: PinoLogger;
  /** Deliberate failure points, for crash tests only. */
  readonly faults?: FaultHooks;
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
  // First, before anything is opened: a signing key others can read stops the start (audit/signing-key.ts).
  const auditPaths = auditPathsOf(config);
  const signingKey = await loadOrCreateSigningKey(auditPaths.keyPath, auditPaths.publicKeyPath);
  // Likewise the VAPID key (push/vapid.ts): created now, or refused now when others may read it.
  await loadVapidKeys(config);
  // PostgreSQL storage means several nodes may share it: the key store must then be shared too.
  const sharedUrl = storageBackendOf(config) === 'postgres' ? config.storage.url : null;
  const shared = sharedUrl !== null;
  const postgres =
    sharedUrl !== null && (!parts.keys || !parts.storage)
      ? { url: sharedUrl, ...(await postgresBackend()) }
      : null;
  const masterKeyPath = config.encryption.masterKeyPath ?? join(config.dataDir, 'master.key');
  const keys =
    parts.keys ??
    (postgres
      ? await postgres.openPostgresKeyStore({
          url: config.encryption.keyStoreUrl ?? postgres.url,
          ...(config.storage.schema === null ? {} : { schema: config.storage.schema }),
          masterKeyPath,
        })
      : await openSqliteKeyStore({
          path: config.encryption.keyStorePath ?? join(config.dataDir, 'keys.db'),
          masterKeyPath,
          synchronous: config.storage.synchronous,
        }));
  const hold =
    config.compliance.holdDays > 0
      ? {
          key: await loadOrCreateComplianceKey(
            config.compliance.keyPath ?? join(config.dataDir, 'compliance.key'),
          ),
          days: config.compliance.holdDays,
        }
      : null;
  const storage = sealedStorage(
    parts.storage ??
      (postgres
        ? await postgres.openPostgresStorage({
            url: postgres.url,
            ...(config.storage.schema === null ? {} : { schema: config.storage.schema }),
            onIdleError: (error: Error) => logger.warn({ err: error }, 'storage: an idle connection failed'),
          })
        : openSqliteStorage({
            path: join(config.dataDir, 'retract.db'),
            synchronous: config.storage.synchronous,
          })),
    { keys, hold },
  );
  if (shared) await checkSameSigningKey(storage, signingKey.keyId, auditPaths.keyPath);
  // Finish what a crash interrupted: keys of content erased before it are destroyed before serving.
  await storage.shredQueued();
  const blobs = sealedBlobStore(
    parts.blobs ?? (await openFsBlobStore({ dir: config.blobs.dir ?? join(config.dataDir, 'blobs') })),
    keys,
  );
  let bus: Bus;
  try {
    bus = parts.bus ?? (await openConfiguredBus(config, logger));
  } catch (error) {
    await blobs.close();
    await storage.close();
    throw error;
  }
  if (shared && !parts.bus && busBackendOf(config) === 'memory') {
    logger.warn(
      {},
      'storage is PostgreSQL but the bus is in-process: with more than one node, set bus.url (redis://…) ' +
        'or sockets on the other nodes will not hear of this node’s events until their next one',
    );
  }
  const clock = parts.clock ?? clockOf(config, logger);
  const audit = createAuditService({
    storage,
    clock,
    ...signingKey,
    checkpointFile: auditPaths.checkpointFile,
  });
  const context: ActionContext = {
    storage,
    blobs,
    bus,
    clock,
    config,
    compliance: hold,
    metrics: createMetrics(),
    log: logger,
    audit,
    ...(parts.faults === undefined ? {} : { faults: parts.faults }),
  };
  const http = await buildHttpApp(context, logger);
  const gateway = attachGateway(http.server, context);
  // Every second: deliver held messages that are due, erase disappearing messages that ran out, end
  // consent requests nobody answered.
  // Webhook deliveries: every node's worker claims due outbox rows (src/webhooks/worker.ts).
  const webhookWorker = startWebhookWorker(context);
  // Push notifications: every node's worker claims due outbox rows (src/push/worker.ts).
  const pushWorker = startPushWorker(context);
  const sweeper = setInterval(() => {
    deliverHeld(context).catch((error: unknown) =>
      logger.error({ err: error }, 'delivering held messages failed'),
    );
    expireDue(context).catch((error: unknown) => logger.error({ err: error }, 'expiring messages failed'));
    retireOld(context).catch((error: unknown) => logger.error({ err: error }, 'retention failed'));
    expireHolds(context).catch((error: unknown) =>
      logger.error({ err: error }, 'ending compliance holds failed'),
    );
    expireConsentRequests(context).catch((error: unknown) =>
      logger.error({ err: error }, 'expiring consent requests failed'),
    );
    sweepAnalytics(context).catch((error: unknown) =>
      logger.error({ err: error }, 'recall analytics sweep failed'),
    );
  }, 1000).unref();
  // Sign a checkpoint at the configured interval, when the log has grown since the last one. On shared
  // storage every node runs this timer against one log: each starts at a random phase and skips a tick
  // when any node signed within the last half interval, so the cluster signs about once per interval.
  // Two nodes that still coincide both sign the same tree — two true, consistent statements (the log
  // verifier accepts any number of checkpoints), each appended to its own node's checkpoint file.
  const checkpointEvery = config.audit.checkpointIntervalSeconds * 1000;
  const signIfGrown = () => {
    audit
      .checkpointIfGrown(shared ? { notWithinMs: checkpointEvery / 2 } : {})
      .catch((error: unknown) => logger.error({ err: error }, 'signing an audit checkpoint failed'));
  };
  let checkpointTimer: NodeJS.Timeout | undefined;
  if (checkpointEvery > 0 && shared) {
    checkpointTimer = setTimeout(() => {
      signIfGrown();
      checkpointTimer = setInterval(signIfGrown, checkpointEvery).unref();
    }, Math.random() * checkpointEvery).unref();
  } else if (checkpointEvery > 0) {
    checkpointTimer = setInterval(signIfGrown, checkpointEvery).unref();
  }

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
        await webhookWorker.stop();
        await pushWorker.stop();
        clearInterval(checkpointTimer);
        await gateway.close();
        await http.close();
        await bus.close();
        await blobs.close();
        await audit.close();
        await storage.close();
      })();
      return closing;
    },
  };
}

/**
 * On shared storage every node signs checkpoints of one log, so every node must hold the same signing
 * key: a node that created a key of its own (its key files were not copied from the first node) is
 * stopped before it signs anything, rather than leaving checkpoints under two keys.
 */
async function checkSameSigningKey(storage: Storage, keyId: string, keyPath: string): Promise<void> {
  const latest = await storage.read((tx) => tx.latestCheckpoint());
  if (latest === null || latest.keyId === keyId) return;
  await storage.close();
  throw new Error(
    `the audit signing key ${keyPath} (key id ${keyId}) is not the key that signed this database's ` +
      `checkpoints (key id ${latest.keyId}): every node must use the same key files — copy the audit ` +
      'signing key, the master key and the compliance key from the first node (see README, "Running on several machines")',
  );
}

/** The system clock, unless the configuration asks for a simulation clock (`clock.start`, `clock.speed`). */
function clockOf(config: ServerConfig, logger: PinoLogger): Clock {
  if (config.clock.start === null && config.clock.speed === 1) return systemClock;
  const start = config.clock.start === null ? Date.now() : Date.parse(config.clock.start);
  logger.warn(
    { start: new Date(start).toISOString(), speed: config.clock.speed },
    'simulation clock: server time is not real time; for simulations only',
  );
  return scaledClock(start, config.clock.speed, () => Date.now());
}
