import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './support/harness.js';

describe('serving the web client', () => {
  let dir: string;
  let t: TestServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'retract-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>web client</title>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1);');
    t = await startTestServer({ config: { web: { dir } } });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and revalidates it every time', async () => {
    const response = await fetch(`${t.url}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /web client/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
  });

  it('serves hashed assets as immutable', async () => {
    const response = await fetch(`${t.url}/assets/index-abc123.js`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    assert.match(response.headers.get('content-type') ?? '', /javascript/);
  });

  it('leaves the API alone and answers unknown paths with the registry 404', async () => {
    const health = await fetch(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    const missing = await fetch(`${t.url}/nothing-here.js`);
    assert.equal(missing.status, 404);
    const traversal = await fetch(`${t.url}/..%2f..%2fetc%2fpasswd`);
    assert.ok(traversal.status === 404 || traversal.status === 403 || traversal.status === 400);
  });
});

describe('without a web client build', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('shows the placeholder page', async () => {
    const response = await fetch(`${t.url}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /Retract is running/);
  });
});
