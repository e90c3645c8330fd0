import type { api, ClientFrame, ReplyFrame } from '@retract/protocol';
import { apiErrorFromPayload, NetworkError } from './errors.js';
import type { Scheduler } from './scheduler.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A command sent over the socket; the request id is added when it is sent. */
export type Command = DistributiveOmit<Extract<ClientFrame, { type: 'send' | 'recall' | 'hide' }>, 'id'>;

/** What a successful reply carries for each command: the same body as the HTTP endpoint. */
export interface CommandResults {
  send: api.SendMessageResponse;
  recall: api.RecallResponse;
  hide: api.HideResponse;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  cancelTimer(): void;
}

/** Requests awaiting their `reply` frame, matched by id, each with a timeout. */
export class PendingRequests {
  readonly #scheduler: Scheduler;
  readonly #pending = new Map<string, Pending>();
  #nextId = 0;

  constructor(scheduler: Scheduler) {
    this.#scheduler = scheduler;
  }

  /** Gives `command` an id, hands the frame to `send`, and resolves with the reply. */
  start<C extends Command>(
    command: C,
    timeoutMs: number,
    send: (frame: ClientFrame) => void,
  ): Promise<CommandResults[C['type']]> {
    this.#nextId += 1;
    const id = `r${this.#nextId}`;
    return new Promise((resolve, reject) => {
      const cancelTimer = this.#scheduler.schedule(timeoutMs, () => {
        if (this.#pending.delete(id))
          reject(new NetworkError('timeout', `No reply to ${command.type} ${id}.`));
      });
      this.#pending.set(id, {
        // The result is trusted to match the command, as HTTP responses are (see HttpApi).
        resolve: (result) => resolve(result as CommandResults[C['type']]),
        reject,
        cancelTimer,
      });
      send(withId(command, id));
    });
  }

  /** Settles the request a reply answers; a reply to an unknown id (timed out already) is ignored. */
  settle(frame: ReplyFrame): void {
    const pending = this.#pending.get(frame.id);
    if (pending === undefined) return;
    this.#pending.delete(frame.id);
    pending.cancelTimer();
    if (frame.ok) pending.resolve(frame.result);
    else pending.reject(apiErrorFromPayload(frame.error));
  }

  /**
   * Rejects everything in flight: the socket is gone and no reply will come. Whether the command took
   * effect is unknown, so callers retry only idempotent ones (same clientMsgId, recall).
   */
  failAll(): void {
    for (const [id, pending] of this.#pending) {
      this.#pending.delete(id);
      pending.cancelTimer();
      pending.reject(new NetworkError('socket_closed', 'The socket closed before the reply arrived.'));
    }
  }
}

function withId(command: Command, id: string): ClientFrame {
  return { ...command, id };
}
