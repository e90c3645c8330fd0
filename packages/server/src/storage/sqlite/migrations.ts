/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran. Never edit a shipped
 * migration: append a new one.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seq      INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  CREATE TABLE devices (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    cursor     INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX devices_by_user ON devices(user_id);

  CREATE TABLE conversations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    title      TEXT,
    created_at INTEGER NOT NULL,
    direct_key TEXT UNIQUE
  ) STRICT;

  CREATE TABLE members (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at       INTEGER NOT NULL,
    -- Members see the messages stored after they joined, not the ones before.
    from_pos        INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX members_by_user ON members(user_id, conversation_id);

  CREATE TABLE messages (
    pos             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    sender_id       TEXT NOT NULL REFERENCES users(id),
    client_msg_id   TEXT NOT NULL,
    type            TEXT NOT NULL,
    body            TEXT,
    sent_at         INTEGER NOT NULL,
    recalled_at     INTEGER,
    recalled_by     TEXT,
    recall_role     TEXT,
    recall_reason   TEXT,
    UNIQUE (sender_id, client_msg_id)
  ) STRICT;
  CREATE INDEX messages_by_conversation ON messages(conversation_id, pos);

  CREATE TABLE hidden (
    user_id    TEXT NOT NULL,
    message_id TEXT NOT NULL,
    hidden_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, message_id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    type            TEXT NOT NULL,
    conversation_id TEXT,
    message_id      TEXT,
    at              INTEGER NOT NULL,
    data            TEXT NOT NULL
  ) STRICT;
  CREATE INDEX events_by_message ON events(message_id) WHERE message_id IS NOT NULL;

  -- One row per (user, event): the user's gap-free sequence.
  CREATE TABLE inbox (
    user_id  TEXT NOT NULL,
    seq      INTEGER NOT NULL,
    event_id INTEGER NOT NULL REFERENCES events(id),
    PRIMARY KEY (user_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX inbox_by_event ON inbox(event_id);
  `,
  `
  -- Policies: a moderator's removal carries the label recipients see; detectors' findings (names only,
  -- never the matched text) give flagged messages their longer window; owners may set a conversation's
  -- policy within the server's bounds.
  ALTER TABLE messages ADD COLUMN recall_label TEXT;
  ALTER TABLE messages ADD COLUMN flags TEXT;
  ALTER TABLE conversations ADD COLUMN policy TEXT;
  `,
  `
  -- Replies and corrections are references, never copies: quotes are rendered from the original.
  ALTER TABLE messages ADD COLUMN reply_to TEXT;
  ALTER TABLE messages ADD COLUMN corrects TEXT;
  CREATE INDEX messages_by_corrects ON messages(corrects, pos) WHERE corrects IS NOT NULL;
  `,
  `
  -- Attachments: metadata here, bytes in the blob store. A recalled message's file is deleted and its
  -- row kept (without a name) so its URL can answer 410 Gone.
  CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,
    uploader_id TEXT NOT NULL REFERENCES users(id),
    kind        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    message_id  TEXT,
    deleted_at  INTEGER
  ) STRICT;
  ALTER TABLE messages ADD COLUMN attachment_id TEXT;
  `,
  `
  -- Read receipts: how far each member has read each conversation (message position).
  CREATE TABLE reads (
    conversation_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    pos             INTEGER NOT NULL,
    read_at         INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- Bulk recall jobs: what was asked, how far it got, and the outcome for each message.
  CREATE TABLE recall_jobs (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    params          TEXT NOT NULL,
    status          TEXT NOT NULL,
    total           INTEGER NOT NULL,
    results         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
  ) STRICT;
  `,
  `
  -- Disappearing messages: the conversation's timer, and each message's moment of expiry once known.
  ALTER TABLE conversations ADD COLUMN disappearing TEXT;
  ALTER TABLE messages ADD COLUMN expires_at INTEGER;
  CREATE INDEX messages_by_expiry ON messages(expires_at) WHERE expires_at IS NOT NULL AND recalled_at IS NULL;
  `,
  `
  -- Consent recall: a sender's request to recall past the window, and its decision. A message can have
  -- several over time (one expired, then a new one), at most one pending.
  CREATE TABLE consent_requests (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    requester_id    TEXT NOT NULL,
    reason          TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'expired')),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    decided_by      TEXT,
    decided_at      INTEGER,
    note            TEXT
  ) STRICT;
  CREATE INDEX consent_by_message ON consent_requests(message_id, created_at);
  CREATE INDEX consent_by_conversation ON consent_requests(conversation_id, created_at);
  CREATE INDEX consent_pending_by_expiry ON consent_requests(expires_at) WHERE status = 'pending';
  ALTER TABLE messages ADD COLUMN recall_approved_by TEXT;
  `,
  `
  -- Undo send: each user's send delay, and messages held for it. A held message has its id and its content
  -- but no position and no events: nobody else knows of it until it is delivered.
  CREATE TABLE user_settings (
    user_id            TEXT PRIMARY KEY,
    send_delay_seconds INTEGER NOT NULL DEFAULT 0
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE held_messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    sender_id       TEXT NOT NULL,
    client_msg_id   TEXT NOT NULL,
    type            TEXT NOT NULL,
    body            TEXT,
    attachment_id   TEXT,
    reply_to        TEXT,
    corrects        TEXT,
    held_at         INTEGER NOT NULL,
    deliver_at      INTEGER NOT NULL,
    UNIQUE (sender_id, client_msg_id)
  ) STRICT;
  CREATE INDEX held_by_delivery ON held_messages(deliver_at);
  `,
  `
  -- The audit log: an RFC 6962 Merkle tree over canonically encoded entries (never message content). Each
  -- row keeps its leaf hash and the tree root after it; audit_state holds the accumulator (the roots of
  -- the full subtrees) so an append costs O(log n). Checkpoints are signed tree heads.
  CREATE TABLE audit_log (
    idx             INTEGER PRIMARY KEY,
    entry           TEXT NOT NULL,
    leaf_hash       TEXT NOT NULL,
    root_after      TEXT NOT NULL,
    conversation_id TEXT,
    message_id      TEXT
  ) STRICT;
  CREATE INDEX audit_by_message ON audit_log(message_id) WHERE message_id IS NOT NULL;
  CREATE INDEX audit_by_conversation ON audit_log(conversation_id) WHERE conversation_id IS NOT NULL;
  CREATE TABLE audit_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  INTEGER NOT NULL,
    nodes TEXT NOT NULL
  ) STRICT;
  CREATE TABLE audit_checkpoints (
    tree_size INTEGER NOT NULL,
    root_hash TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL,
    PRIMARY KEY (tree_size, issued_at)
  ) STRICT;
  `,
  `
  -- Encryption at rest: ids of data keys to destroy, queued by the transaction that erased their content
  -- and cleared once the key store has destroyed them (a crash in between is finished at the next start).
  CREATE TABLE key_shred_queue (
    key_id    TEXT PRIMARY KEY,
    queued_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  -- Compliance hold: recalled content sealed under the compliance key, until hold_until.
  CREATE TABLE compliance_holds (
    message_id      TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    sender_id       TEXT NOT NULL,
    type            TEXT NOT NULL,
    sealed_body     BLOB,
    sent_at         INTEGER NOT NULL,
    recalled_at     INTEGER NOT NULL,
    hold_until      INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX holds_by_expiry ON compliance_holds(hold_until);
  CREATE INDEX holds_by_conversation ON compliance_holds(conversation_id, recalled_at);
  `,
  `
  -- Retention: messages still holding content, by age.
  CREATE INDEX messages_by_sent_at ON messages(sent_at) WHERE recalled_at IS NULL;
  `,
  `
  -- Recall analytics (storage/analytics-records.ts): counts, never content. One row per cell of the
  -- aggregate; the key leads with the quarter-hour slot, so a range of slots and retention are key scans.
  -- follow_up '' stands for "none applies" (an allowed attempt): key columns cannot be NULL.
  CREATE TABLE recall_buckets (
    slot              INTEGER NOT NULL,
    outcome           TEXT NOT NULL,
    conversation_kind TEXT NOT NULL,
    content_type      TEXT NOT NULL,
    role              TEXT NOT NULL,
    delay_bucket      INTEGER NOT NULL,
    follow_up         TEXT NOT NULL,
    count             INTEGER NOT NULL,
    PRIMARY KEY (slot, outcome, conversation_kind, content_type, role, delay_bucket, follow_up)
  ) STRICT, WITHOUT ROWID;
  -- Denials whose follow-up is not known yet: looked up by the sender's next send or hide in the
  -- conversation, and by age for the sweep (older than analytics.followUpSeconds: none). Short-lived.
  CREATE TABLE recall_follow_ups (
    id                       TEXT PRIMARY KEY,
    user_id                  TEXT NOT NULL,
    conversation_id          TEXT NOT NULL,
    message_id               TEXT NOT NULL,
    denied_at                INTEGER NOT NULL,
    bucket_slot              INTEGER NOT NULL,
    bucket_outcome           TEXT NOT NULL,
    bucket_conversation_kind TEXT NOT NULL,
    bucket_content_type      TEXT NOT NULL,
    bucket_role              TEXT NOT NULL,
    bucket_delay_bucket      INTEGER NOT NULL,
    bucket_follow_up         TEXT NOT NULL
  ) STRICT;
  CREATE INDEX follow_ups_by_sender ON recall_follow_ups(user_id, conversation_id, denied_at);
  CREATE INDEX follow_ups_by_age ON recall_follow_ups(denied_at);
  -- Who sent, who attempted a recall, per day of the analytics zone (0/1 flags), for distinct counts.
  CREATE TABLE daily_activity (
    day       TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    sent      INTEGER NOT NULL CHECK (sent IN (0, 1)),
    attempted INTEGER NOT NULL CHECK (attempted IN (0, 1)),
    PRIMARY KEY (day, user_id)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  -- Webhooks (storage/webhook-records.ts). The outbox is also the delivery log: one row per event and
  -- subscription, holding ids only — the body is rendered from current state when sent, so no message
  -- content is ever at rest here.
  CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    description TEXT,
    secret      TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    conversation_id  TEXT,
    message_id       TEXT,
    subject_id       TEXT,
    detail           TEXT,
    occurred_at      INTEGER NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER,
    last_attempt_at  INTEGER,
    last_status_code INTEGER,
    last_error       TEXT,
    delivered_at     INTEGER
  ) STRICT;
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(next_attempt_at) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_log ON webhook_deliveries(subscription_id, occurred_at);
  -- Admin API keys: the hash of the key only.
  CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
  ) STRICT;
  `,
  `
  -- Push notifications (storage/push-records.ts). A device's targets go with the device (logout, revoked
  -- session), and a target's queue with the target. No message content in any of these tables.
  CREATE TABLE push_targets (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    device_id  TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('webpush', 'gateway')),
    address    TEXT NOT NULL,
    p256dh     TEXT,
    auth       TEXT,
    pushkey    TEXT,
    secret     TEXT,
    privacy    INTEGER NOT NULL CHECK (privacy IN (0, 1)),
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX push_targets_by_device ON push_targets(device_id);
  CREATE INDEX push_targets_by_user ON push_targets(user_id);
  -- Pushes still to send: which target, which message, notify or retract; rendered when sent.
  CREATE TABLE push_outbox (
    target_id       TEXT NOT NULL REFERENCES push_targets(id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('notify', 'retract')),
    tag             TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    PRIMARY KEY (target_id, message_id, kind)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX push_outbox_due ON push_outbox(next_attempt_at);
  CREATE INDEX push_outbox_by_message ON push_outbox(message_id, kind);
  -- Notifications that may be on a device: an erasure turns each into a retraction.
  CREATE TABLE push_receipts (
    target_id  TEXT NOT NULL REFERENCES push_targets(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    tag        TEXT NOT NULL,
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (target_id, message_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX push_receipts_by_message ON push_receipts(message_id);
  CREATE INDEX push_receipts_by_age ON push_receipts(sent_at);
  `,
  `
  -- Accounts a server admin disabled: no login while set (their devices were deleted when it was set).
  ALTER TABLE users ADD COLUMN disabled_at INTEGER;
  `,
];
