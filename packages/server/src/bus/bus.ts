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
  | { readonly kind: 'device.revoked'; readonly userId: string; readonly deviceId: string };

export type BusHandler = (message: BusMessage) => void;

export interface Bus {
  publish(message: BusMessage): Promise<void>;
  /** Returns a function that unsubscribes. */
  subscribe(handler: BusHandler): () => void;
  close(): Promise<void>;
}
