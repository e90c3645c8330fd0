import { Type, type Static } from '@sinclair/typebox';
import { Event } from './events.js';
import { ClientMsgId, Id, Text } from './models.js';
import type { ErrorPayload } from './errors.js';

/** Version of the WebSocket protocol spoken at `/v1/ws`. */
export const protocolVersion = 1;

const strict = { additionalProperties: false } as const;
const RequestId = Type.String({ minLength: 1, maxLength: 64 });
const Cursor = Type.Integer({ minimum: 0 });

// ----- client → server -----

/** First frame when the token could not go in the `Authorization` header (browsers). */
export const AuthFrame = Type.Object(
  {
    type: Type.Literal('auth'),
    token: Type.String({ minLength: 1, maxLength: 200 }),
    after: Type.Optional(Cursor),
  },
  strict,
);
/** The device has applied every event up to `seq`; the server stores it as the device's cursor. */
export const AckFrame = Type.Object({ type: Type.Literal('ack'), seq: Cursor }, strict);
export const PingFrame = Type.Object({ type: Type.Literal('ping'), id: Type.Optional(RequestId) }, strict);
export const SendFrame = Type.Object(
  {
    type: Type.Literal('send'),
    id: RequestId,
    conversationId: Id,
    clientMsgId: ClientMsgId,
    body: Text,
    replyTo: Type.Optional(Id),
    corrects: Type.Optional(Id),
  },
  strict,
);
export const RecallFrame = Type.Object(
  {
    type: Type.Literal('recall'),
    id: RequestId,
    messageId: Id,
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  },
  strict,
);
export const HideFrame = Type.Object({ type: Type.Literal('hide'), id: RequestId, messageId: Id }, strict);

export const ClientFrame = Type.Union([AuthFrame, AckFrame, PingFrame, SendFrame, RecallFrame, HideFrame]);
export type ClientFrame = Static<typeof ClientFrame>;

// ----- server → client -----

export interface ReadyFrame {
  readonly type: 'ready';
  readonly protocol: number;
  readonly userId: string;
  readonly deviceId: string;
  /** The sequence the replay starts after. */
  readonly cursor: number;
}
export interface EventFrame {
  readonly type: 'event';
  readonly event: Event;
}
/** Sent once the replay after a (re)connect has caught up; live events follow. */
export interface SyncedFrame {
  readonly type: 'synced';
  readonly seq: number;
}
export interface PongFrame {
  readonly type: 'pong';
  readonly id?: string;
}
export type ReplyFrame =
  | { readonly type: 'reply'; readonly id: string; readonly ok: true; readonly result: unknown }
  | { readonly type: 'reply'; readonly id: string; readonly ok: false; readonly error: ErrorPayload };
/** A frame-level problem that does not end the connection. */
export interface ErrorFrame {
  readonly type: 'error';
  readonly error: ErrorPayload;
}

export type ServerFrame = ReadyFrame | EventFrame | SyncedFrame | PongFrame | ReplyFrame | ErrorFrame;
