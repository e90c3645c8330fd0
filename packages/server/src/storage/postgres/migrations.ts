import type { MigrationSet } from './migrate.js';

/**
 * The PostgreSQL schema, numbered on its own (the SQLite one has a history this backend never had).
 * Version 1 is the whole of what the SQLite schema had grown to. Never edit a shipped migration:
 * append a new one.
 *
 * Conventions, so the backends behave alike:
 * - Text is `COLLATE "C"`: byte-wise comparison and ordering, as SQLite's default BINARY collation —
 *   ids sort the same on both, whatever the database's locale.
 * - Times are BIGINT milliseconds since the epoch, as the port speaks them.
 * - JSON is stored as the text the port was given (not jsonb), so it reads back byte for byte as on
 *   SQLite — key order included.
 * - Usernames are unique under ASCII case folding, SQLite's NOCASE: `lower()` under the C collation
 *   folds A–Z only.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    username      TEXT COLLATE "C" NOT NULL,
    password_hash TEXT COLLATE "C" NOT NULL,
    created_at    BIGINT NOT NULL,
    -- The last number of this user's event sequence; bumped under the row's lock (gap-free).
    last_seq      BIGINT NOT NULL DEFAULT 0
  );
  CREATE UNIQUE INDEX users_by_username ON users (lower(username));

  CREATE TABLE devices (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    name       TEXT COLLATE "C" NOT NULL,
    token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    cursor     BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX devices_by_user ON devices (user_id);

  CREATE TABLE conversations (
    id           TEXT COLLATE "C" PRIMARY KEY,
    kind         TEXT COLLATE "C" NOT NULL CHECK (kind IN ('direct', 'group')),
    title        TEXT COLLATE "C",
    created_at   BIGINT NOT NULL,
    direct_key   TEXT COLLATE "C" UNIQUE,
    policy       TEXT COLLATE "C",
    disappearing TEXT COLLATE "C"
  );

  CREATE TABLE members (
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations(id),
    user_id         TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    role            TEXT COLLATE "C" NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at       BIGINT NOT NULL,
    -- Members see the messages stored after they joined, not the ones before.
    from_pos        BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  );
  CREATE INDEX members_by_user ON members (user_id, conversation_id);

  CREATE TABLE messages (
    pos                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                 TEXT COLLATE "C" NOT NULL UNIQUE,
    conversation_id    TEXT COLLATE "C" NOT NULL REFERENCES conversations(id),
    sender_id          TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    client_msg_id      TEXT COLLATE "C" NOT NULL,
    type               TEXT COLLATE "C" NOT NULL,
    -- Sealed at rest by the sealed-storage wrapper: this column holds envelopes, not text.
    body               TEXT COLLATE "C",
    sent_at            BIGINT NOT NULL,
    recalled_at        BIGINT,
    recalled_by        TEXT COLLATE "C",
    recall_role        TEXT COLLATE "C",
    recall_reason      TEXT COLLATE "C",
    recall_label       TEXT COLLATE "C",
    recall_approved_by TEXT COLLATE "C",
    flags              TEXT COLLATE "C",
    reply_to           TEXT COLLATE "C",
    corrects           TEXT COLLATE "C",
    attachment_id      TEXT COLLATE "C",
    expires_at         BIGINT,
    UNIQUE (sender_id, client_msg_id)
  );
  CREATE INDEX messages_by_conversation ON messages (conversation_id, pos);
  CREATE INDEX messages_by_corrects ON messages (corrects, pos) WHERE corrects IS NOT NULL;
  CREATE INDEX messages_by_expiry ON messages (expires_at) WHERE expires_at IS NOT NULL AND recalled_at IS NULL;
  CREATE INDEX messages_by_sent_at ON messages (sent_at) WHERE recalled_at IS NULL;

  CREATE TABLE hidden (
    user_id    TEXT COLLATE "C" NOT NULL,
    message_id TEXT COLLATE "C" NOT NULL,
    hidden_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, message_id)
  );

  CREATE TABLE events (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type            TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C",
    message_id      TEXT COLLATE "C",
    at              BIGINT NOT NULL,
    data            TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX events_by_message ON events (message_id) WHERE message_id IS NOT NULL;

  -- One row per (user, event): the user's gap-free sequence.
  CREATE TABLE inbox (
    user_id  TEXT COLLATE "C" NOT NULL,
    seq      BIGINT NOT NULL,
    event_id BIGINT NOT NULL REFERENCES events(id),
    PRIMARY KEY (user_id, seq)
  );
  CREATE INDEX inbox_by_event ON inbox (event_id);

  -- Attachments: metadata here, bytes in the blob store.
  CREATE TABLE attachments (
    id          TEXT COLLATE "C" PRIMARY KEY,
    uploader_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    kind        TEXT COLLATE "C" NOT NULL,
    mime        TEXT COLLATE "C" NOT NULL,
    name        TEXT COLLATE "C" NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    message_id  TEXT COLLATE "C",
    deleted_at  BIGINT
  );

  CREATE TABLE reads (
    conversation_id TEXT COLLATE "C" NOT NULL,
    user_id         TEXT COLLATE "C" NOT NULL,
    pos             BIGINT NOT NULL,
    read_at         BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
  );

  CREATE TABLE recall_jobs (
    id              TEXT COLLATE "C" PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL,
    actor_id        TEXT COLLATE "C" NOT NULL,
    params          TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL,
    total           BIGINT NOT NULL,
    results         TEXT COLLATE "C" NOT NULL,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT
  );

  CREATE TABLE consent_requests (
    -- Insertion order, the tie-break SQLite takes from its rowid.
    seq             BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id              TEXT COLLATE "C" PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL,
    message_id      TEXT COLLATE "C" NOT NULL,
    requester_id    TEXT COLLATE "C" NOT NULL,
    reason          TEXT COLLATE "C",
    status          TEXT COLLATE "C" NOT NULL
                    CHECK (status IN ('pending', 'approved', 'declined', 'cancelled', 'expired')),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    decided_by      TEXT COLLATE "C",
    decided_at      BIGINT,
    note            TEXT COLLATE "C"
  );
  CREATE INDEX consent_by_message ON consent_requests (message_id, created_at);
  CREATE INDEX consent_by_conversation ON consent_requests (conversation_id, created_at);
  CREATE INDEX consent_pending_by_expiry ON consent_requests (expires_at) WHERE status = 'pending';

  CREATE TABLE user_settings (
    user_id            TEXT COLLATE "C" PRIMARY KEY,
    send_delay_seconds INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE held_messages (
    id              TEXT COLLATE "C" PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL,
    sender_id       TEXT COLLATE "C" NOT NULL,
    client_msg_id   TEXT COLLATE "C" NOT NULL,
    type            TEXT COLLATE "C" NOT NULL,
    body            TEXT COLLATE "C",
    attachment_id   TEXT COLLATE "C",
    reply_to        TEXT COLLATE "C",
    corrects        TEXT COLLATE "C",
    held_at         BIGINT NOT NULL,
    deliver_at      BIGINT NOT NULL,
    UNIQUE (sender_id, client_msg_id)
  );
  CREATE INDEX held_by_delivery ON held_messages (deliver_at);

  -- The audit log (see the SQLite schema): rows are only ever inserted.
  CREATE TABLE audit_log (
    idx             BIGINT PRIMARY KEY CHECK (idx >= 0),
    entry           TEXT COLLATE "C" NOT NULL,
    leaf_hash       TEXT COLLATE "C" NOT NULL,
    root_after      TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C",
    message_id      TEXT COLLATE "C"
  );
  CREATE INDEX audit_by_message ON audit_log (message_id) WHERE message_id IS NOT NULL;
  CREATE INDEX audit_by_conversation ON audit_log (conversation_id) WHERE conversation_id IS NOT NULL;
  -- The accumulator. Its one row exists from the start (size 0 reads as "no state"), so that every
  -- appender can lock it with SELECT … FOR UPDATE — even the first, when there is no log yet.
  CREATE TABLE audit_state (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    size  BIGINT NOT NULL,
    nodes TEXT COLLATE "C" NOT NULL
  );
  INSERT INTO audit_state (id, size, nodes) VALUES (1, 0, '[]');
  CREATE TABLE audit_checkpoints (
    tree_size BIGINT NOT NULL,
    root_hash TEXT COLLATE "C" NOT NULL,
    issued_at TEXT COLLATE "C" NOT NULL,
    key_id    TEXT COLLATE "C" NOT NULL,
    signature TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (tree_size, issued_at)
  );

  -- Encryption at rest: ids of data keys to destroy.
  CREATE TABLE key_shred_queue (
    key_id    TEXT COLLATE "C" PRIMARY KEY,
    queued_at BIGINT NOT NULL
  );
  -- Compliance hold: recalled content sealed under the compliance key, until hold_until.
  CREATE TABLE compliance_holds (
    message_id      TEXT COLLATE "C" PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL,
    sender_id       TEXT COLLATE "C" NOT NULL,
    type            TEXT COLLATE "C" NOT NULL,
    sealed_body     BYTEA,
    sent_at         BIGINT NOT NULL,
    recalled_at     BIGINT NOT NULL,
    hold_until      BIGINT NOT NULL
  );
  CREATE INDEX holds_by_expiry ON compliance_holds (hold_until);
  CREATE INDEX holds_by_conversation ON compliance_holds (conversation_id, recalled_at);
  `,
  `
  -- Recall analytics (storage/analytics-records.ts): counts, never content. One row per cell of the
  -- aggregate; the key leads with the quarter-hour slot, so a range of slots and retention are index
  -- scans. follow_up '' stands for "none applies" (an allowed attempt): key columns cannot be NULL.
  CREATE TABLE recall_buckets (
    slot              BIGINT NOT NULL,
    outcome           TEXT COLLATE "C" NOT NULL,
    conversation_kind TEXT COLLATE "C" NOT NULL,
    content_type      TEXT COLLATE "C" NOT NULL,
    role              TEXT COLLATE "C" NOT NULL,
    delay_bucket      INTEGER NOT NULL,
    follow_up         TEXT COLLATE "C" NOT NULL,
    count             BIGINT NOT NULL,
    PRIMARY KEY (slot, outcome, conversation_kind, content_type, role, delay_bucket, follow_up)
  );
  -- Denials whose follow-up is not known yet: looked up by the sender's next send or hide in the
  -- conversation, and by age for the sweep (older than analytics.followUpSeconds: none). Short-lived.
  CREATE TABLE recall_follow_ups (
    id                       TEXT COLLATE "C" PRIMARY KEY,
    user_id                  TEXT COLLATE "C" NOT NULL,
    conversation_id          TEXT COLLATE "C" NOT NULL,
    message_id               TEXT COLLATE "C" NOT NULL,
    denied_at                BIGINT NOT NULL,
    bucket_slot              BIGINT NOT NULL,
    bucket_outcome           TEXT COLLATE "C" NOT NULL,
    bucket_conversation_kind TEXT COLLATE "C" NOT NULL,
    bucket_content_type      TEXT COLLATE "C" NOT NULL,
    bucket_role              TEXT COLLATE "C" NOT NULL,
    bucket_delay_bucket      INTEGER NOT NULL,
    bucket_follow_up         TEXT COLLATE "C" NOT NULL
  );
  CREATE INDEX follow_ups_by_sender ON recall_follow_ups (user_id, conversation_id, denied_at);
  CREATE INDEX follow_ups_by_age ON recall_follow_ups (denied_at);
  -- Who sent, who attempted a recall, per day of the analytics zone (0/1 flags), for distinct counts.
  CREATE TABLE daily_activity (
    day       TEXT COLLATE "C" NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    sent      SMALLINT NOT NULL CHECK (sent IN (0, 1)),
    attempted SMALLINT NOT NULL CHECK (attempted IN (0, 1)),
    PRIMARY KEY (day, user_id)
  );
  `,
  `
  -- Webhooks (storage/webhook-records.ts). The outbox is also the delivery log: one row per event and
  -- subscription, holding ids only — the body is rendered from current state when sent, so no message
  -- content is ever at rest here.
  CREATE TABLE webhook_subscriptions (
    id          TEXT COLLATE "C" PRIMARY KEY,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    description TEXT,
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
  );
  CREATE TABLE webhook_deliveries (
    id               TEXT COLLATE "C" PRIMARY KEY,
    subscription_id  TEXT COLLATE "C" NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id         TEXT COLLATE "C" NOT NULL,
    event_type       TEXT COLLATE "C" NOT NULL,
    conversation_id  TEXT COLLATE "C",
    message_id       TEXT COLLATE "C",
    subject_id       TEXT COLLATE "C",
    detail           TEXT COLLATE "C",
    occurred_at      BIGINT NOT NULL,
    status           TEXT COLLATE "C" NOT NULL,
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT,
    last_attempt_at  BIGINT,
    last_status_code INTEGER,
    last_error       TEXT,
    delivered_at     BIGINT
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, occurred_at);
  -- Admin API keys: the hash of the key only.
  CREATE TABLE api_keys (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    secret_hash TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
  );
  `,
  `
  -- Push notifications (storage/push-records.ts). A device's targets go with the device (logout, revoked
  -- session), and a target's queue with the target. No message content in any of these tables.
  CREATE TABLE push_targets (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_id    TEXT COLLATE "C" NOT NULL REFERENCES users(id),
    device_id  TEXT COLLATE "C" NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('webpush', 'gateway')),
    address    TEXT NOT NULL,
    p256dh     TEXT,
    auth       TEXT,
    pushkey    TEXT,
    secret     TEXT,
    privacy    BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL
  );
  CREATE INDEX push_targets_by_device ON push_targets (device_id);
  CREATE INDEX push_targets_by_user ON push_targets (user_id);
  -- Pushes still to send: which target, which message, notify or retract; rendered when sent.
  CREATE TABLE push_outbox (
    target_id       TEXT COLLATE "C" NOT NULL REFERENCES push_targets(id) ON DELETE CASCADE,
    message_id      TEXT COLLATE "C" NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('notify', 'retract')),
    tag             TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    PRIMARY KEY (target_id, message_id, kind)
  );
  CREATE INDEX push_outbox_due ON push_outbox (next_attempt_at);
  CREATE INDEX push_outbox_by_message ON push_outbox (message_id, kind);
  -- Notifications that may be on a device: an erasure turns each into a retraction.
  CREATE TABLE push_receipts (
    target_id  TEXT COLLATE "C" NOT NULL REFERENCES push_targets(id) ON DELETE CASCADE,
    message_id TEXT COLLATE "C" NOT NULL,
    tag        TEXT NOT NULL,
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (target_id, message_id)
  );
  CREATE INDEX push_receipts_by_message ON push_receipts (message_id);
  CREATE INDEX push_receipts_by_age ON push_receipts (sent_at);
  `,
  `
  -- Accounts a server admin disabled: no login while set (their devices were deleted when it was set).
  ALTER TABLE users ADD COLUMN disabled_at BIGINT;
  `,
];

export const storageMigrations: MigrationSet = {
  what: 'database schema',
  table: 'schema_migrations',
  // "RTR\0": Retract's advisory lock namespace; 0 is the storage schema.
  lockKey: 0x52545200,
  migrations,
};
