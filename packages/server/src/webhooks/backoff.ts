/**
 * When to try a failed delivery again: exponential from `baseSeconds` (×2 per attempt), capped at
 * `maxSeconds`, with "equal jitter" — between half and all of that — so receivers that come back after an
 * outage are not hit by every node's retries in the same second.
 */
export function retryDelayMs(
  attempt: number,
  config: { readonly retryBaseSeconds: number; readonly retryMaxSeconds: number },
  random: () => number = Math.random,
): number {
  const exp = Math.min(config.retryMaxSeconds, config.retryBaseSeconds * 2 ** Math.max(0, attempt - 1));
  const ms = exp * 1000;
  return Math.round(ms / 2 + random() * (ms / 2));
}
