import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { busBackendOf, ConfigError, loadConfig, storageBackendOf } from '../src/config.js';

describe('server configuration', () => {
  it('fills every default', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, './data');
    assert.deepEqual(config.policy.default, {});
    assert.deepEqual(config.serverAdmins, []);
    assert.equal(config.storage.synchronous, 'normal');
    assert.equal(config.log.level, 'info');
  });

  it('accepts null (no limit) and 0 (never) as recall windows', () => {
    const config = loadConfig({ policy: { default: { windows: { direct: null, group: 0 } } } });
    assert.deepEqual(config.policy.default.windows, { direct: null, group: 0 });
  });

  it('rejects an invalid policy document with its path', () => {
    assert.throws(
      () => loadConfig({ policy: { group: { moderation: { windowSeconds: -5 } } } }),
      (error: unknown) =>
        error instanceof ConfigError && error.problems.some((p) => p.startsWith('/policy/group')),
    );
  });

  it('rejects unknown keys, naming each', () => {
    assert.throws(
      () => loadConfig({ prot: 1, storage: { window: 5 } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.includes("'prot'")) &&
        error.problems.some((p) => p.includes('/storage') && p.includes("'window'")),
    );
  });

  it('rejects impossible values', () => {
    for (const bad of [
      { port: 70000 },
      { port: '8080' },
      { policy: { default: { windows: { direct: -1 } } } },
      { policy: { default: { preset: 'icq' } } },
      { serverAdmins: 'alice' },
      { storage: { synchronous: 'off' } },
      { log: { level: 'loud' } },
      { auth: { passwordHashCost: 10 } },
    ]) {
      assert.throws(() => loadConfig(bad), ConfigError, JSON.stringify(bad));
    }
  });

  it('is frozen once loaded, and does not touch its input', () => {
    const input = { policy: { default: { preset: 'feishu' } } };
    const config = loadConfig(input);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.policy.default));
    assert.deepEqual(input, { policy: { default: { preset: 'feishu' } } });
  });

  it('is one embedded node by default: SQLite, the in-process bus, blobs in the data directory', () => {
    const config = loadConfig({});
    assert.equal(config.storage.url, null);
    assert.equal(config.bus.url, null);
    assert.equal(config.blobs.dir, null);
    assert.equal(storageBackendOf(config), 'sqlite');
    assert.equal(busBackendOf(config), 'memory');
    assert.equal(storageBackendOf(loadConfig({ storage: { url: 'sqlite:' } })), 'sqlite');
    assert.equal(busBackendOf(loadConfig({ bus: { url: 'memory:' } })), 'memory');
  });

  it('selects PostgreSQL and Redis by URL scheme', () => {
    const config = loadConfig({
      storage: { url: 'postgresql://retract:pw@db.internal:5432/retract', schema: 'chat' },
      bus: { url: 'rediss://:pw@redis.internal:6380/0' },
      encryption: { keyStoreUrl: 'postgres://keys:pw@keys.internal/retract_keys' },
    });
    assert.equal(storageBackendOf(config), 'postgres');
    assert.equal(busBackendOf(config), 'redis');
    assert.equal(config.bus.channelPrefix, 'retract:');
  });

  it('rejects unknown schemes and mismatched keys with a clear message, never echoing the URL', () => {
    const problemsOf = (input: unknown): readonly string[] => {
      try {
        loadConfig(input);
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
      return [];
    };
    const storage = problemsOf({ storage: { url: 'mysql://root:secret@db/retract' } });
    assert.deepEqual(storage, [
      "/storage/url: unsupported scheme 'mysql:'; use 'sqlite:' (embedded, the default) or 'postgres://user:password@host:5432/database'",
    ]);
    assert.match(
      problemsOf({ bus: { url: 'nats://127.0.0.1:4222' } })[0]!,
      /^\/bus\/url: unsupported scheme 'nats:'; use 'memory:'.*'redis:\/\/host:6379'/,
    );
    assert.match(
      problemsOf({ bus: { url: '127.0.0.1:6379' } })[0]!,
      /^\/bus\/url: no URL scheme; use 'memory:'/,
    );
    assert.match(problemsOf({ storage: { url: '/var/lib/retract' } })[0]!, /^\/storage\/url: no URL scheme/);
    assert.match(problemsOf({ storage: { url: 'sqlite:/tmp/x.db' } })[0]!, /'sqlite:' takes no path/);
    assert.match(
      problemsOf({ storage: { url: 'postgres://' } })[0]!,
      /^\/storage\/url: the URL names no host/,
    );
    assert.match(
      problemsOf({ encryption: { keyStoreUrl: 'postgres://h/k' } })[0]!,
      /needs PostgreSQL storage/,
    );
    assert.match(problemsOf({ storage: { schema: 'chat' } })[0]!, /applies to PostgreSQL storage only/);
    assert.match(
      problemsOf({ storage: { url: 'postgres://h/db' }, encryption: { keyStorePath: '/k.db' } })[0]!,
      /keyStorePath: applies to the embedded store only/,
    );
    assert.match(
      problemsOf({ storage: { url: 'postgres://h/db' }, encryption: { keyStoreUrl: 'redis://h' } })[0]!,
      /keyStoreUrl: must be a 'postgres:\/\/' URL/,
    );
    assert.ok(problemsOf({ storage: { url: 'postgres://h/db', schema: 'Bad-Name' } }).length > 0);
    assert.ok(problemsOf({ blobs: { directory: '/x' } }).some((p) => p.includes("'directory'")));
    for (const p of [...storage, ...problemsOf({ storage: { url: 'postgres://' } })]) {
      assert.doesNotMatch(p, /secret|root/);
    }
  });
});
