import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';

/**
 * The server's configuration: validated once at start-up (defaults filled in, unknown keys and
 * impossible values rejected), frozen, then passed down. Nothing else reads the environment.
 */
const strict = { additionalProperties: false } as const;

export const ConfigSchema = Type.Object(
  {
    host: Type.String({ default: '127.0.0.1', minLength: 1 }),
    port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
    /** Where the embedded database lives. */
    dataDir: Type.String({ default: './data', minLength: 1 }),
    recall: Type.Object(
      {
        /** Seconds from acceptance during which a sender may recall; 0 = never, null = no limit. */
        windowSeconds: Type.Union([Type.Integer({ minimum: 0, maximum: 10 * 365 * 86400 }), Type.Null()], {
          default: 120,
        }),
      },
      { ...strict, default: {} },
    ),
    storage: Type.Object(
      {
        /** `normal`: commits survive a process crash; `full`: also a power cut (slower). */
        synchronous: Type.Union([Type.Literal('normal'), Type.Literal('full')], { default: 'normal' }),
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
      },
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
  return deepFreeze(copy as ServerConfig);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
