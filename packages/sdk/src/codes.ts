import { errorRegistry } from '@retract/protocol';

/**
 * Why the connection changed state. Every transition carries one of these codes, so an application
 * (and a test) can tell a reconnect after a network drop from a revoked session.
 *
 *   disconnected ──connect_called / reconnect──▶ connecting ──ready──▶ syncing ──synced──▶ live
 *        ▲                                          │                  ▲   │                 │
 *        │                                          │                  │   └──gap_filled─────┤
 *        │                                          │                  └─────gap_detected────┘
 *        └── transport_closed, connect_timeout, protocol_error, gap_recovery_failed,
 *            disconnect_called (from any state; all but the last schedule a reconnect)
 *
 *   any ──unauthenticated (4401) / session_revoked (4403) / cursor_ahead (4400) / protocol_mismatch /
 *         close_called──▶ closed
 *
 * `cursor_ahead` means the local state belongs to another server or database: drop it and connect
 * again from cursor 0 (RetractClient does this on its own).
 */
export type TransitionCode =
  | 'connect_called'
  | 'reconnect'
  | 'ready'
  | 'synced'
  | 'gap_detected'
  | 'gap_filled'
  | 'transport_closed'
  | 'connect_timeout'
  | 'protocol_error'
  | 'gap_recovery_failed'
  | 'disconnect_called'
  | 'unauthenticated'
  | 'session_revoked'
  | 'cursor_ahead'
  | 'protocol_mismatch'
  | 'close_called';

export type ConnectionState = 'disconnected' | 'connecting' | 'syncing' | 'live' | 'closed';

export interface TransitionReason {
  readonly code: TransitionCode;
  /** The WebSocket close code, when the transition follows a close. */
  readonly closeCode?: number;
  readonly message?: string;
  /** Set when entering `disconnected` with a reconnect scheduled. */
  readonly reconnectInMs?: number;
}

export interface StateChange {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  readonly reason: TransitionReason;
}

/**
 * Close codes after which reconnecting as before cannot help: the token is no good, or the cursor is
 * ahead of the server. Taken from the registry's `wsClose` values. Every other close — 4408 auth
 * timeout, 4429 slow consumer, 1011, 1013, 1006 included — leads to a reconnect.
 */
export const terminalCloseCodes: Readonly<Record<number, TransitionCode>> = {
  [errorRegistry.unauthenticated.wsClose]: 'unauthenticated',
  [errorRegistry.session_revoked.wsClose]: 'session_revoked',
  [errorRegistry.cursor_ahead.wsClose]: 'cursor_ahead',
};
