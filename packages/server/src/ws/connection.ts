import type { WebSocket } from 'ws';
import { errorRegistry, limits, type ErrorCode, type ServerFrame } from '@retract/protocol';
import type { ActionContext } from '../actions/context.js';
import { readRenderedEvents } from '../actions/references.js';
import { eventFrame } from './frame-codec.js';

/**
 * One authenticated socket and its place in the user's event stream.
 *
 * Delivery keeps one invariant: the frames a device receives are exactly seq = cursor+1, cursor+2, …
 * with no gap and no repeat. Live events from the bus are sent only when they are the next number;
 * anything ahead of that (a replay in progress, or a bus message that never came) is parked, and the
 * missing range is read from storage — the source of truth — before the parked ones are drained.
 */
export class Connection {
  private lastSent: number;
  private catchingUp = false;
  /** A catch-up was asked for while one ran: it goes round once more, with a fresh read. */
  private again = false;
  private announcedSynced = false;
  private parked = new Map<number, string>();
  alive = true;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    readonly deviceId: string,
    cursor: number,
    private readonly ctx: ActionContext,
  ) {
    this.lastSent = cursor;
  }

  get cursor(): number {
    return this.lastSent;
  }

  send(frame: ServerFrame): void {
    this.write(JSON.stringify(frame));
  }

  /** A live event for this user, already serialised without its seq. */
  deliver(seq: number, eventJson: string): void {
    if (seq <= this.lastSent) return;
    if (!this.catchingUp && seq === this.lastSent + 1) {
      this.writeEvent(seq, eventJson);
      return;
    }
    this.parked.set(seq, eventJson);
    if (!this.catchingUp) void this.catchUp();
  }

  /**
   * Reads what storage has after the cursor, then drains parked live events in order. Called while one
   * runs (the bus reconnected: events may have been lost after that one's read), it makes it read again.
   */
  async catchUp(): Promise<void> {
    if (this.catchingUp) {
      this.again = true;
      return;
    }
    this.catchingUp = true;
    try {
      // Bounded: a gap that storage cannot fill after this many reads means something is badly wrong;
      // closing makes the client resume from its cursor instead of waiting forever.
      for (let attempt = 0; ; attempt++) {
        this.again = false;
        this.drainParked();
        const page = await this.ctx.storage.read((tx) =>
          readRenderedEvents(tx, this.userId, this.lastSent, limits.maxPageSize),
        );
        if (!this.isOpen()) return;
        for (const event of page) {
          if (event.seq !== this.lastSent + 1) break;
          this.write(JSON.stringify({ type: 'event', event }));
          this.lastSent = event.seq;
          this.ctx.metrics.eventsDelivered.inc();
        }
        this.drainParked();
        const full = page.length === limits.maxPageSize;
        if (!full && !this.hasGapBeforeParked() && !this.again) break;
        if (!full && !this.again && attempt > 50)
          throw new Error(`sequence gap after ${this.lastSent} not found in storage`);
      }
    } catch (error) {
      this.ctx.log.warn(
        { err: error, userId: this.userId },
        'catch-up failed; closing so the client resumes',
      );
      this.close('unavailable');
      return;
    } finally {
      this.catchingUp = false;
    }
    if (!this.announcedSynced) {
      this.announcedSynced = true;
      this.send({ type: 'synced', seq: this.lastSent });
    }
  }

  close(code: ErrorCode, reason: string = code): void {
    const wsClose = (errorRegistry[code] as { wsClose?: number }).wsClose ?? 1008;
    if (this.isOpen()) this.socket.close(wsClose, reason);
  }

  isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  private hasGapBeforeParked(): boolean {
    return this.parked.size > 0 && !this.parked.has(this.lastSent + 1);
  }

  private drainParked(): void {
    for (;;) {
      const next = this.parked.get(this.lastSent + 1);
      if (next === undefined) break;
      this.parked.delete(this.lastSent + 1);
      this.writeEvent(this.lastSent + 1, next);
    }
    for (const seq of this.parked.keys()) if (seq <= this.lastSent) this.parked.delete(seq);
  }

  private writeEvent(seq: number, eventJson: string): void {
    this.write(eventFrame(seq, eventJson));
    this.lastSent = seq;
    this.ctx.metrics.eventsDelivered.inc();
  }

  private write(data: string): void {
    if (!this.isOpen()) return;
    // A client that stops reading must not grow our memory or slow anyone else: cut it off; it will
    // resume from its cursor when it reconnects.
    if (this.socket.bufferedAmount > this.ctx.config.ws.maxBufferedBytes) {
      this.ctx.metrics.slowConsumers.inc();
      this.close('slow_consumer');
      return;
    }
    this.socket.send(data);
  }
}
