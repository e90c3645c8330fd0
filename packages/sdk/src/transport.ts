import type { ClientFrame, ServerFrame } from '@retract/protocol';
import { ProtocolError } from './errors.js';

/**
 * A handler slot typed bivariantly (method syntax), so both the browser's WebSocket and the `ws`
 * package's, whose event types differ in detail, fit without casts.
 */
type Handler<E> = { bivariant(event: E): void }['bivariant'];

/** The part of a WebSocket the SDK uses: the WHATWG interface, also implemented by `ws`. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ readonly data: unknown }> | null;
  onclose: Handler<{ readonly code: number; readonly reason: string }> | null;
  onerror: Handler<unknown> | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket (the same constant in every implementation). */
export const OPEN = 1;

/** `http://host/base` → `ws://host/base/v1/ws` (https → wss). */
export function webSocketUrl(baseUrl: string): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + '/v1/ws');
  url.protocol = url.protocol === 'https:' ? 'wss:' : url.protocol === 'http:' ? 'ws:' : url.protocol;
  return url.toString();
}

export function encodeFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}

const knownTypes = new Set<string>(['ready', 'event', 'synced', 'pong', 'reply', 'error']);

/**
 * Decodes a server frame. Returns undefined for a frame type this SDK does not know (a newer server
 * may add some); throws ProtocolError for anything that is not a JSON object with a `type`, or a known
 * frame missing the fields the connection relies on.
 */
export function decodeFrame(data: unknown): ServerFrame | undefined {
  const text = typeof data === 'string' ? data : decodeBinary(data);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProtocolError('WebSocket frame is not JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null || !('type' in value) || typeof value.type !== 'string') {
    throw new ProtocolError('WebSocket frame has no type');
  }
  if (!knownTypes.has(value.type)) return undefined;
  const frame = value as ServerFrame;
  // Check what the connection's ordering logic depends on; the rest is trusted.
  if (frame.type === 'event' && !(typeof frame.event === 'object' && Number.isInteger(frame.event?.seq))) {
    throw new ProtocolError('event frame without an integer seq');
  }
  if (frame.type === 'synced' && !Number.isInteger(frame.seq)) {
    throw new ProtocolError('synced frame without an integer seq');
  }
  return frame;
}

function decodeBinary(data: unknown): string {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  throw new ProtocolError('WebSocket frame of an unreadable kind');
}
