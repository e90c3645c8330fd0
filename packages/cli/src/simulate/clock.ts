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
  /**
   * Only a clock this process owns (embedded mode) can do this: stand still at `at` (never going back)
   * until told otherwise. The executor then runs the day action by action, each at exactly its simulated
   * instant, so what the server decides depends on the schedule alone, not on how fast the machine is.
   */
  standAt?(at: number): void;
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
  /** Set by `standAt`: the instant the clock stands at. */
  private standing: number | null = null;

  constructor(start: number) {
    this.base = start;
  }

  get speed(): number {
    return this.rate;
  }

  now(): number {
    return this.standing ?? Math.floor(this.base + (performance.now() - this.realBase) * this.rate);
  }

  standAt(at: number): void {
    // Whole milliseconds: the server stores instants as integers.
    this.standing = Math.max(Math.ceil(at), this.now());
  }

  /** Jumps forward to `from` (never back: timestamps must not go backwards) and runs `speed`× from there. */
  run(from: number, speed: number): void {
    const now = this.now();
    if (from < now) throw new Error(`the simulated clock is already past ${new Date(from).toISOString()}`);
    this.standing = null;
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
