import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { KeyFileError } from '../../src/keys/key-file.js';
import type { KeyStore } from '../../src/keys/key-store.js';
import {
  openPostgresKeyStore,
  type PostgresKeyStoreOptions,
} from '../../src/keys/postgres/postgres-key-store.js';
import { unwrapKey } from '../../src/keys/sealing.js';
import { StorageUnavailableError } from '../../src/storage/storage.js';
import { keyStoreContract } from './contract.js';

/**
 * The key store contract against PostgreSQL (the SQLite suite's forensic file scan has no counterpart:
 * PostgreSQL cannot promise the bytes are gone, see postgres-key-store.ts), plus the master key checks
 * with several nodes on one store. The address comes only from RETRACT_TEST_POSTGRES_URL; without it the
 * suite is skipped. Every store lives in a schema of its own, dropped at the end.
 */
const url = process.env['RETRACT_TEST_POSTGRES_URL'];
const skip = url ? false : 'RETRACT_TEST_POSTGRES_URL not set';

describe('postgres key store', { skip }, () => {
  const databaseUrl = url!;
  const base = mkdtempSync(join(tmpdir(), 'retract-pg-keys-'));
  const schemas: string[] = [];
  let stores = 0;

  /** Options for a new store: a fresh schema and a fresh directory for its master key file. */
  function fresh(extra: Partial<PostgresKeyStoreOptions> = {}): PostgresKeyStoreOptions {
    const schema = `retract_keys_${process.pid}_${randomBytes(4).toString('hex')}`;
    schemas.push(schema);
    return {
      url: databaseUrl,
      schema,
      masterKeyPath: join(base, `store-${++stores}`, 'master.key'),
      ...extra,
    };
  }
  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  after(async () => {
    await admin(async (c) => {
      for (const schema of schemas) await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });
    rmSync(base, { recursive: true, force: true });
  });

  for (const cacheSize of [0, 64]) {
    keyStoreContract({
      name: `postgres (cache of ${cacheSize})`,
      open: async () => {
        const options = fresh({ cacheSize });
        return { store: await openPostgresKeyStore(options), reopen: () => openPostgresKeyStore(options) };
      },
    });
  }

  describe('postgres key store: rows and master key', () => {
    /** The wrapped form of a key as stored, read through a connection of the test's own. */
    const wrappedBytes = (schema: string, keyId: string) =>
      admin(async (c) => {
        const { rows } = await c.query(`SELECT wrapped FROM "${schema}".data_keys WHERE id = $1`, [keyId]);
        return (rows[0] as { wrapped: Buffer } | undefined)?.wrapped ?? null;
      });

    it('stores only the wrapped key, and deletes its row on destroy', async () => {
      const options = fresh();
      const store = await openPostgresKeyStore(options);
      try {
        const raw = Buffer.from(await store.create('m_rowCheck'));
        const wrapped = await wrappedBytes(options.schema!, 'm_rowCheck');
        assert.ok(wrapped && !wrapped.includes(raw), 'the row holds the wrapped key, never the raw one');
        const masterKey = await readFile(options.masterKeyPath);
        assert.ok(unwrapKey(masterKey, wrapped, 'm_rowCheck').equals(raw));
        await store.destroy(['m_rowCheck']);
        assert.equal(await wrappedBytes(options.schema!, 'm_rowCheck'), null);
      } finally {
        await store.close();
      }
    });

    it('lets several nodes set up one store at once, all under the same master key', async () => {
      const options = fresh();
      const nodes: KeyStore[] = await Promise.all(
        Array.from({ length: 4 }, () => openPostgresKeyStore(options)),
      );
      try {
        const key = await nodes[0]!.create('m_shared');
        for (const node of nodes) assert.ok((await node.get('m_shared'))?.equals(key));
        await nodes[3]!.destroy(['m_shared']);
        for (const node of nodes) assert.equal(await node.get('m_shared'), null);
      } finally {
        await Promise.all(nodes.map((n) => n.close()));
      }
    });

    it('refuses a node whose master key is not the one the store was created with', async () => {
      const options = fresh();
      await (await openPostgresKeyStore(options)).close();
      // Another node, with a key file of its own.
      const otherDir = join(base, `store-${++stores}`);
      await mkdir(otherDir, { recursive: true });
      const other = { ...options, masterKeyPath: join(otherDir, 'master.key') };
      await writeFile(other.masterKeyPath, randomBytes(32), { mode: 0o600 });
      await assert.rejects(openPostgresKeyStore(other), /not the key this key store was created with/);
      await writeFile(options.masterKeyPath, randomBytes(32), { mode: 0o600 });
      await assert.rejects(openPostgresKeyStore(options), /not the key this key store was created with/);
    });

    it('refuses to start when master.key is missing but the store exists, and makes no new one', async () => {
      const options = fresh();
      const store = await openPostgresKeyStore(options);
      await store.create('m_wrappedUnderOld');
      await store.close();
      rmSync(options.masterKeyPath);
      await assert.rejects(openPostgresKeyStore(options), (error) => {
        assert.ok(error instanceof KeyFileError);
        assert.equal(error.reason, 'missing');
        return true;
      });
    });

    it('fails with StorageUnavailableError when the database cannot be reached', async () => {
      await assert.rejects(
        openPostgresKeyStore({
          url: 'postgres://postgres@127.0.0.1:1/test',
          masterKeyPath: join(base, 'unreachable', 'master.key'),
          connectTimeoutMs: 2000,
        }),
        StorageUnavailableError,
      );
    });
  });
});
