import { StorageUnavailableError } from '../storage.js';

/**
 * Which PostgreSQL failures mean "the database cannot serve this right now, and nothing was written",
 * so the HTTP layer answers 503 `unavailable` (clients retry, with their client message ids) rather than
 * 500. Everything else — a constraint violation, a bad statement — is a bug or a conflict the caller
 * must see as it is.
 */

/** Socket-level failures: no server there, connection cut, name not resolvable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
]);

/**
 * SQLSTATEs: class 08 (connection exception) is matched by prefix. The server shutting down or
 * restarting (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), out of
 * connections (53300), a statement cancelled by a timeout (57014) — and a transaction the server chose
 * to abort to break a deadlock (40P01) or a serialization conflict (40001): in each the transaction
 * was rolled back whole, and retrying it is the right answer.
 */
const SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '40P01', '40001']);

/** node-postgres reports a lost or never-made connection by message, without a code. */
const DRIVER_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|is not queryable|Connection refused|read ECONNRESET/i;

export function isUnavailableError(error: unknown): boolean {
  if (error instanceof StorageUnavailableError) return true;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
  }
  if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  // Connecting to a name with several addresses (localhost: ::1 and 127.0.0.1) fails with all of them.
  const nested = (error as { errors?: unknown }).errors;
  return Array.isArray(nested) && nested.length > 0 && nested.every(isUnavailableError);
}

/** The error to surface: `StorageUnavailableError` for the failures above, anything else unchanged. */
export function toStorageError(error: unknown): unknown {
  if (error instanceof StorageUnavailableError) return error;
  return isUnavailableError(error) ? new StorageUnavailableError(error) : error;
}
