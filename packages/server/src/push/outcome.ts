/**
 * What one attempt to send a push came to, for the worker to settle the outbox row and count it:
 * `delivered`; `retry` (5xx, 429, 408, timeout, network); `failed` (the service refused it for good);
 * `gone` (the subscription or pushkey no longer exists: the target is removed).
 */
export type SendOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly status: number | null }
  | { readonly kind: 'failed'; readonly status: number }
  | { readonly kind: 'gone' };

export function outcomeOfStatus(status: number): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 408 || status === 429 || status >= 500) return { kind: 'retry', status };
  return { kind: 'failed', status };
}
