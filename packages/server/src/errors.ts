import { errorPayload, errorRegistry, type ErrorCode, type ErrorPayload } from '@retract/protocol';

/**
 * The one error type actions throw. It carries a registry code and facts; the HTTP and WebSocket layers
 * turn it into a status or close code from the registry — no status codes live in domain code.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: Record<string, unknown>,
  ) {
    super(errorRegistry[code].message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorRegistry[this.code].status;
  }

  toPayload(): ErrorPayload {
    return errorPayload(this.code, this.details);
  }
}
