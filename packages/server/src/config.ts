import { isTimeZone } from './core/analytics/time-zone.js';
import { originProblems } from './limits/origin.js';
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import {
  BoundsSchema,
  PolicyDocumentSchema,
  formatPolicyError,
  validatePolicyDocument,
} from './core/policy/index.js';

/**
 * The server's configuration: validated once at start-up (defaults filled in, unknown keys and
 * impossible values rejected), frozen, then passed down. Nothing else reads the environment.
 */
const strict = { additionalProperties: false } as const;

/** One rate-limit budget: `points` requests per `durationSeconds` window. */
function budgetSchema(points: number, durationSeconds: number) {
  return Type.Object(
    {
      points: Type.Integer({ default: points, minimum: 1, maximum: 100_000_000 }),
      durationSeconds: Type.Integer({ default: durationSeconds, minimum: 1, maximum: 86_400 }),
    },
    { ...strict, default: {} },
  );
}

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', minLength: 1 }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
    /** Where the embedded database lives. */
    dataDir: Type.String({ default: './data', minLength: 1 }),
    /**
     * Recall policy: the server's document, optional documents per conversation kind, and the bounds
     * within which conversation owners may set their own. See docs/policies.md.
     */
    policy: Type.Object(
      {
        default: Type.Unsafe<Static<typeof PolicyDocumentSchema>>({ ...PolicyDocumentSchema, default: {} }),
        direct: Type.Optional(PolicyDocumentSchema),
        group: Type.Optional(PolicyDocumentSchema),
        bounds: Type.Unsafe<Static<typeof BoundsSchema>>({
          ...BoundsSchema,
          default: {
            maxSenderWindowSeconds: 7 * 86400,
            maxModeratorWindowSeconds: null,
            allowUntilRead: true,
            allowConsent: true,
            allowDirectPeerRecall: true,
          },
        }),
      },
      { ...strict, default: {} },
    ),
    attachments: Type.Object(
      {
        /** Largest upload in bytes. */
        maxBytes: Type.Integer({ default: 25 * 1024 * 1024, minimum: 1024, maximum: 2 * 1024 * 1024 * 1024 }),
      },
      { ...strict, default: {} },
    ),
    /** Usernames with the server admin role (moderation in every conversation, where the policy names it). */
    serverAdmins: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
      default: [],
      uniqueItems: true,
    }),
    storage: Type.Object(
      {
        /**
         * Where messages live. Absent (or `sqlite:`): the embedded SQLite database in `dataDir` — one node.
         * `postgres://user:password@host:5432/db`: PostgreSQL, shared by every node of a cluster.
         */
        url: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
        /** PostgreSQL only: the schema holding the tables (and the key store's), created when missing. */
        schema: Type.Union([Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' }), Type.Null()], {
          default: null,
        }),
        /** `normal`: commits survive a process crash; `full`: also a power cut (slower). SQLite only. */
        synchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], { default: 'normal' }),
      },
      { ...strict, default: {} },
    ),
    /** How a committed change reaches the sockets held by other nodes (src/bus/). */
    bus: Type.Object(
      {
        /** Absent (or `memory:`): in-process, one node. `redis://…` or `rediss://…`: Redis pub/sub. */
        url: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
        /** The Redis channel is `<channelPrefix>bus`: one prefix per cluster sharing a Redis. */
        channelPrefix: Type.String({ default: 'retract:', minLength: 1, maxLength: 64 }),
      },
      { ...strict, default: {} },
    ),
    /** Attachment files (sealed). */
    blobs: Type.Object(
      {
        /** Default `dataDir/blobs`. With several nodes: a directory every node mounts (NFS, a shared volume). */
        dir: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
      },
      { ...strict, default: {} },
    ),
    auth: Type.Object(
      {
        /** scrypt N for password hashes (a power of two). Lower only for tests and benchmarks. */
        passwordHashCost: Type.Integer({ default: 32768, minimum: 1024, maximum: 1048576 }),
      },
      { ...strict, default: {} },
    ),
    ws: Type.Object(
      {
        /** How long a socket without an Authorization header has to send its `auth` frame. */
        authTimeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
        /** A client whose unsent backlog exceeds this is disconnected rather than slowing anyone else. */
        maxBufferedBytes: Type.Integer({ default: 8 * 1024 * 1024, minimum: 64 * 1024 }),
        /** Ping interval; a socket that misses a pong for one interval is closed. 0 disables. */
        pingIntervalMs: Type.Integer({ default: 30_000, minimum: 0 }),
        /**
         * Browser origins allowed to open a socket (`https://chat.example.com`), refused with 403 before the
         * upgrade otherwise. Always allowed: no Origin header (not a browser) and the server's own origin
         * (Origin host equals Host). `["*"]` allows every origin.
         */
        allowedOrigins: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
          default: [],
          uniqueItems: true,
        }),
        /** Open sockets one user may hold on one node; the next one is closed (`too_many_connections`). */
        maxConnectionsPerUser: Type.Integer({ default: 20, minimum: 1, maximum: 10_000 }),
      },
      { ...strict, default: {} },
    ),
    /**
     * Request budgets (docs/limits.md), shared by HTTP requests and WebSocket commands: `points` requests
     * per `durationSeconds`, per user; server admins and API keys on larger budgets of their own;
     * requests without a session per client address. With `bus.url` Redis the budgets are cluster-wide.
     */
    limits: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        user: budgetSchema(600, 60),
        moderator: budgetSchema(3000, 60),
        apiKey: budgetSchema(3000, 60),
        ip: budgetSchema(120, 60),
      },
      { ...strict, default: {} },
    ),
    /**
     * Retention: messages older than `days` are erased by the server (role `retention`), exactly as a
     * recall erases them — key destroyed, content gone, every device told. 0 keeps messages for ever.
     */
    retention: Type.Object(
      { days: Type.Integer({ default: 0, minimum: 0, maximum: 36500 }) },
      { ...strict, default: {} },
    ),
    /** The tamper-evident audit log (docs/audit.md). Paths default to files under `dataDir/audit/`. */
    audit: Type.Object(
      {
        /** Ed25519 signing key (PKCS#8 PEM), created at first start with mode 0600. */
        keyPath: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
        /** Every signed checkpoint is appended here too (JSON lines), outside the database, to ship away. */
        checkpointFile: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
        /** How often a checkpoint is signed when the log has grown; 0 signs only on demand. */
        checkpointIntervalSeconds: Type.Integer({ default: 3600, minimum: 0, maximum: 7 * 86400 }),
      },
      { ...strict, default: {} },
    ),
    /** Encryption at rest: per-message data keys in a key store of their own, wrapped under a master key. */
    encryption: Type.Object(
      {
        /** Master key file (32 bytes, mode 0600), created at first start; default `dataDir/master.key`. */
        masterKeyPath: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
        /** The key store's database; default `dataDir/keys.db`. Back it up apart from the messages, if at all. */
        keyStorePath: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
        /**
         * With PostgreSQL storage, the key store is in PostgreSQL too (every node must see the same keys):
         * by default in `storage.url`'s database; better a database of its own, given here, so that a dump
         * of the messages does not carry their keys.
         */
        keyStoreUrl: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
      },
      { ...strict, default: {} },
    ),
    /**
     * Compliance hold: keep recalled content for `holdDays`, sealed under a compliance key, readable only by
     * the `users` named here (each read audited); then destroyed. 0 days: off (the default).
     */
    compliance: Type.Object(
      {
        holdDays: Type.Integer({ default: 0, minimum: 0, maximum: 3650 }),
        users: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { default: [], uniqueItems: true }),
        /** The compliance key file (32 bytes, mode 0600); default `dataDir/compliance.key`. */
        keyPath: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
      },
      { ...strict, default: {} },
    ),
    /**
     * Recall analytics (docs/analytics.md): counts of recall attempts per quarter hour, never content.
     * `timeZone` (IANA) sets the days and hours the figures are reported in unless a request names another;
     * a denial's follow-up is what its sender does within `followUpSeconds`.
     */
    analytics: Type.Object(
      {
        timeZone: Type.String({ default: 'UTC', minLength: 1, maxLength: 64 }),
        retentionDays: Type.Integer({ default: 400, minimum: 1, maximum: 36500 }),
        followUpSeconds: Type.Integer({ default: 600, minimum: 1, maximum: 86_400 }),
      },
      { ...strict, default: {} },
    ),
    /**
     * Webhook delivery (docs/webhooks.md): each node's worker polls the outbox every `workerIntervalMs`,
     * POSTs with a `timeoutMs` limit, retries with exponential backoff from `retryBaseSeconds` (with
     * jitter, capped at `retryMaxSeconds`) up to `maxAttempts`, and forgets finished deliveries after
     * `logRetentionDays`.
     */
    webhooks: Type.Object(
      {
        maxAttempts: Type.Integer({ default: 8, minimum: 1, maximum: 50 }),
        timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 60_000 }),
        workerIntervalMs: Type.Integer({ default: 1000, minimum: 10, maximum: 60_000 }),
        batchSize: Type.Integer({ default: 20, minimum: 1, maximum: 500 }),
        retryBaseSeconds: Type.Integer({ default: 10, minimum: 1, maximum: 3600 }),
        retryMaxSeconds: Type.Integer({ default: 6 * 3600, minimum: 1, maximum: 7 * 86400 }),
        logRetentionDays: Type.Integer({ default: 30, minimum: 1, maximum: 3650 }),
      },
      { ...strict, default: {} },
    ),
    /** Push notifications (docs/push.md): Web Push for browsers, a signed POST to a gateway for mobile apps. */
    push: Type.Object(
      {
        /** A new message's push waits this long, so that a quick recall beats it and nothing is pushed. */
        holdSeconds: Type.Integer({ default: 2, minimum: 0, maximum: 60 }),
        /** Force privacy mode on every target: no content in any push, only "New message". */
        privacy: Type.Boolean({ default: false }),
        /** Attempts per push before it is given up (a failed push is retried with exponential backoff). */
        maxAttempts: Type.Integer({ default: 8, minimum: 1, maximum: 20 }),
        /** First retry after this long; each next one waits twice as long, up to `retryMaxSeconds`. */
        retryBaseSeconds: Type.Integer({ default: 5, minimum: 1, maximum: 3600 }),
        retryMaxSeconds: Type.Integer({ default: 3600, minimum: 1, maximum: 86_400 }),
        /** How long one POST to a push service or gateway may take. */
        timeoutMs: Type.Integer({ default: 10_000, minimum: 100, maximum: 60_000 }),
        /** A notification older than this is no longer retracted when its message is erased. */
        retractWithinDays: Type.Integer({ default: 30, minimum: 1, maximum: 365 }),
        vapid: Type.Object(
          {
            /** The VAPID signing key (32 bytes, mode 0600), created at first start; default `dataDir/push/vapid.key`. */
            keyPath: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
            /** Who push services may contact about this server: a `mailto:` or `https:` URL. */
            subject: Type.String({
              default: 'mailto:postmaster@localhost',
              pattern: '^(mailto:|https://)\\S+$',
            }),
          },
          { ...strict, default: {} },
        ),
      },
      { ...strict, default: {} },
    ),
    /**
     * For simulations only (`retract simulate`): the server's clock starts at `start` (ISO) and runs
     * `speed` times faster than real time, so a day of traffic fits in a minute. Leave unset in production.
     */
    clock: Type.Object(
      {
        start: Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Null()], { default: null }),
        speed: Type.Number({ default: 1, minimum: 1, maximum: 100_000 }),
      },
      { ...strict, default: {} },
    ),
    /**
     * The web client: a built `packages/web/dist` served at `/`. Null (the default here; `retract serve`
     * fills in the repository's build when it exists) keeps the placeholder page.
     */
    web: Type.Object(
      { dir: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }) },
      { ...strict, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info' },
        ),
      },
      { ...strict, default: {} },
    ),
  },
  strict,
);

export type ServerConfig = Readonly<Static<typeof ConfigSchema>>;

/** Thrown for an invalid configuration; its message lists every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
const validate = ajv.compile(ConfigSchema);

/** Validates `input` (from file, environment and flags, already merged), fills defaults, freezes. */
export function loadConfig(input: unknown): ServerConfig {
  const copy: unknown = structuredClone(input ?? {});
  if (!validate(copy)) {
    throw new ConfigError(
      (validate.errors ?? []).map((e) => {
        const where = e.instancePath || '(root)';
        const extra =
          e.keyword === 'additionalProperties' ? ` '${String(e.params['additionalProperty'])}'` : '';
        return `${where}: ${e.message ?? 'invalid'}${extra}`;
      }),
    );
  }
  const config = copy as ServerConfig;
  const problems: string[] = [];
  for (const [scope, doc] of Object.entries({
    default: config.policy.default,
    direct: config.policy.direct,
    group: config.policy.group,
  })) {
    if (doc === undefined) continue;
    const checked = validatePolicyDocument(doc);
    if (!checked.ok) problems.push(...checked.errors.map((e) => `/policy/${scope}${formatPolicyError(e)}`));
  }
  problems.push(...backendProblems(config));
  problems.push(...originProblems(config.ws.allowedOrigins));
  if (config.clock.start !== null && !Number.isFinite(Date.parse(config.clock.start))) {
    problems.push(`/clock/start: '${config.clock.start}' is not a date and time (ISO 8601)`);
  }
  if (!isTimeZone(config.analytics.timeZone)) {
    problems.push(
      `/analytics/timeZone: '${config.analytics.timeZone}' is not a time zone this server knows (IANA name, e.g. Europe/Berlin)`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(config);
}

/** Which storage backend a configuration selects (its URL scheme was checked by `loadConfig`). */
export function storageBackendOf(config: ServerConfig): 'sqlite' | 'postgres' {
  return isPostgresUrl(config.storage.url) ? 'postgres' : 'sqlite';
}

/** Which bus a configuration selects. */
export function busBackendOf(config: ServerConfig): 'memory' | 'redis' {
  return isRedisUrl(config.bus.url) ? 'redis' : 'memory';
}

const schemeOf = (url: string): string => /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase() ?? '';
const isPostgresUrl = (url: string | null): boolean =>
  url !== null && ['postgres', 'postgresql'].includes(schemeOf(url));
const isRedisUrl = (url: string | null): boolean =>
  url !== null && ['redis', 'rediss'].includes(schemeOf(url));

/** A URL that parses and names a host; the scheme is checked by the caller. Never echoes the URL (passwords). */
function hostProblem(where: string, url: string): string | null {
  try {
    return new URL(url).hostname === '' ? `${where}: the URL names no host` : null;
  } catch {
    return `${where}: not a valid URL`;
  }
}

function backendProblems(config: ServerConfig): string[] {
  const problems: string[] = [];
  const storageUrl = config.storage.url;
  if (storageUrl !== null) {
    const scheme = schemeOf(storageUrl);
    if (scheme === 'sqlite') {
      if (storageUrl.toLowerCase() !== 'sqlite:') {
        problems.push("/storage/url: 'sqlite:' takes no path; the embedded database lives in dataDir");
      }
    } else if (isPostgresUrl(storageUrl)) {
      const problem = hostProblem('/storage/url', storageUrl);
      if (problem) problems.push(problem);
    } else {
      problems.push(
        `/storage/url: ${scheme === '' ? 'no URL scheme' : `unsupported scheme '${scheme}:'`}; ` +
          "use 'sqlite:' (embedded, the default) or 'postgres://user:password@host:5432/database'",
      );
    }
  }
  const busUrl = config.bus.url;
  if (busUrl !== null) {
    const scheme = schemeOf(busUrl);
    if (isRedisUrl(busUrl)) {
      const problem = hostProblem('/bus/url', busUrl);
      if (problem) problems.push(problem);
    } else if (busUrl.toLowerCase() !== 'memory:') {
      problems.push(
        `/bus/url: ${scheme === '' ? 'no URL scheme' : `unsupported scheme '${scheme}:'`}; ` +
          "use 'memory:' (in-process, the default) or 'redis://host:6379' ('rediss://' for TLS)",
      );
    }
  }
  const keyStoreUrl = config.encryption.keyStoreUrl;
  if (config.storage.schema !== null && storageBackendOf(config) !== 'postgres') {
    problems.push('/storage/schema: applies to PostgreSQL storage only (storage.url postgres://…)');
  }
  if (storageBackendOf(config) === 'postgres') {
    if (config.encryption.keyStorePath !== null) {
      problems.push(
        '/encryption/keyStorePath: applies to the embedded store only; with PostgreSQL storage the key ' +
          'store is in PostgreSQL (encryption.keyStoreUrl)',
      );
    }
    if (keyStoreUrl !== null) {
      if (!isPostgresUrl(keyStoreUrl)) {
        problems.push("/encryption/keyStoreUrl: must be a 'postgres://' URL");
      } else {
        const problem = hostProblem('/encryption/keyStoreUrl', keyStoreUrl);
        if (problem) problems.push(problem);
      }
    }
  } else if (keyStoreUrl !== null) {
    problems.push(
      '/encryption/keyStoreUrl: needs PostgreSQL storage (storage.url); the embedded key store is ' +
        'encryption.keyStorePath',
    );
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
