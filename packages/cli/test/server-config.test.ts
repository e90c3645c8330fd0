import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEnvironment } from '../src/env.js';
import { resolveServerConfig } from '../src/server-config.js';
import { retract } from './run-cli.js';

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

  it('layers the cluster settings: file < RETRACT_STORE/BUS/BLOBS < --store/--bus/--blobs', () => {
    const clusterFile = join(dir, 'cluster.json');
    writeFileSync(
      clusterFile,
      JSON.stringify({
        storage: { url: 'postgres://file-db/retract', synchronous: 'full' },
        bus: { url: 'redis://file-redis:6379', channelPrefix: 'team-a:' },
        blobs: { dir: '/from/file/blobs' },
      }),
    );
    const fromFile = resolveServerConfig({ config: clusterFile }, readEnvironment({}));
    assert.equal(fromFile.storage.url, 'postgres://file-db/retract');
    assert.equal(fromFile.bus.url, 'redis://file-redis:6379');
    assert.equal(fromFile.blobs.dir, '/from/file/blobs');

    const env = readEnvironment({
      RETRACT_CONFIG: clusterFile,
      RETRACT_STORE: 'postgres://env-db/retract',
      RETRACT_BUS: 'redis://env-redis:6379',
      RETRACT_BLOBS: '/from/env/blobs',
    });
    const fromEnv = resolveServerConfig({}, env);
    assert.equal(fromEnv.storage.url, 'postgres://env-db/retract', 'the environment beats the file');
    assert.equal(fromEnv.bus.url, 'redis://env-redis:6379');
    assert.equal(fromEnv.blobs.dir, '/from/env/blobs');
    assert.equal(fromEnv.storage.synchronous, 'full', "the file's other keys in the section are kept");
    assert.equal(fromEnv.bus.channelPrefix, 'team-a:');

    const fromFlags = resolveServerConfig(
      { store: 'postgres://flag-db/retract', bus: 'rediss://flag-redis:6380', blobs: '/from/flags/blobs' },
      env,
    );
    assert.equal(fromFlags.storage.url, 'postgres://flag-db/retract', 'a flag beats the environment');
    assert.equal(fromFlags.bus.url, 'rediss://flag-redis:6380');
    assert.equal(fromFlags.blobs.dir, '/from/flags/blobs');

    // `sqlite:` and `memory:` bring a node back to the embedded parts over a file that names others.
    const back = resolveServerConfig({ store: 'sqlite:', bus: 'memory:' }, env);
    assert.equal(back.storage.url, 'sqlite:');
    assert.equal(back.bus.url, 'memory:');
  });

  it('stays embedded with nothing set; an empty variable counts as unset', () => {
    const config = resolveServerConfig({}, readEnvironment({ RETRACT_STORE: '', RETRACT_BUS: ' ' }));
    assert.equal(config.storage.url, null);
    assert.equal(config.bus.url, null);
    assert.equal(config.blobs.dir, null);
  });

  it('stops at start on an unknown scheme, naming the key and what would do', () => {
    assert.throws(
      () => resolveServerConfig({ store: 'mysql://db/retract' }, readEnvironment({})),
      /\/storage\/url: unsupported scheme 'mysql:'; use 'sqlite:' \(embedded, the default\) or 'postgres:\/\//,
    );
    assert.throws(
      () => resolveServerConfig({}, readEnvironment({ RETRACT_BUS: 'nats://127.0.0.1:4222' })),
      /\/bus\/url: unsupported scheme 'nats:'; use 'memory:' \(in-process, the default\) or 'redis:\/\//,
    );
  });
});

describe('retract serve, as a cluster node', () => {
  it('documents --store, --bus and --blobs and their variables in --help', async () => {
    const help = await retract(['serve', '--help']);
    assert.equal(help.code, 0);
    for (const text of [
      '--store <url>',
      '--bus <url>',
      '--blobs <dir>',
      'RETRACT_STORE',
      'RETRACT_BUS',
      'RETRACT_BLOBS',
    ]) {
      assert.ok(help.stdout.includes(text), `--help mentions ${text}`);
    }
  });

  it('exits 1 with the reason on an unknown scheme, and on a bus it cannot reach', async () => {
    const data = join(dir, 'node');
    const scheme = await retract(['serve', '--data', data, '--port', '0', '--store', 'mysql://db/retract']);
    assert.equal(scheme.code, 1);
    assert.match(scheme.stderr, /unsupported scheme 'mysql:'/);
    const unreachable = await retract(['serve', '--data', data, '--port', '0'], {
      RETRACT_BUS: 'redis://:hunter2@127.0.0.1:1',
      RETRACT_LOG_LEVEL: 'silent',
    });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach the bus at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
    assert.doesNotMatch(unreachable.stderr, /hunter2/);
  });
});
