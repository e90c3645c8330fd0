import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * A real cluster on loopback for the cluster and fault tests: server processes sharing one PostgreSQL
 * database (created for the run, dropped after) and one bus, each with its own data directory but the
 * same key files and blob directory, as README "Running on several machines" describes.
 */

export const testPostgresUrl: string | undefined = process.env['RETRACT_TEST_POSTGRES_URL'] || undefined;
export const testRedisUrl: string | undefined = process.env['RETRACT_TEST_REDIS_URL'] || undefined;
export const clusterSkip: string | false =
  testPostgresUrl === undefined || testRedisUrl === undefined
    ? 'set RETRACT_TEST_POSTGRES_URL and RETRACT_TEST_REDIS_URL to run the cluster tests'
    : false;

const nodeMain = fileURLToPath(new URL('./node-main.ts', import.meta.url));

/** A database of its own for one test run, on the PostgreSQL the tests were pointed at. */
export async function freshDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `retract_cluster_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: baseUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/**
 * A TCP proxy on a loopback port in front of PostgreSQL, so a test can make the database unreachable
 * for the nodes (`cut`: refuse new connections and drop open ones) and bring it back (`restore`)
 * without touching the real server, which other tests share.
 */
export class CutProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<CutProxy> {
    const holder: { proxy?: CutProxy } = {};
    const server = createTcpServer((client) => {
      const proxy = holder.proxy;
      if (!proxy || proxy.cutOff) {
        client.destroy();
        return;
      }
      const upstream = createConnection({ host: targetHost, port: targetPort });
      for (const s of [client, upstream]) {
        proxy.sockets.add(s);
        s.on('close', () => proxy.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new CutProxy(server, (server.address() as { port: number }).port);
    return holder.proxy;
  }

  cut(): void {
    this.cutOff = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  readonly wsUrl: string;
  readonly pid: number;
  /** SIGKILL: the process dies mid-whatever, as a crashed machine would. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
}

export interface Cluster {
  readonly nodes: readonly ClusterNode[];
  readonly storeUrl: string;
  close(): Promise<void>;
}

/**
 * Starts `count` nodes. The first starts alone (it creates the schema and the key files every node
 * shares), the others after it. `config` is merged over the test defaults of every node.
 */
export async function startCluster(options: {
  count: number;
  storeUrl: string;
  busUrl: string;
  config?: Record<string, unknown>;
}): Promise<Cluster> {
  const root = mkdtempSync(join(tmpdir(), 'retract-cluster-'));
  const shared = join(root, 'shared');
  mkdirSync(shared, { mode: 0o700 });
  const channelPrefix = `retract-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}:`;
  const nodes: ClusterNode[] = [];
  const configFor = (i: number) => ({
    host: '127.0.0.1',
    port: 0,
    dataDir: join(root, `node-${i}`),
    storage: { url: options.storeUrl },
    bus: { url: options.busUrl, channelPrefix },
    blobs: { dir: join(shared, 'blobs') },
    encryption: { masterKeyPath: join(shared, 'master.key') },
    audit: { keyPath: join(shared, 'audit-signing.key'), checkpointFile: join(shared, 'checkpoints.jsonl') },
    auth: { passwordHashCost: 1024 },
    log: { level: 'silent' },
    ws: { pingIntervalMs: 0 },
    ...options.config,
  });
  try {
    nodes.push(await startNode(`n${0}`, configFor(0)));
    nodes.push(
      ...(await Promise.all(
        Array.from({ length: options.count - 1 }, (_, i) => startNode(`n${i + 1}`, configFor(i + 1))),
      )),
    );
  } catch (error) {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes,
    storeUrl: options.storeUrl,
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function startNode(name: string, config: Record<string, unknown>): Promise<ClusterNode> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', nodeMain, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s: ${stderr}`)), 30_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const ready = /READY (\S+)/.exec(out);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready: ${stderr}`));
    });
  });
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid!, sig);
    await exited;
  };
  return {
    name,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/v1/ws`,
    pid: child.pid!,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
}
