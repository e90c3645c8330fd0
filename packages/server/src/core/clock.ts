/** The server's clock: the only source of "now" for windows and timestamps. Injected so tests can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
