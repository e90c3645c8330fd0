import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openFsBlobStore } from '../../src/blobs/fs/fs-blob-store.js';
import { sealedBlobStore } from '../../src/blobs/sealed/sealed-blob-store.js';
import { openSqliteKeyStore } from '../../src/keys/sqlite/sqlite-key-store.js';
import { blobStoreContract } from './contract.js';

const base = mkdtempSync(join(tmpdir(), 'retract-sealed-blobs-'));
after(() => rmSync(base, { recursive: true, force: true }));
let dirs = 0;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function openSealed() {
  const dir = join(base, `store-${++dirs}`);
  const keys = await openSqliteKeyStore({
    path: join(dir, 'keys', 'keys.db'),
    masterKeyPath: join(dir, 'keys', 'master.key'),
  });
  const blobDir = join(dir, 'blobs');
  const inner = await openFsBlobStore({ dir: blobDir });
  const store = sealedBlobStore(inner, keys);
  return {
    store: { ...store, close: async () => (await store.close(), await keys.close()) },
    keys,
    blobDir,
    listFiles: () => filesUnder(blobDir),
  };
}

blobStoreContract({ name: 'sealed over fs', open: openSealed });

describe('sealed blob store', () => {
  it('keeps only ciphertext on disk, and after delete neither the file nor its key remain', async () => {
    const { store, keys, blobDir, listFiles } = await openSealed();
    const canary = Buffer.from(`canary-${randomBytes(8).toString('hex')}`);
    const plain = Buffer.concat([randomBytes(100), canary, randomBytes(100)]);
    const id = 'a_sealedcanary1';
    const stored = await store.put(id, plain, { maxBytes: 1024 });
    assert.equal(stored.size, plain.length, 'size describes the plain file');
    const [file] = await listFiles();
    assert.ok(file);
    const onDisk = await readFile(join(blobDir, file));
    assert.equal(onDisk.includes(canary), false, 'the medium holds no plain bytes');
    assert.equal(onDisk.length, plain.length + 29);
    const opened = await store.open(id);
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.stream) chunks.push(chunk as Buffer);
    assert.deepEqual(Buffer.concat(chunks), plain);

    assert.equal(await store.delete(id), true);
    assert.equal(await keys.get(id), null, 'its key is destroyed');
    assert.deepEqual(await listFiles(), []);
    await store.close();
  });

  it('treats a file whose key was destroyed as gone', async () => {
    const { store, keys } = await openSealed();
    const id = 'a_orphanedfile1';
    await store.put(id, Buffer.from('hello'), { maxBytes: 1024 });
    await keys.destroy([id]);
    assert.equal(await store.open(id), null);
    await store.close();
  });
});
