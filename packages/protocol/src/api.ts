import { Type, type Static } from '@sinclair/typebox';
import { limits } from './limits.js';
import { Event } from './events.js';
import {
  Attachment,
  ClientMsgId,
  Conversation,
  ConsentRequest,
  ConsentStatus,
  ConversationKind,
  MessageType,
  Device,
  Id,
  Message,
  Password,
  Role,
  Text,
  Timestamp,
  Tombstone,
  User,
  Username,
} from './models.js';

/** HTTP request and response bodies of `/v1`. Every object rejects unknown fields. */
const strict = { additionalProperties: false } as const;

export const RegisterRequest = Type.Object({ username: Username, password: Password }, strict);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const RegisterResponse = Type.Object({ user: User });
export type RegisterResponse = Static<typeof RegisterResponse>;

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: limits.maxUsernameLength }),
    password: Type.String({ minLength: 1, maxLength: limits.maxPasswordLength }),
    deviceName: Type.Optional(Type.String({ minLength: 1, maxLength: limits.maxDeviceNameLength })),
  },
  strict,
);
export type LoginRequest = Static<typeof LoginRequest>;

export const LoginResponse = Type.Object({ token: Type.String(), user: User, device: Device });
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateConversationRequest = Type.Object(
  {
    kind: ConversationKind,
    title: Type.Optional(Type.String({ minLength: 1, maxLength: limits.maxTitleLength })),
    /** Usernames or user ids of the other members (the caller is always a member, as owner). */
    members: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
      maxItems: limits.maxMembersPerRequest,
      uniqueItems: true,
    }),
  },
  strict,
);
export type CreateConversationRequest = Static<typeof CreateConversationRequest>;

/** Creating a conversation, adding members, and reading one conversation answer with it. */
export const ConversationResponse = Type.Object({ conversation: Conversation });
export type ConversationResponse = Static<typeof ConversationResponse>;

export const AddMembersRequest = Type.Object(
  {
    members: Type.Array(Type.String({ minLength: 1, maxLength: 40 }), {
      minItems: 1,
      maxItems: limits.maxMembersPerRequest,
      uniqueItems: true,
    }),
    role: Type.Optional(Role),
  },
  strict,
);
export type AddMembersRequest = Static<typeof AddMembersRequest>;

export const ConversationList = Type.Object({ conversations: Type.Array(Conversation) });
export type ConversationList = Static<typeof ConversationList>;

export const SendMessageRequest = Type.Object(
  {
    clientMsgId: ClientMsgId,
    /** Default `text`. Other types carry an uploaded attachment; their `body` is an optional caption. */
    type: Type.Optional(MessageType),
    body: Type.Optional(Text),
    attachmentId: Type.Optional(Id),
    /** Reply to (quote) a message of the same conversation. */
    replyTo: Type.Optional(Id),
    /** Declare this message a correction of one of your own earlier messages in the conversation. */
    corrects: Type.Optional(Id),
  },
  strict,
);
export type SendMessageRequest = Static<typeof SendMessageRequest>;

export const SendMessageResponse = Type.Object({
  message: Message,
  /** False when this was a retry and the original message is returned. */
  created: Type.Boolean(),
  /**
   * Undo send: the message is held for the sender's send delay and nobody has it yet. Until `until` the
   * sender may cancel it (`POST /v1/messages/{id}/cancel`); then it is delivered, with `sentAt` the
   * moment of delivery.
   */
  held: Type.Optional(Type.Object({ until: Timestamp })),
});
export type SendMessageResponse = Static<typeof SendMessageResponse>;

export const PageQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxPageSize })) },
  strict,
);

export const HistoryQuery = Type.Object(
  {
    before: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxPageSize })),
  },
  strict,
);
export type HistoryQuery = Static<typeof HistoryQuery>;

/** Newest first. Pass `nextBefore` as `before` to get the older page; null when there is none. */
export const HistoryPage = Type.Object({
  messages: Type.Array(Message),
  nextBefore: Type.Union([Type.String(), Type.Null()]),
});
export type HistoryPage = Static<typeof HistoryPage>;

export const RecallRequest = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  strict,
);
export type RecallRequest = Static<typeof RecallRequest>;

export const RecallResponse = Type.Object({
  messageId: Id,
  conversationId: Id,
  tombstone: Tombstone,
  /** False when the message had already been recalled; the existing tombstone is returned. */
  transitioned: Type.Boolean(),
  /**
   * Re-edit: the recalled text, handed back once to the device that recalled its own text message when
   * the policy allows re-editing, with the moment that offer ends. The server keeps no copy.
   */
  reEdit: Type.Optional(Type.Object({ body: Type.String(), until: Timestamp })),
  /**
   * The salt (64 hex characters) of the salted commitment to the recalled text that the audit log's
   * entry carries — sent once, to the recalling device only, and kept nowhere on the server. With it and
   * the original text, anyone can check the logged commitment (`retract audit verify-bundle --content
   * --salt`, docs/audit.md). Absent when the message had no text or the recall did not happen now.
   */
  commitmentSalt: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$' })),
});
export type RecallResponse = Static<typeof RecallResponse>;

/** For commands whose body is optional and has no fields. */
export const EmptyBody = Type.Object({}, strict);

export const HideResponse = Type.Object({ messageId: Id, hidden: Type.Literal(true) });
export type HideResponse = Static<typeof HideResponse>;

export const SyncQuery = Type.Object(
  {
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxPageSize })),
  },
  strict,
);
export type SyncQuery = Static<typeof SyncQuery>;

/** Events after `after`, oldest first. Pass `cursor` back as `after`; `hasMore` says whether to go on. */
export const SyncPage = Type.Object({
  events: Type.Array(Event),
  cursor: Type.Integer({ minimum: 0 }),
  hasMore: Type.Boolean(),
});
export type SyncPage = Static<typeof SyncPage>;

export const MeResponse = Type.Object({
  user: User,
  device: Device,
  cursor: Type.Integer(),
  /** The server-wide roles the configuration gives this user, so a client can show what they may open. */
  roles: Type.Object({ serverAdmin: Type.Boolean(), compliance: Type.Boolean() }),
});
export type MeResponse = Static<typeof MeResponse>;

export const IdParams = Type.Object({ id: Id }, strict);
export const MemberParams = Type.Object({ id: Id, userId: Id }, strict);

export const CheckMessageRequest = Type.Object({ body: Text }, strict);
export type CheckMessageRequest = Static<typeof CheckMessageRequest>;

export const UploadQuery = Type.Object(
  {
    /** What the client says it is; the server checks the bytes and refuses a mismatch. */
    kind: Type.Union([
      Type.Literal('image'),
      Type.Literal('file'),
      Type.Literal('voice'),
      Type.Literal('video'),
    ]),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  strict,
);
export type UploadQuery = Static<typeof UploadQuery>;

export const UploadResponse = Type.Object({ attachment: Attachment, kind: MessageType });
export type UploadResponse = Static<typeof UploadResponse>;

export const ReadRequest = Type.Object({ upTo: Id }, strict);
export type ReadRequest = Static<typeof ReadRequest>;

/** The receipt as asked for, also when it moved nothing (the position was already there or past it). */
export const ReadResponse = Type.Object({ conversationId: Id, upTo: Id });
export type ReadResponse = Static<typeof ReadResponse>;

/** A moderator's bulk recall: every message of one user in a conversation, optionally within a time range. */
export const RecallJobRequest = Type.Object(
  {
    userId: Id,
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  strict,
);
export type RecallJobRequest = Static<typeof RecallJobRequest>;

export const RecallJob = Type.Object({
  id: Type.String(),
  conversationId: Id,
  status: Type.Union([Type.Literal('running'), Type.Literal('done')]),
  total: Type.Integer({ minimum: 0 }),
  done: Type.Integer({ minimum: 0 }),
  /** Per message: `recalled`, `already_recalled`, or the code of the denial. */
  results: Type.Array(Type.Object({ messageId: Id, outcome: Type.String() })),
  createdAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
});
export type RecallJob = Static<typeof RecallJob>;

/** Disappearing messages: erased `seconds` after they are sent, or after a member other than the sender reads them. */
export const DisappearingSetting = Type.Union([
  Type.Object(
    {
      mode: Type.Union([Type.Literal('after_send'), Type.Literal('after_read')]),
      seconds: Type.Integer({ minimum: 5, maximum: 365 * 86400 }),
    },
    strict,
  ),
  Type.Null(),
]);
export const DisappearingBody = Type.Object({ disappearing: DisappearingSetting }, strict);
export type DisappearingBody = Static<typeof DisappearingBody>;

/** What a pre-send check found, so a client can warn before sending. Nothing is stored. */
export const CheckMessageResponse = Type.Object({
  findings: Type.Array(
    Type.Object({
      detector: Type.String(),
      start: Type.Integer(),
      end: Type.Integer(),
      /** Masked, e.g. `6222 •••• •••• 1234`. */
      preview: Type.String(),
      /** Why, in plain English. */
      reason: Type.String(),
      confidence: Type.Union([Type.Literal('high'), Type.Literal('medium')]),
    }),
  ),
  summary: Type.String(),
  /** How many people would receive it (members other than the sender). */
  recipients: Type.Integer({ minimum: 0 }),
  /** The sender's recall window for this message as it is (seconds; null = no limit), and if flagged. */
  window: Type.Object({
    seconds: Type.Union([Type.Integer(), Type.Null()]),
    extendedBecauseFlagged: Type.Boolean(),
  }),
});
export type CheckMessageResponse = Static<typeof CheckMessageResponse>;

/** What the caller may do with a message now, and until when — for a recall menu with a countdown. */
export const RecallOptionsResponse = Type.Object({
  messageId: Id,
  recall: Type.Union([
    Type.Object({
      allowed: Type.Literal(true),
      /** In which capacity: sender, peer (direct chats), owner, admin or server_admin. */
      as: Type.String(),
      /** Why it is allowed: window, unlimited, smart_window, until_read, moderation or peer. */
      basis: Type.String(),
      /** When the possibility ends (server clock); null when it does not, or not by time. */
      until: Type.Union([Timestamp, Type.Null()]),
      reasonRequired: Type.Boolean(),
    }),
    Type.Object({
      allowed: Type.Literal(false),
      /** A registry code, or `already_recalled`. */
      code: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  ]),
  consent: Type.Object({
    available: Type.Boolean(),
    until: Type.Union([Timestamp, Type.Null()]),
    /** The caller's open request for this message, if one is waiting for a decision. */
    pendingRequestId: Type.Union([Id, Type.Null()]),
  }),
  reEdit: Type.Object({ seconds: Type.Integer({ minimum: 0 }) }),
  /** How clients show a recalled message in this conversation: `always` a placeholder, or `none`. */
  placeholder: Type.String(),
});
export type RecallOptionsResponse = Static<typeof RecallOptionsResponse>;

/**
 * A conversation's policy: its own document (null: it follows the server's) and the policy in force.
 * Documents are described in docs/policies.md; the server validates them and answers `policy_invalid`
 * with the path of each problem.
 */
export const ConversationPolicyResponse = Type.Object({
  document: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  effective: Type.Record(Type.String(), Type.Unknown()),
});
export type ConversationPolicyResponse = Static<typeof ConversationPolicyResponse>;

export const SetPolicyRequest = Type.Object(
  { document: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]) },
  strict,
);
export type SetPolicyRequest = Static<typeof SetPolicyRequest>;

export const ServerPolicyResponse = Type.Object({
  /** The policy in force for new conversations of each kind. */
  effective: Type.Object({
    direct: Type.Record(Type.String(), Type.Unknown()),
    group: Type.Record(Type.String(), Type.Unknown()),
  }),
  /** What conversation owners may set. */
  bounds: Type.Record(Type.String(), Type.Unknown()),
  presets: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
});
export type ServerPolicyResponse = Static<typeof ServerPolicyResponse>;

/** Ask for consent to recall one's own message past the window; `reason` is shown to the approver. */
export const ConsentAskRequest = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  strict,
);
export type ConsentAskRequest = Static<typeof ConsentAskRequest>;

/** Approve or decline, with an optional note to the sender. */
export const ConsentDecisionRequest = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) },
  strict,
);
export type ConsentDecisionRequest = Static<typeof ConsentDecisionRequest>;

/** A request as the caller sees it: `canDecide` when they may approve or decline it now. */
export const ConsentRequestView = Type.Object({
  ...ConsentRequest.properties,
  canDecide: Type.Boolean(),
});
export type ConsentRequestView = Static<typeof ConsentRequestView>;

export const ConsentRequestResponse = Type.Object({ request: ConsentRequestView });
export type ConsentRequestResponse = Static<typeof ConsentRequestResponse>;

/** Approval: the request, and the recall it made (the same tombstone every device receives). */
export const ConsentApproveResponse = Type.Object({
  request: ConsentRequestView,
  recall: Type.Object({ messageId: Id, conversationId: Id, tombstone: Tombstone }),
});
export type ConsentApproveResponse = Static<typeof ConsentApproveResponse>;

export const ConsentListQuery = Type.Object(
  {
    /** Only requests in this state; all states when absent. */
    status: Type.Optional(ConsentStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxPageSize })),
  },
  strict,
);
export type ConsentListQuery = Static<typeof ConsentListQuery>;

/** Requests the caller made or may decide, newest first. */
export const ConsentRequestList = Type.Object({ requests: Type.Array(ConsentRequestView) });
export type ConsentRequestList = Static<typeof ConsentRequestList>;

/** The caller's own settings. */
export const UserSettings = Type.Object(
  {
    /** Undo send: hold each message this many seconds before anyone receives it (0: off). */
    sendDelaySeconds: Type.Integer({ minimum: 0, maximum: limits.maxSendDelaySeconds }),
  },
  strict,
);
export type UserSettings = Static<typeof UserSettings>;
export const SettingsResponse = Type.Object({ settings: UserSettings });
export type SettingsResponse = Static<typeof SettingsResponse>;

/** Undo send: the held message is gone, and its content comes back to the composer. */
export const CancelSendResponse = Type.Object({
  messageId: Id,
  cancelled: Type.Literal(true),
  draft: Type.Object({
    type: MessageType,
    body: Type.Union([Type.String(), Type.Null()]),
    attachmentId: Type.Union([Id, Type.Null()]),
    replyTo: Type.Union([Id, Type.Null()]),
    corrects: Type.Union([Id, Type.Null()]),
  }),
});
export type CancelSendResponse = Static<typeof CancelSendResponse>;

/** Recalled content under a compliance hold (metadata; the content only from the read endpoint). */
export const ComplianceHold = Type.Object({
  messageId: Id,
  conversationId: Id,
  senderId: Id,
  type: MessageType,
  sentAt: Timestamp,
  recalledAt: Timestamp,
  /** Deleted for good at this moment. */
  holdUntil: Timestamp,
});
export type ComplianceHold = Static<typeof ComplianceHold>;
export const ComplianceHoldQuery = Type.Object(
  {
    conversationId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxPageSize })),
  },
  strict,
);
export type ComplianceHoldQuery = Static<typeof ComplianceHoldQuery>;
export const ComplianceHoldList = Type.Object({ holds: Type.Array(ComplianceHold) });
export type ComplianceHoldList = Static<typeof ComplianceHoldList>;
/** One read of held content; every such read is an entry in the audit log. */
export const ComplianceHoldContent = Type.Object({
  hold: ComplianceHold,
  body: Type.Union([Type.String(), Type.Null()]),
});
export type ComplianceHoldContent = Static<typeof ComplianceHoldContent>;

/*
 * The tamper-evident audit log (docs/audit.md). Hashes are 64 lowercase hex characters (SHA-256); the
 * public key is base64 of its 32 raw Ed25519 bytes.
 */
const HexHash = Type.String({ pattern: '^[0-9a-f]{64}$' });
const TreeIndex = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** "The log had `treeSize` entries with this root", signed by the server's audit key. */
export const AuditCheckpoint = Type.Object({
  treeSize: TreeIndex,
  rootHash: HexHash,
  issuedAt: Type.String(),
  keyId: Type.String(),
  signature: Type.String({ description: 'base64 Ed25519 signature' }),
});
export type AuditCheckpoint = Static<typeof AuditCheckpoint>;

/** The latest checkpoint (null before the first is signed) and the key that signs checkpoints. */
export const AuditCheckpointResponse = Type.Object({
  checkpoint: Type.Union([AuditCheckpoint, Type.Null()]),
  publicKey: Type.String(),
  keyId: Type.String(),
});
export type AuditCheckpointResponse = Static<typeof AuditCheckpointResponse>;

export const SignCheckpointResponse = Type.Object({ checkpoint: AuditCheckpoint });
export type SignCheckpointResponse = Static<typeof SignCheckpointResponse>;

/** One entry as it is hashed: who did what to which, when and why. Open: newer servers may add fields. */
export const AuditEntry = Type.Object({
  index: TreeIndex,
  kind: Type.String(),
  at: Type.String(),
  actor: Type.Object({
    userId: Type.Union([Type.String(), Type.Null()]),
    role: Type.String(),
    keyId: Type.Optional(Type.String()),
  }),
  target: Type.Object({
    conversationId: Type.Optional(Type.String()),
    messageId: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
    jobId: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  }),
  reason: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  ),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditEntriesQuery = Type.Object(
  {
    from: Type.Optional(TreeIndex),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.maxPageSize })),
  },
  strict,
);
export type AuditEntriesQuery = Static<typeof AuditEntriesQuery>;

/** Entries from `from`, in order, each with its stored leaf hash and the root after it. */
export const AuditEntriesPage = Type.Object({
  entries: Type.Array(Type.Object({ entry: AuditEntry, leafHash: HexHash, rootAfter: HexHash })),
  /** The log's size now. */
  size: TreeIndex,
  /** Pass as `from` for the next page; null at the end. */
  nextFrom: Type.Union([TreeIndex, Type.Null()]),
});
export type AuditEntriesPage = Static<typeof AuditEntriesPage>;

export const InclusionProofQuery = Type.Object({ index: TreeIndex, treeSize: TreeIndex }, strict);
export type InclusionProofQuery = Static<typeof InclusionProofQuery>;

/** RFC 6962 audit path of leaf `index` in the tree of `treeSize`, leaf level first. */
export const InclusionProofResponse = Type.Object({
  index: TreeIndex,
  treeSize: TreeIndex,
  leafHash: HexHash,
  proof: Type.Array(HexHash),
});
export type InclusionProofResponse = Static<typeof InclusionProofResponse>;

export const ConsistencyProofQuery = Type.Object({ from: TreeIndex, to: TreeIndex }, strict);
export type ConsistencyProofQuery = Static<typeof ConsistencyProofQuery>;

/** RFC 6962 proof that the tree of `from` is a prefix of the tree of `to`. */
export const ConsistencyProofResponse = Type.Object({
  from: TreeIndex,
  to: TreeIndex,
  proof: Type.Array(HexHash),
});
export type ConsistencyProofResponse = Static<typeof ConsistencyProofResponse>;

/** Exactly one of the two. */
export const EvidenceQuery = Type.Object(
  { messageId: Type.Optional(Id), conversationId: Type.Optional(Id) },
  strict,
);
export type EvidenceQuery = Static<typeof EvidenceQuery>;

/** A self-contained, offline-verifiable file: entries, their inclusion proofs, a signed checkpoint. */
export const EvidenceBundle = Type.Object({
  format: Type.Literal('retract-evidence-v1'),
  createdAt: Type.String(),
  publicKey: Type.String(),
  checkpoint: AuditCheckpoint,
  entries: Type.Array(
    Type.Object({ entry: AuditEntry, leafIndex: TreeIndex, inclusionProof: Type.Array(HexHash) }),
  ),
  commitments: Type.Optional(
    Type.Array(
      Type.Object({
        messageId: Type.String(),
        algorithm: Type.Literal('sha256-salted-v1'),
        commitment: HexHash,
      }),
    ),
  ),
});
export type EvidenceBundle = Static<typeof EvidenceBundle>;
