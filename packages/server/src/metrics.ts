import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics, one registry per server instance (tests run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'retract_' });
  return {
    registry,
    messagesSent: new Counter({
      name: 'retract_messages_sent_total',
      help: 'Messages accepted',
      registers: [registry],
    }),
    recalls: new Counter({
      name: 'retract_recall_attempts_total',
      help: 'Recall attempts by outcome (recalled, already_recalled, or the denial code)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    // Recall analytics (actions/analytics): ids and content never go in a label, only small enums.
    recallDelay: new Histogram({
      name: 'retract_recall_attempt_delay_seconds',
      help: 'Time from send to recall attempt (recalled or denied; not repeats of a recall, not bulk-job steps)',
      labelNames: ['outcome_class'] as const,
      buckets: [5, 10, 30, 60, 120, 300, 600, 1800, 3600, 86400],
      registers: [registry],
    }),
    recallFollowUps: new Counter({
      name: 'retract_recall_followups_total',
      help: 'What the sender did after a denied recall, once known: correction, hide, message or none',
      labelNames: ['follow_up'] as const,
      registers: [registry],
    }),
    sendsCancelled: new Counter({
      name: 'retract_sends_cancelled_total',
      help: 'Held messages cancelled by their sender before delivery (undo send)',
      registers: [registry],
    }),
    consentSteps: new Counter({
      name: 'retract_consent_steps_total',
      help: 'Consent recall steps: requested, repeated (asked again while pending), approved, declined, cancelled, expired',
      labelNames: ['step'] as const,
      registers: [registry],
    }),
    hides: new Counter({
      name: 'retract_hides_total',
      help: 'Messages hidden for their user',
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: 'retract_events_delivered_total',
      help: 'Event frames written to sockets (live and replay)',
      registers: [registry],
    }),
    connections: new Gauge({
      name: 'retract_ws_connections',
      help: 'Open WebSocket connections',
      registers: [registry],
    }),
    slowConsumers: new Counter({
      name: 'retract_ws_slow_consumer_disconnects_total',
      help: 'Sockets closed because their send backlog passed the limit',
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'retract_rate_limited_total',
      help: 'Requests (http) and WebSocket commands (ws) refused because their budget was spent',
      labelNames: ['surface', 'budget'] as const,
      registers: [registry],
    }),
    wsRefused: new Counter({
      name: 'retract_ws_refused_total',
      help: 'WebSocket connections refused: foreign origin, or the per-user connection cap',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    busResyncs: new Counter({
      name: 'retract_bus_resyncs_total',
      help: 'Times every open socket was made to catch up from storage because bus messages may have been lost',
      registers: [registry],
    }),
    // Webhooks (src/webhooks): outcomes of delivery attempts; no ids or URLs in labels.
    webhookDeliveries: new Counter({
      name: 'retract_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, retry, failed (attempts used up), skipped',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    webhookDuration: new Histogram({
      name: 'retract_webhook_request_duration_seconds',
      help: 'Time a webhook receiver took to answer (or the attempt to fail)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    // Push notifications (src/push): outcomes by kind only; no ids, endpoints or content in labels.
    pushDeliveries: new Counter({
      name: 'retract_push_deliveries_total',
      help: 'Push attempts by kind (notify, retract) and outcome: delivered, retry, failed, gone (target removed), skipped',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    pushRetries: new Counter({
      name: 'retract_push_retries_total',
      help: 'Pushes scheduled for another attempt after a failed one, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    pushOutboxDepth: new Gauge({
      name: 'retract_push_outbox_depth',
      help: 'Pushes waiting in the outbox (held, due or being retried), as of the last worker run',
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'retract_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
