import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Message } from '@retract/protocol';
import { call, registerAndLogin, startTestServer, type Login, type TestServer } from './support/harness.js';

/** A minimal valid PNG: signature and an IHDR chunk header — enough for the server to know it. */
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from([0, 0, 0, 13]),
  Buffer.from('IHDR'),
  Buffer.alloc(200, 7),
]);
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x41)]);

interface UploadReply {
  attachment: { id: string; mime: string };
  error: { code: string; details: Record<string, unknown> };
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('attachments', () => {
  let t: TestServer;
  let alice: Login;
  let bob: Login;
  let eve: Login;
  let groupId: string;

  const upload = (who: Login, kind: string, bytes: Buffer, name = 'photo.png') =>
    fetch(`${t.url}/v1/attachments?kind=${kind}&name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/octet-stream' },
      body: new Blob([new Uint8Array(bytes)]),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as UploadReply }));
  const download = (who: Login, id: string) =>
    fetch(`${t.url}/v1/attachments/${id}`, { headers: { authorization: `Bearer ${who.token}` } });

  before(async () => {
    t = await startTestServer({
      config: { attachments: { maxBytes: 64 * 1024 }, policy: { default: { preset: 'wechat' } } },
    });
    alice = await registerAndLogin(t.url, 'alice');
    bob = await registerAndLogin(t.url, 'bob');
    eve = await registerAndLogin(t.url, 'eve');
    const created = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    groupId = created.body.conversation.id;
  });
  after(() => t.close());

  it('sends an image that members can download and others cannot see', async () => {
    const uploaded = await upload(alice, 'image', png);
    assert.equal(uploaded.status, 201);
    assert.equal(uploaded.body.attachment.mime, 'image/png', 'the type comes from the bytes');
    const id = uploaded.body.attachment.id;

    const sent = await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'img-1', type: 'image', attachmentId: id, body: 'look' },
    });
    assert.equal(sent.status, 201);
    assert.equal(sent.body.message.attachment?.id, id);

    const forBob = await download(bob, id);
    assert.equal(forBob.status, 200);
    assert.equal(forBob.headers.get('content-type'), 'image/png');
    assert.equal(forBob.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual(Buffer.from(await forBob.arrayBuffer()), png);

    const forEve = await download(eve, id);
    assert.equal(forEve.status, 404, 'a non-member learns nothing');
    assert.equal(((await forEve.json()) as { error: { code: string } }).error.code, 'not_found');

    const reused = await call<{ error: { code: string } }>(
      t.url,
      'POST',
      `/v1/conversations/${groupId}/messages`,
      {
        token: alice.token,
        body: { clientMsgId: 'img-2', type: 'image', attachmentId: id },
      },
    );
    assert.equal(reused.body.error.code, 'attachment_invalid', 'one upload, one message');
  });

  it('deletes the file from disk on recall, and the URL answers 410 ever after', async () => {
    const uploaded = await upload(alice, 'file', pdf, 'contract.pdf');
    const id = uploaded.body.attachment.id;
    const sent = await call<{ message: Message }>(t.url, 'POST', `/v1/conversations/${groupId}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'file-1', type: 'file', attachmentId: id },
    });
    const blobs = join(t.dataDir, 'blobs');
    const before = filesUnder(blobs).length;
    assert.equal((await download(bob, id)).status, 200);

    t.clock.advance(60 * 60_000); // an hour later: past text's 2 minutes, inside wechat's 3 hours for files
    const recalled = await call(t.url, 'POST', `/v1/messages/${sent.body.message.id}/recall`, {
      token: alice.token,
    });
    assert.equal(recalled.status, 200);
    assert.equal(filesUnder(blobs).length, before - 1, 'the blob file is gone from disk');

    const gone = await download(bob, id);
    assert.equal(gone.status, 410);
    assert.equal(((await gone.json()) as { error: { code: string } }).error.code, 'attachment_gone');
    assert.equal((await download(eve, id)).status, 404, 'still nothing for a non-member');
    const page = await call<{ messages: Message[] }>(t.url, 'GET', `/v1/conversations/${groupId}/messages`, {
      token: bob.token,
    });
    const tombstone = page.body.messages.find((m) => m.id === sent.body.message.id);
    assert.equal(tombstone?.attachment, undefined, 'the tombstone carries no attachment');
    assert.ok(!JSON.stringify(page.body).includes('contract.pdf'), 'not even its name');
  });

  it('refuses an upload that lies about its type, or is too large, with clear codes and nothing stored', async () => {
    const blobs = join(t.dataDir, 'blobs');
    const before = filesUnder(blobs).length;
    const lie = await upload(alice, 'image', pdf, 'not-an-image.png');
    assert.equal(lie.status, 415);
    assert.equal(lie.body.error.code, 'attachment_type_mismatch');
    assert.equal(lie.body.error.details['found'], 'application/pdf');

    const huge = await upload(alice, 'file', Buffer.alloc(65 * 1024, 1), 'big.bin');
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'attachment_too_large');
    assert.equal(filesUnder(blobs).length, before, 'nothing was kept of either');

    const json = await call<{ error: { code: string } }>(t.url, 'POST', '/v1/attachments?kind=file', {
      token: alice.token,
      body: { not: 'bytes' },
    });
    assert.equal(json.body.error.code, 'unsupported_media_type');
  });
});
