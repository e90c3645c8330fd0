import { webhooks } from '@retract/protocol';

export type WebhookEventType = webhooks.WebhookEventType;
const known: readonly string[] = webhooks.webhookEventTypes;

/**
 * Expands what a subscription asks for (`message.recalled`, `consent.*`, `*`) into exact event types, so
 * the outbox matches by equality. Returns the patterns that match nothing, for the error.
 */
export function expandEventPatterns(patterns: readonly string[]): { types: string[]; unknown: string[] } {
  const types = new Set<string>();
  const unknown: string[] = [];
  for (const pattern of patterns) {
    const matches =
      pattern === '*'
        ? known
        : pattern.endsWith('.*')
          ? known.filter((t) => t.startsWith(pattern.slice(0, -1)))
          : known.filter((t) => t === pattern);
    if (matches.length === 0) unknown.push(pattern);
    for (const t of matches) types.add(t);
  }
  // In the registry's order, so listings are stable.
  return { types: known.filter((t) => types.has(t)), unknown };
}
