import { performance } from 'node:perf_hooks';

/**
 * Simulated time. Both modes answer "what time is it on the server" and "how long, in real ms, until
 * simulated instant t"; the schedule is written in simulated time only.
 */
export interface SimTime {
  now(): number;
  readonly speed: number;
  /** Real ms until the server's clock reads `at` (negative when it is past). */
  realMsUntil(at: number): number;
}

/**
 * Embedded mode: the server's own clock (injected as `parts.clock`). It runs at real speed while the
 * population is set up, then `run` moves it forward to the day's start and lets it run `speed`× — so the
 * setup, however long it takes, never eats into the simulated day.
 */
export class SimClock implements SimTime {
  private base: number;
  private realBase = performance.now();
  private rate = 1;

  constructor(start: number) {
    this.base = start;
  }

  get speed(): number {
    return this.rate;
  }

  now(): number {
    return Math.floor(this.base + (performance.now() - this.realBase) * this.rate);
  }

  /** Jumps forward to `from` (never back: timestamps must not go backwards) and runs `speed`× from there. */
  run(from: number, speed: number): void {
    const now = this.now();
    if (from < now) throw new Error(`the simulated clock is already past ${new Date(from).toISOString()}`);
    this.base = from;
    this.realBase = performance.now();
    this.rate = speed;
  }

  realMsUntil(at: number): number {
    return (at - this.now()) / this.rate;
  }
}

/**
 * Remote mode: the server's clock runs `speed`× from a start we do not know exactly; one probe message's
 * `sentAt`, taken at the midpoint of its round trip, pins it (to within half a round trip × speed).
 */
export class CalibratedTime implements SimTime {
  constructor(
    private readonly serverAt: number,
    private readonly realAt: number,
    readonly speed: number,
  ) {}

  static fromProbe(sentAt: number, realBefore: number, realAfter: number, speed: number): CalibratedTime {
    return new CalibratedTime(sentAt, (realBefore + realAfter) / 2, speed);
  }

  now(): number {
    return Math.floor(this.serverAt + (performance.now() - this.realAt) * this.speed);
  }

  realMsUntil(at: number): number {
    return (at - this.now()) / this.speed;
  }
}

export const realNow = (): number => performance.now();
