// The public surface of @retract/sdk. Everything else under src/ is internal and may change.

export { createClient } from './client.js';
export type { ClientEvents, ClientOptions, RetractClient, SendOptions } from './client.js';

export {
  ApiError,
  isApiError,
  isNetworkError,
  isNotFound,
  isNotPermitted,
  isProtocolError,
  isRateLimited,
  isRecallWindowExpired,
  isRetractError,
  isUnauthenticated,
  NetworkError,
  ProtocolError,
  RetractError,
} from './errors.js';
export type { ApiErrorCode, NetworkFailure, RetractErrorCode } from './errors.js';

export { TimelineStore } from './store.js';
export type { FetchedState, TimelineStoreOptions } from './store.js';
export { snapshotFromFetch } from './snapshot.js';
export { verifyWebhook } from './webhooks.js';
export type { VerifiedWebhook, VerifyWebhookOptions, WebhookHeaders, WebhookRejection } from './webhooks.js';
export type { ConversationSnapshot, TimelineSnapshot } from './snapshot.js';

export type { Connection, ConnectionEvents } from './connection.js';
export type { Command, CommandResults } from './requests.js';
export type { ConnectionState, StateChange, TransitionCode, TransitionReason } from './codes.js';
export type {
  AttachmentBytes,
  ConversationResponse,
  DisappearingSetting,
  DownloadOptions,
  FetchBody,
  FetchInit,
  FetchLike,
  FetchResponse,
  HistoryOptions,
  HttpApi,
  RegisterResponse,
  SyncOptions,
  UploadOptions,
} from './http.js';
export type { BackoffOptions } from './backoff.js';
export type { Scheduler } from './scheduler.js';
export type { WebSocketConstructor, WebSocketLike } from './transport.js';

// The protocol's models, so an application needs only this package for typing.
export type {
  Conversation,
  DisappearingTimer,
  Event,
  Member,
  Message,
  Tombstone,
  User,
} from '@retract/protocol';
