import WebSocket from 'ws';
import type { Event, ServerFrame } from '@retract/protocol';
import { TimelineStore } from '@retract/sdk';

/**
 * One device of a user in the cluster tests: a WebSocket to some node, a client timeline store (the
 * SDK's) that every event is applied to, and a record of what arrived. When its node dies it reconnects
 * to another one, resuming from its cursor — as a real client behind a load balancer would.
 */
export class Device {
  readonly store: TimelineStore;
  /** Sequence numbers of every `message.created` received, by message id (duplicates show as 2+). */
  readonly createdSeqs = new Map<string, Set<number>>();
  /** Events that arrived again after being applied (ignored by the store: applied once). */
  redelivered = 0;
  reconnects = 0;
  private socket: WebSocket | null = null;
  private closedByUs = false;
  private nodeIndex: number;

  constructor(
    readonly name: string,
    readonly userId: string,
    private readonly token: string,
    /** The nodes' WebSocket URLs, and which are alive now. */
    private readonly nodes: () => readonly { wsUrl: string; alive: boolean }[],
    startAt: number,
  ) {
    this.store = new TimelineStore({ userId });
    this.nodeIndex = startAt;
  }

  get cursor(): number {
    return this.store.cursor;
  }

  /** Connects and waits until the node says it has caught up (`synced`). */
  async connect(): Promise<void> {
    const nodes = this.nodes();
    for (let tries = 0; tries < nodes.length; tries++) {
      const node = nodes[this.nodeIndex % nodes.length]!;
      if (node.alive) {
        try {
          await this.open(node.wsUrl);
          return;
        } catch {
          // Try the next node.
        }
      }
      this.nodeIndex += 1;
    }
    throw new Error(`${this.name}: no node accepted the connection`);
  }

  private open(wsUrl: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${wsUrl}?after=${this.store.cursor}`, {
        headers: { authorization: `Bearer ${this.token}` },
      });
      this.socket = socket;
      let synced = false;
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as ServerFrame;
        if (frame.type === 'event') this.receive(frame.event);
        if (frame.type === 'synced' && !synced) {
          synced = true;
          resolve();
        }
      });
      socket.once('error', (error) => {
        if (!synced) reject(error);
      });
      socket.once('close', () => {
        if (!synced) reject(new Error('closed before synced'));
        if (this.socket === socket && !this.closedByUs) void this.reconnect();
      });
    });
  }

  private receive(event: Event): void {
    if (event.type === 'message.created') {
      const seqs = this.createdSeqs.get(event.message.id) ?? new Set<number>();
      seqs.add(event.seq);
      this.createdSeqs.set(event.message.id, seqs);
    }
    if (!this.store.apply(event)) this.redelivered += 1;
  }

  private async reconnect(): Promise<void> {
    this.reconnects += 1;
    this.nodeIndex += 1;
    for (let attempt = 0; attempt < 100 && !this.closedByUs; attempt++) {
      try {
        await this.connect();
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  close(): void {
    this.closedByUs = true;
    this.socket?.close();
  }
}

/** What one device ended with, against what it should hold. */
export interface DeviceTally {
  readonly device: string;
  /** Acknowledged messages it should hold and does not. */
  readonly lost: number;
  /** Messages that reached it under two different sequence numbers. */
  readonly duplicated: number;
  /** Messages recalled that it still shows with content. */
  readonly recalledButShown: number;
}

export function tallyOf(
  device: Device,
  conversationId: string,
  expected: { sent: readonly string[]; recalled: ReadonlySet<string> },
): DeviceTally {
  const held = new Map(device.store.messages(conversationId).map((m) => [m.id, m]));
  return {
    device: device.name,
    lost: expected.sent.filter((id) => !held.has(id)).length,
    duplicated: [...device.createdSeqs.values()].filter((seqs) => seqs.size > 1).length,
    recalledButShown: [...expected.recalled].filter((id) => {
      const m = held.get(id);
      return m !== undefined && (m.body !== null || m.recalled === null);
    }).length,
  };
}

/** The Jepsen-style summary printed at the end of each fault test. */
export function printTally(title: string, tallies: readonly DeviceTally[]): void {
  const sum = (k: 'lost' | 'duplicated' | 'recalledButShown') => tallies.reduce((s, t) => s + t[k], 0);
  const lines = [
    `${title}: ${tallies.length} devices`,
    ...tallies.map(
      (t) =>
        `  ${t.device.padEnd(14)} lost ${t.lost}  duplicated ${t.duplicated}  recalled-but-shown ${t.recalledButShown}`,
    ),
    `  total          lost ${sum('lost')}  duplicated ${sum('duplicated')}  recalled-but-shown ${sum('recalledButShown')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
