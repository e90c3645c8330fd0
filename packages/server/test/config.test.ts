import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/config.js';

describe('server configuration', () => {
  it('fills every default', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, './data');
    assert.equal(config.recall.windowSeconds, 120);
    assert.equal(config.storage.synchronous, 'normal');
    assert.equal(config.log.level, 'info');
  });

  it('accepts null (no limit) and 0 (never) as recall windows', () => {
    assert.equal(loadConfig({ recall: { windowSeconds: null } }).recall.windowSeconds, null);
    assert.equal(loadConfig({ recall: { windowSeconds: 0 } }).recall.windowSeconds, 0);
  });

  it('rejects unknown keys, naming each', () => {
    assert.throws(
      () => loadConfig({ prot: 1, recall: { window: 5 } }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((p) => p.includes("'prot'")) &&
        error.problems.some((p) => p.includes('/recall') && p.includes("'window'")),
    );
  });

  it('rejects impossible values', () => {
    for (const bad of [
      { port: 70000 },
      { port: '8080' },
      { recall: { windowSeconds: -1 } },
      { storage: { synchronous: 'off' } },
      { log: { level: 'loud' } },
      { auth: { passwordHashCost: 10 } },
    ]) {
      assert.throws(() => loadConfig(bad), ConfigError, JSON.stringify(bad));
    }
  });

  it('is frozen once loaded, and does not touch its input', () => {
    const input = { recall: { windowSeconds: 60 } };
    const config = loadConfig(input);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.recall));
    assert.deepEqual(input, { recall: { windowSeconds: 60 } });
  });
});
