import type { Bus } from '../bus/bus.js';
import type { ServerConfig } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { EventPair } from '../core/events.js';
import type { Metrics } from '../metrics.js';
import type { Delivery } from '../storage/records.js';
import type { Storage } from '../storage/storage.js';
import type { BlobStore } from '../blobs/index.js';
import type { AuditService } from '../audit/audit-service.js';
import type { ComplianceHold } from '../storage/sealed/sealed-storage.js';

/** What every action may use. Built once by the server and passed down; actions hold no state. */
export interface ActionContext {
  readonly storage: Storage;
  /** Attachment bytes; metadata lives in storage. */
  readonly blobs: BlobStore;
  readonly bus: Bus;
  readonly clock: Clock;
  readonly config: ServerConfig;
  /** Compliance hold in force: recalled content is kept sealed under this key for `days`; null when off. */
  readonly compliance: ComplianceHold | null;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** The audit log's signing side: its public key, and signing checkpoints (src/audit/). */
  readonly audit: AuditService;
  /** Deliberate failure points, for crash tests only; absent in production. */
  readonly faults?: FaultHooks;
}

/** Where crash tests may kill the process (ServerParts.faults), to prove what survives. */
export interface FaultHooks {
  /** Inside an erasure's transaction: after the tombstone is written, before its audit entry. */
  readonly afterErase?: () => void;
  /** After a recall's transaction committed, before it is published and acknowledged. */
  readonly afterRecallCommit?: () => void;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Who is acting: a user, through one of their devices (sessions). */
export interface Actor {
  readonly userId: string;
  readonly deviceId: string;
  /** Holds the server admin role (from the configuration). */
  readonly serverAdmin: boolean;
  /** The HTTP request (or WebSocket frame) this action serves, for the audit log. */
  readonly requestId?: string;
  /**
   * Set when an admin API key acts (actions/api-keys.ts): then `userId` is the key's id too, no user is
   * behind it, and the audit entry's actor names the key.
   */
  readonly keyId?: string;
}

/**
 * Hands committed events to the bus. Called only after the transaction resolved; a bus failure is
 * logged, not thrown — the write is durable and devices will catch up from storage by cursor.
 */
export async function publishCommitted(
  ctx: ActionContext,
  pair: EventPair,
  deliveries: readonly Delivery[],
): Promise<void> {
  if (deliveries.length === 0) return;
  try {
    await ctx.bus.publish({ kind: 'events', event: pair.live, deliveries });
  } catch (error) {
    ctx.log.warn({ err: error, type: pair.live.type }, 'bus publish failed; devices will catch up by cursor');
  }
}
