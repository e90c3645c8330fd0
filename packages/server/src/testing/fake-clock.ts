import type { Clock } from '../core/clock.js';

/** A clock that moves only when told to: the deliberate seam for window tests. */
export class FakeClock implements Clock {
  constructor(private ms: number = Date.UTC(2026, 0, 1, 9, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
