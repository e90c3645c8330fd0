import { randomUUID } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../actions/context.js';
import type { Bus, BusHandler, BusMessage } from '../bus.js';

/**
 * The bus port over Redis pub/sub, for several Retract nodes sharing one storage.
 *
 * Why Redis pub/sub, and not NATS (or Kafka, or Redis streams), for now:
 * - At-most-once is exactly what the port asks. Storage is the truth: every event is committed with a
 *   per-user sequence number before it is published, and a device that misses a bus message sees the
 *   gap at its next event and reads the missing range from storage (ws/connection.ts). Pub/sub keeps no
 *   copy of what it carries — nothing to persist, expire, or erase after a recall — and needs none.
 * - Nothing to provision: one channel, no streams, consumer groups, retention or ACKs to manage; any
 *   Redis (or Valkey) an operator already runs will do, including a managed one.
 * - It reconnects by itself: ioredis retries with backoff and resubscribes; what was published during
 *   the outage is lost, which `onReconnect` turns into a catch-up from storage for every open socket.
 * NATS (core, also at-most-once) would serve as well, with a better story past one Redis; it can follow
 * behind the same port without touching anything else.
 *
 * Shape:
 * - Two connections: one publishes (offline queue off, a command timeout, no retries: a publish settles
 *   within `commandTimeoutMs` even with Redis gone, and an outage never builds an unbounded queue in
 *   memory), one subscribes to a single channel, `<channelPrefix>bus`.
 * - Messages are JSON envelopes `{ v: 1, node, kind: 'message', message }`. `node` is this process's
 *   node id: subscribers on the publishing node are handed the message synchronously at publish (as the
 *   in-process bus does), and the same message coming back from Redis is skipped. So a node's own sockets
 *   never wait on Redis, and a Redis outage only delays the other nodes' sockets.
 * - When a publish fails, other nodes may have missed a message and have no gap to notice it by (they
 *   did not lose their own connection). The node then owes them a `{ kind: 'resync' }` envelope, sent as
 *   soon as Redis answers again; receiving one fires `onReconnect` handlers, as the subscriber's own
 *   reconnection does.
 *
 * Trust: whoever can publish on the channel can put frames on every socket, and `message.created`
 * events carry message text. Run Redis on a private network with a password (`redis://:secret@…`), and
 * use `rediss://` (TLS) between machines. Pub/sub messages are never written to Redis's RDB or AOF.
 */
export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). */
  readonly url: string;
  /** The channel is `<channelPrefix>bus`; give each cluster sharing one Redis its own prefix. */
  readonly channelPrefix?: string;
  /** This node's id in every envelope; default a random one per process. */
  readonly nodeId?: string;
  /** Longest a publish may wait for Redis before it rejects; default 1000 ms. */
  readonly commandTimeoutMs?: number;
  /** How long `openRedisBus` waits for Redis at start before it gives up; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts; default 2000 ms. */
  readonly maxReconnectDelayMs?: number;
  readonly log?: Logger;
  /** A subscriber threw; the others still get the message. */
  readonly onHandlerError?: (error: unknown) => void;
}

export interface RedisBus extends Bus {
  /** This node's id, as carried in its envelopes. */
  readonly nodeId: string;
  /** The pub/sub channel in use. */
  readonly channel: string;
  onReconnect(handler: () => void): () => void;
}

type Envelope =
  | { readonly v: 1; readonly node: string; readonly kind: 'message'; readonly message: BusMessage }
  | { readonly v: 1; readonly node: string; readonly kind: 'resync' };

const quietLog: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Connects both connections and subscribes; rejects with a clear message when Redis cannot be reached. */
export async function openRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  const nodeId = options.nodeId ?? `n_${randomUUID()}`;
  const channel = `${options.channelPrefix ?? 'retract:'}bus`;
  const log = options.log ?? quietLog;
  const onHandlerError = options.onHandlerError ?? (() => {});
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const where = redactUrl(options.url);
  const common: RedisOptions = {
    lazyConnect: true,
    // Exponential from 100 ms, capped, with jitter so that nodes do not stampede a restarted Redis.
    retryStrategy: (times) =>
      Math.min(50 * 2 ** Math.min(times, 10), maxDelay) + Math.floor(Math.random() * 100),
    connectTimeout: options.connectTimeoutMs ?? 5000,
  };
  const publisher = new Redis(options.url, {
    ...common,
    connectionName: `retract-pub-${nodeId}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 1000,
  });
  const subscriber = new Redis(options.url, {
    ...common,
    connectionName: `retract-sub-${nodeId}`,
    autoResubscribe: true,
  });

  const handlers = new Set<BusHandler>();
  const reconnectHandlers = new Set<() => void>();
  let closed = false;

  // Connection errors are reported once per outage, not once per retry.
  const watch = (client: Redis, role: string) => {
    let down = false;
    client.on('error', (error: Error) => {
      if (closed || down) return;
      down = true;
      log.warn({ err: error, role, bus: where }, 'bus: lost the connection to Redis; retrying');
    });
    client.on('ready', () => {
      if (down) log.info({ role, bus: where }, 'bus: reconnected to Redis');
      down = false;
    });
  };
  watch(publisher, 'publish');
  watch(subscriber, 'subscribe');

  const deliverLocally = (message: BusMessage) => {
    for (const handler of handlers) {
      try {
        handler(message);
      } catch (error) {
        onHandlerError(error);
      }
    }
  };
  const fireReconnect = () => {
    if (closed) return;
    for (const handler of reconnectHandlers) {
      try {
        handler();
      } catch (error) {
        onHandlerError(error);
      }
    }
  };

  subscriber.on('message', (from: string, raw: string) => {
    if (from !== channel || closed) return;
    const envelope = parseEnvelope(raw);
    if (envelope === null) {
      log.warn({ bus: where, channel }, 'bus: ignored a message that is not a Retract envelope');
      return;
    }
    if (envelope.node === nodeId) return; // Delivered locally when it was published.
    if (envelope.kind === 'resync') return fireReconnect();
    deliverLocally(envelope.message);
  });

  // Every `ready` after the first is a reconnection: whatever was published meanwhile is lost. ioredis
  // resubscribes by itself, but `ready` is emitted before its SUBSCRIBE is even sent; a SUBSCRIBE of our
  // own (idempotent) resolves only once the subscription is live again. Only then may sockets read
  // storage, so that nothing committed between their read and the subscription falls through.
  let subscribedOnce = false;
  subscriber.on('ready', () => {
    if (!subscribedOnce || closed) return;
    subscriber.subscribe(channel).then(fireReconnect, (error: unknown) => {
      // The connection dropped again; the next `ready` tries again.
      if (!closed) log.warn({ err: error, bus: where }, 'bus: resubscribing failed');
    });
  });

  // A failed publish leaves other nodes owing a catch-up they cannot know about: tell them once Redis
  // answers again (on the publisher's next `ready`, and on a timer for failures without a disconnect).
  let owesResync = false;
  let resyncTimer: NodeJS.Timeout | undefined;
  const resyncPayload = JSON.stringify({ v: 1, node: nodeId, kind: 'resync' } satisfies Envelope);
  const sendResync = () => {
    clearTimeout(resyncTimer);
    resyncTimer = undefined;
    if (!owesResync || closed) return;
    publisher.publish(channel, resyncPayload).then(
      () => {
        owesResync = false;
      },
      () => {
        if (!closed) resyncTimer = setTimeout(sendResync, maxDelay).unref();
      },
    );
  };
  publisher.on('ready', () => {
    if (owesResync) sendResync();
  });

  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.subscribe(channel);
    subscribedOnce = true;
  } catch (error) {
    closed = true;
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot reach the bus at ${where}: ${(error as Error).message}`, { cause: error });
  }

  return {
    nodeId,
    channel,
    publish(message: BusMessage): Promise<void> {
      if (closed) return Promise.reject(new Error('the bus is closed'));
      deliverLocally(message);
      const payload = JSON.stringify({ v: 1, node: nodeId, kind: 'message', message } satisfies Envelope);
      let sent: Promise<unknown>;
      try {
        sent = publisher.publish(channel, payload);
      } catch (error) {
        sent = Promise.reject(error as Error);
      }
      return sent.then(
        () => {
          if (owesResync && resyncTimer === undefined) sendResync();
        },
        (error: unknown) => {
          owesResync = true;
          if (resyncTimer === undefined && publisher.status === 'ready') {
            resyncTimer = setTimeout(sendResync, Math.min(250, maxDelay)).unref();
          }
          throw new Error(`bus publish to ${where} failed: ${(error as Error).message}`, { cause: error });
        },
      );
    },
    subscribe(handler: BusHandler): () => void {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    onReconnect(handler: () => void): () => void {
      reconnectHandlers.add(handler);
      return () => reconnectHandlers.delete(handler);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearTimeout(resyncTimer);
      handlers.clear();
      reconnectHandlers.clear();
      // Nothing to flush: every publish was awaited by its caller. disconnect() also stops reconnecting.
      publisher.disconnect();
      subscriber.disconnect();
    },
  };
}

function parseEnvelope(raw: string): Envelope | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  const e = value as Record<string, unknown>;
  if (e['v'] !== 1 || typeof e['node'] !== 'string') return null;
  if (e['kind'] === 'resync') return value as Envelope;
  if (e['kind'] !== 'message') return null;
  const message = e['message'] as Record<string, unknown> | null;
  if (message === null || typeof message !== 'object') return null;
  if (message['kind'] === 'events') {
    return message['event'] !== null &&
      typeof message['event'] === 'object' &&
      Array.isArray(message['deliveries'])
      ? (value as Envelope)
      : null;
  }
  if (message['kind'] === 'device.revoked') {
    return typeof message['userId'] === 'string' && typeof message['deviceId'] === 'string'
      ? (value as Envelope)
      : null;
  }
  if (message['kind'] === 'devices.revoked') {
    const ids = message['deviceIds'];
    return typeof message['userId'] === 'string' &&
      Array.isArray(ids) &&
      ids.every((id) => typeof id === 'string')
      ? (value as Envelope)
      : null;
  }
  return null;
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
