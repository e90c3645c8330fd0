import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event } from '@retract/protocol';
import { ApiError, createClient, type RetractClient } from '../src/index.js';
import { registerAndLogin, startTestServer, type TestServer } from '../../server/test/support/harness.js';

/** A minimal PNG the server recognises: the signature, then an IHDR chunk header. */
const png = new Uint8Array(
  Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from([0, 0, 0, 13]),
    Buffer.from('IHDR'),
    Buffer.alloc(200, 7),
  ]),
);
/** Every byte value, so a download that decoded or re-encoded anything would not match. */
const file = Uint8Array.from({ length: 512 }, (_, i) => i % 256);

async function bytesOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/** The events after `after` in the user's sync, oldest first. */
async function eventsOf(client: RetractClient, after = 0): Promise<Event[]> {
  return (await client.http.sync({ after })).events;
}

/**
 * The HttpApi calls outside plain JSON (raw uploads, binary downloads) and the receipts and timer calls,
 * against a real server, with the Node global fetch the SDK uses by default.
 */
describe('HttpApi against a server', () => {
  let t: TestServer;
  let alice: RetractClient;
  let bob: RetractClient;
  let directId: string;
  let groupId: string;

  before(async () => {
    t = await startTestServer({ windowSeconds: 120 });
    const a = await registerAndLogin(t.url, 'alice');
    const b = await registerAndLogin(t.url, 'bob');
    alice = createClient({ baseUrl: t.url, token: a.token });
    bob = createClient({ baseUrl: t.url, token: b.token });
    directId = (await alice.http.createConversation({ kind: 'direct', members: ['bob'] })).conversation.id;
    groupId = (await alice.http.createConversation({ kind: 'group', members: ['bob'] })).conversation.id;
  });

  after(async () => {
    await t?.close();
  });

  it('uploads an image and a file and downloads them byte for byte, typed', async () => {
    const image = await alice.http.uploadAttachment(new Blob([png]), { kind: 'image', name: 'dot.png' });
    assert.equal(image.kind, 'image');
    assert.equal(image.attachment.mime, 'image/png');
    assert.equal(image.attachment.name, 'dot.png');
    const doc = await alice.http.uploadAttachment(file.buffer, { kind: 'file', name: 'bytes.bin' });
    assert.equal(doc.kind, 'file');
    assert.equal(doc.attachment.size, file.byteLength);

    // Both must be part of a message before anyone else may read them.
    for (const { attachment, kind } of [image, doc]) {
      await alice.http.sendMessage(directId, {
        clientMsgId: `att-${attachment.id}`,
        type: kind,
        attachmentId: attachment.id,
      });
    }
    for (const reader of [alice, bob]) {
      const gotImage = await reader.http.downloadAttachment(image.attachment.id);
      assert.equal(gotImage.type, 'image/png');
      assert.deepEqual(await bytesOf(gotImage), png);
      const gotFile = await reader.http.downloadAttachment(doc.attachment.id);
      assert.equal(gotFile.type, doc.attachment.mime);
      assert.deepEqual(await bytesOf(gotFile), file);
    }
  });

  it('refuses an image upload that is not one, with the stable code', async () => {
    await assert.rejects(
      alice.http.uploadAttachment(file, { kind: 'image', name: 'fake.png' }),
      (error) => error instanceof ApiError && error.code === 'attachment_type_mismatch',
    );
  });

  it('answers attachment_gone for the file of a recalled message', async () => {
    const { attachment, kind } = await alice.http.uploadAttachment(png, { kind: 'image', name: 'gone.png' });
    const sent = await alice.http.sendMessage(directId, {
      clientMsgId: 'recalled-image',
      type: kind,
      attachmentId: attachment.id,
    });
    assert.deepEqual(await bytesOf(await bob.http.downloadAttachment(attachment.id)), png);
    await alice.http.recall(sent.message.id);
    for (const reader of [alice, bob]) {
      await assert.rejects(reader.http.downloadAttachment(attachment.id), (error) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, 'attachment_gone');
        assert.equal(error.status, 410);
        return true;
      });
    }
  });

  it('sends a read receipt that the other member hears of', async () => {
    const cursor = (await bob.http.me()).cursor;
    const sent = await bob.http.sendMessage(groupId, { clientMsgId: 'to-be-read', body: 'read me' });
    const receipt = await alice.http.markRead(groupId, sent.message.id);
    assert.deepEqual(receipt, { conversationId: groupId, upTo: sent.message.id });
    const read = (await eventsOf(bob, cursor)).find((event) => event.type === 'conversation.read');
    assert.ok(read !== undefined && read.type === 'conversation.read');
    assert.equal(read.conversationId, groupId);
    assert.equal(read.userId, (await alice.http.me()).user.id);
    assert.equal(read.upTo, sent.message.id);
  });

  it('sets, reads and clears the disappearing timer; a member who is not an owner may not', async () => {
    assert.deepEqual(await alice.http.disappearing(groupId), { disappearing: null });
    const setting = { mode: 'after_send', seconds: 300 } as const;
    assert.deepEqual(await alice.http.setDisappearing(groupId, setting), { disappearing: setting });
    assert.deepEqual(await bob.http.disappearing(groupId), { disappearing: setting });

    await assert.rejects(bob.http.setDisappearing(groupId, null), (error) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, 'not_permitted');
      assert.equal(error.isNotPermitted(), true);
      return true;
    });
    assert.deepEqual(await alice.http.disappearing(groupId), { disappearing: setting });

    assert.deepEqual(await alice.http.setDisappearing(groupId, null), { disappearing: null });
    assert.deepEqual(await bob.http.disappearing(groupId), { disappearing: null });
  });
});
