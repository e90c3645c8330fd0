/** The server's clock: the only source of "now" for windows and timestamps. Injected so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * A clock that starts at `startMs` and runs `speed` times faster than real time: simulations compress a
 * day into minutes with it. `realNow` is injected so this stays pure.
 */
export function scaledClock(startMs: number, speed: number, realNow: () => number): Clock {
  const realStart = realNow();
  return { now: () => Math.floor(startMs + (realNow() - realStart) * speed) };
}
