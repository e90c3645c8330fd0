import type { EventBody } from '@retract/protocol';

/**
 * The bus port: how a committed change reaches the nodes that hold the recipients' sockets. It only
 * speeds delivery up — storage is the truth, and a device that misses a bus message notices the gap in
 * its sequence and fetches what it missed — so a bus may drop, but must never deliver before commit
 * (publishers call it only after their transaction resolved).
 */
export type BusMessage =
  | {
      readonly kind: 'events';
      /** The event as every recipient sees it; only the sequence number differs per user. */
      readonly event: EventBody;
      readonly deliveries: readonly { readonly userId: string; readonly seq: number }[];
    }
  | { readonly kind: 'device.revoked'; readonly userId: string; readonly deviceId: string }
  /**
   * Several sessions of one user ended at once (password change, account disabled): every node closes
   * those devices' sockets. The ids are named, not "all but one", so a login that comes after is safe.
   */
  | { readonly kind: 'devices.revoked'; readonly userId: string; readonly deviceIds: readonly string[] };

export type BusHandler = (message: BusMessage) => void;

export interface Bus {
  /**
   * Rejects (never throws synchronously) when the message may not have reached other nodes; it must
   * settle quickly even when the transport is down — callers log and move on, devices catch up by cursor.
   */
  publish(message: BusMessage): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(handler: BusHandler): () => void;
  /**
   * Optional (a bus that never loses messages, like the in-process one, may leave it out or never call
   * it). Called when messages may have been lost without a gap to show it: the bus reconnected after an
   * outage, or another node could not publish for a while. The gateway then has every open socket read
   * what it missed from storage and re-checks that its session still exists. Returns an unsubscribe.
   */
  onReconnect?(handler: () => void): () => void;
  close(): Promise<void>;
}
