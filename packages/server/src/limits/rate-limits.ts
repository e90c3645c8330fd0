import { createHash } from 'node:crypto';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { ActionContext, Logger } from '../actions/context.js';
import { busBackendOf, type ServerConfig } from '../config.js';
import { budgetNames, budgetOf, type BudgetName } from './budgets.js';

/** Consumes one point of a budget; `null` means go ahead, otherwise how long to wait. */
export interface RateLimits {
  consume(budget: BudgetName, key: string): Promise<{ readonly retryAfterSeconds: number } | null>;
  close(): Promise<void>;
}

/**
 * One set of limiters per server (HTTP and the WebSocket gateway consult the same one, so a user's
 * requests and socket commands draw on one budget). Built on first use, closed with the HTTP app.
 */
const perServer = new WeakMap<ActionContext, RateLimits>();

export function rateLimitsOf(ctx: ActionContext): RateLimits {
  let limits = perServer.get(ctx);
  if (!limits) perServer.set(ctx, (limits = createRateLimits(ctx.config, ctx.log)));
  return limits;
}

/**
 * With the Redis bus the counters live in Redis, so a user spreading requests over every node still has
 * one budget. If Redis cannot answer, each node falls back to counting in its own memory (the insurance
 * limiter) rather than refusing everyone or letting everyone through.
 */
export function createRateLimits(config: ServerConfig, log: Logger): RateLimits {
  if (!config.limits.enabled) return { consume: async () => null, close: async () => {} };
  const memoryLimiter = (name: BudgetName) => new RateLimiterMemory(optionsOf(config, name));
  let redis: Redis | null = null;
  const limiters: Promise<Map<BudgetName, RateLimiterAbstract>> =
    busBackendOf(config) === 'redis' && config.bus.url !== null
      ? openRedis(config.bus.url, log).then((client) => {
          redis = client;
          return new Map(
            budgetNames.map((name) => [
              name,
              new RateLimiterRedis({
                ...optionsOf(config, name),
                storeClient: client,
                // Never wait for a Redis that is down: count in this node's memory until it is back.
                rejectIfRedisNotReady: true,
                insuranceLimiter: memoryLimiter(name),
              }),
            ]),
          );
        })
      : Promise.resolve(new Map(budgetNames.map((name) => [name, memoryLimiter(name)])));
  return {
    async consume(budget, key) {
      try {
        await (await limiters).get(budget)!.consume(keyFor(budget, key));
        return null;
      } catch (result) {
        if (result instanceof RateLimiterRes) {
          return { retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
        }
        // Neither Redis nor the insurance limiter answered: a limiter failure must not take the API down.
        log.warn({ err: result, budget }, 'rate limiter failed; request let through');
        return null;
      }
    },
    async close() {
      await limiters.catch(() => undefined);
      if (redis) await (redis as Redis).quit().catch(() => (redis as Redis).disconnect());
    },
  };
}

function optionsOf(config: ServerConfig, name: BudgetName) {
  const { points, durationSeconds } = budgetOf(config, name);
  // The bus's channel prefix separates clusters sharing one Redis, for budgets as for events.
  return { points, duration: durationSeconds, keyPrefix: `${config.bus.channelPrefix}rl:${name}` };
}

/** Keys leave the process (Redis) hashed: addresses and tokens are nobody else's business. */
function keyFor(budget: BudgetName, key: string): string {
  return budget === 'user' || budget === 'moderator'
    ? key
    : createHash('sha256').update(key).digest('base64url').slice(0, 22);
}

/** Loaded only with the Redis bus: the embedded mode never loads ioredis (see backends.ts). */
async function openRedis(url: string, log: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    connectionName: 'retract-limits',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), 2000),
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error }, 'rate limits: lost Redis; counting per node until it is back');
  });
  client.on('ready', () => (down = false));
  return client;
}
