import type { Bus, BusHandler, BusMessage } from '../bus.js';

/**
 * In-process fan-out for the single-node setup. Delivery is synchronous, so a publish returns only once
 * every local socket has the frame queued. One failing handler does not stop the others.
 */
export function createMemoryBus(onHandlerError: (error: unknown) => void = () => {}): Bus {
  const handlers = new Set<BusHandler>();
  return {
    async publish(message: BusMessage): Promise<void> {
      for (const handler of handlers) {
        try {
          handler(message);
        } catch (error) {
          onHandlerError(error);
        }
      }
    },
    subscribe(handler: BusHandler): () => void {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    // Nothing in-process is ever lost, so there is never anything to catch up on.
    onReconnect(): () => void {
      return () => {};
    },
    async close(): Promise<void> {
      handlers.clear();
    },
  };
}
