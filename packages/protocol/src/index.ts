export * as api from './api.js';
export * as stats from './stats.js';
export * as push from './push.js';
export * as webhooks from './webhooks.js';
export { errorRegistry, errorCodes, errorPayload, isErrorCode } from './errors.js';
export type { ErrorBody, ErrorCode, ErrorPayload, ErrorSpec } from './errors.js';
export { Event as EventSchema, consentEventTypes } from './events.js';
export type { ConsentEventType, Event, EventBody, EventOf, EventType } from './events.js';
export { ClientFrame as ClientFrameSchema, protocolVersion } from './frames.js';
export type {
  ClientFrame,
  ErrorFrame,
  EventFrame,
  PongFrame,
  ReadyFrame,
  ReplyFrame,
  ServerFrame,
  SyncedFrame,
} from './frames.js';
export { limits } from './limits.js';
export * as models from './models.js';
export type {
  Attachment,
  ConsentRequest,
  ConsentStatus,
  Conversation,
  ConversationKind,
  Device,
  DisappearingTimer,
  Member,
  Message,
  MessageType,
  Quote,
  RecallRole,
  Role,
  Tombstone,
  User,
} from './models.js';
