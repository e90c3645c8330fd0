import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openFsBlobStore } from '../../src/blobs/fs/fs-blob-store.js';
import { blobStoreContract } from './contract.js';

const base = mkdtempSync(join(tmpdir(), 'retract-blobs-'));
after(() => rmSync(base, { recursive: true, force: true }));

let dirs = 0;
const freshDir = () => join(base, `store-${++dirs}`);

/** Every file under `dir`, as paths relative to it (directories themselves are not listed). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

blobStoreContract({
  name: 'fs',
  open: async () => {
    const dir = freshDir();
    return { store: await openFsBlobStore({ dir }), listFiles: () => filesUnder(dir) };
  },
});

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');
const posix = process.platform !== 'win32';

describe('fs blob store: layout on disk', () => {
  it('names each file by the SHA-256 of its id, fanned out by its first two hex digits', async () => {
    const dir = freshDir();
    const store = await openFsBlobStore({ dir });
    const id = 'a_layoutTest01';
    const data = randomBytes(100);
    await store.put(id, data, { maxBytes: 100 });
    const h = hashOf(id);
    assert.deepEqual(await filesUnder(dir), [join(h.slice(0, 2), h)]);
    assert.ok((await readFile(join(dir, h.slice(0, 2), h))).equals(data));
    await store.close();
  });

  it('keeps ids that differ only in case apart (safe on case-insensitive file systems)', async () => {
    const dir = freshDir();
    const store = await openFsBlobStore({ dir });
    await store.put('a_CaseTest', new Uint8Array([1]), { maxBytes: 1 });
    await store.put('a_casetest', new Uint8Array([2]), { maxBytes: 1 });
    assert.equal((await filesUnder(dir)).length, 2);
    assert.equal(await store.delete('a_casetest'), true);
    assert.equal(await store.exists('a_CaseTest'), true);
    await store.close();
  });

  it('makes its directories 0700 (an existing one too) and its files 0600', { skip: !posix }, async () => {
    const dir = freshDir();
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const store = await openFsBlobStore({ dir });
    const id = 'a_modeTest01';
    await store.put(id, randomBytes(10), { maxBytes: 10 });
    const h = hashOf(id);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, h.slice(0, 2)))).mode & 0o777, 0o700);
    assert.equal((await stat(join(dir, h.slice(0, 2), h))).mode & 0o777, 0o600);
    await store.close();
  });

  it('creates a missing directory with its parents', async () => {
    const dir = join(freshDir(), 'nested', 'blobs');
    const store = await openFsBlobStore({ dir });
    await store.put('a_nestedDir1', new Uint8Array([7]), { maxBytes: 1 });
    assert.equal((await filesUnder(dir)).length, 1);
    await store.close();
  });
});

describe('fs blob store: crash leftovers and hostile files', () => {
  it('removes stale temporary files when it opens, and leaves young ones to their writer', async () => {
    const dir = freshDir();
    const h = hashOf('a_crashedUpload');
    const sub = join(dir, h.slice(0, 2));
    await mkdir(sub, { recursive: true });
    const stale = join(sub, `${h}.tmp-0123456789abcdef`);
    const young = join(sub, `${h}.tmp-fedcba9876543210`);
    await writeFile(stale, 'half an upload');
    await writeFile(young, 'an upload in progress elsewhere');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    const store = await openFsBlobStore({ dir });
    assert.deepEqual(await filesUnder(dir), [relative(dir, young)]);
    await store.close();
    await (await openFsBlobStore({ dir, staleTempMs: 0 })).close();
    assert.deepEqual(await filesUnder(dir), []);
  });

  it('refuses to follow a symlink planted where a blob would be', { skip: !posix }, async () => {
    const dir = freshDir();
    const store = await openFsBlobStore({ dir });
    const outside = join(base, `secret-${dirs}`);
    await writeFile(outside, 'not a blob');
    const h = hashOf('a_symlinked1');
    await mkdir(join(dir, h.slice(0, 2)), { recursive: true });
    await symlink(outside, join(dir, h.slice(0, 2), h));
    await assert.rejects(store.open('a_symlinked1'), { code: 'ELOOP' });
    await store.close();
  });

  it('lets a stream opened before a delete read to its end (an open file outlives its name)', async () => {
    const dir = freshDir();
    const store = await openFsBlobStore({ dir });
    const data = randomBytes(64 * 1024);
    await store.put('a_openThenDel', data, { maxBytes: data.length });
    const opened = await store.open('a_openThenDel');
    assert.ok(opened);
    assert.equal(await store.delete('a_openThenDel'), true);
    assert.deepEqual(await filesUnder(dir), []);
    const parts: Buffer[] = [];
    for await (const chunk of opened.stream) parts.push(chunk as Buffer);
    assert.ok(Buffer.concat(parts).equals(data));
    await store.close();
  });
});
