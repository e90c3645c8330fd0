import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';

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
});
