import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from '../src/env.js';
import { resolveServerConfig } from '../src/server-config.js';

const dir = mkdtempSync(join(tmpdir(), 'retract-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('retract serve configuration', () => {
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({ port: 9000, dataDir: '/from/file', policy: { default: { preset: 'dingtalk' } } }),
  );

  it('layers defaults < file < environment < flags', () => {
    const env = readEnvironment({ RETRACT_CONFIG: file, RETRACT_PORT: '9100', RETRACT_LOG_LEVEL: 'warn' });
    const config = resolveServerConfig({ port: '9200' }, env);
    assert.equal(config.port, 9200, 'flag wins');
    assert.equal(config.dataDir, '/from/file', 'file value kept where nothing overrides it');
    assert.equal(config.policy.default.preset, 'dingtalk');
    assert.equal(config.log.level, 'warn', 'environment applies');
    assert.equal(resolveServerConfig({}, env).port, 9100, 'environment beats the file');
  });

  it('reads an unlimited window from the environment', () => {
    const env = readEnvironment({ RETRACT_RECALL_WINDOW_SECONDS: 'null' });
    const windows = resolveServerConfig({}, env).policy.default.windows;
    assert.equal(windows?.direct, null);
    assert.equal(windows?.group, null);
  });

  it('stops on a bad port, an unreadable file, or a file with unknown keys', () => {
    assert.throws(
      () => resolveServerConfig({ port: 'eighty' }, readEnvironment({})),
      /port must be an integer/,
    );
    assert.throws(
      () => resolveServerConfig({ config: join(dir, 'missing.json') }, readEnvironment({})),
      /cannot read config file/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ prot: 8080 }));
    assert.throws(() => resolveServerConfig({ config: bad }, readEnvironment({})), /'prot'/);
  });
});
