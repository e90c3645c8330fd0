/**
 * The one place that reads the process environment. Everything else receives values from here.
 */
export interface Environment {
  readonly configPath: string | undefined;
  readonly host: string | undefined;
  readonly port: string | undefined;
  readonly dataDir: string | undefined;
  /** Storage URL: `sqlite:` (embedded) or `postgres://…` (RETRACT_STORE). */
  readonly store: string | undefined;
  /** Bus URL: `memory:` (in-process) or `redis://…` (RETRACT_BUS). */
  readonly bus: string | undefined;
  /** Attachment directory, shared by every node of a cluster (RETRACT_BLOBS). */
  readonly blobsDir: string | undefined;
  readonly logLevel: string | undefined;
  readonly recallWindowSeconds: string | undefined;
  /** Base URL of the server the client commands talk to. */
  readonly serverUrl: string | undefined;
  readonly token: string | undefined;
  /** Where the client commands keep their login. */
  readonly credentialsPath: string | undefined;
  readonly home: string | undefined;
  readonly noColor: boolean;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    configPath: env['RETRACT_CONFIG'],
    host: env['RETRACT_HOST'],
    port: env['RETRACT_PORT'] ?? env['PORT'],
    dataDir: env['RETRACT_DATA'],
    store: env['RETRACT_STORE'],
    bus: env['RETRACT_BUS'],
    blobsDir: env['RETRACT_BLOBS'],
    logLevel: env['RETRACT_LOG_LEVEL'],
    recallWindowSeconds: env['RETRACT_RECALL_WINDOW_SECONDS'],
    serverUrl: env['RETRACT_SERVER'],
    token: env['RETRACT_TOKEN'],
    credentialsPath: env['RETRACT_CREDENTIALS'],
    home: env['HOME'] ?? env['USERPROFILE'],
    noColor: env['NO_COLOR'] !== undefined,
  };
}
