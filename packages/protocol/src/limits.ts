/** Size limits shared by server validation and client-side checks. */
export const limits = {
  /** Largest HTTP request body in bytes. */
  maxBodyBytes: 64 * 1024,
  /** Largest WebSocket frame in bytes. */
  maxFrameBytes: 64 * 1024,
  /** Longest text message, in UTF-16 code units. */
  maxTextLength: 16_000,
  maxUsernameLength: 32,
  minPasswordLength: 8,
  maxPasswordLength: 256,
  maxTitleLength: 200,
  maxClientMsgIdLength: 64,
  maxDeviceNameLength: 100,
  maxMembersPerRequest: 1000,
  /** Largest page of sync events or history messages. */
  maxPageSize: 500,
  defaultPageSize: 100,
  /** Longest undo-send delay a user can choose, in seconds. */
  maxSendDelaySeconds: 60,
} as const;
