import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Message } from '@retract/protocol';
import {
  MerkleAccumulator,
  canonicalJson,
  exportPublicKey,
  leafHash,
  signCheckpoint,
  type AuditEntry,
} from '../../server/src/core/audit/index.js';
import { call, registerAndLogin, startTestServer } from '../../server/test/support/harness.js';
import { retract } from './run-cli.js';

/**
 * Tampering with a real audit log, caught offline: a server writes a log (recalls, membership, policy),
 * signs checkpoints and stops; copies of its data directory are then edited with SQLite directly — a row
 * updated, deleted, two rows swapped, the tail cut off, the whole log rebuilt with consistent fresh
 * hashes — and `retract audit verify --data-dir` (a child process) must fail, naming the first bad index
 * or the checkpoint that no longer matches, while the untouched copy passes.
 */

const root = mkdtempSync(join(tmpdir(), 'retract-audit-verify-'));
const original = join(root, 'original');
let publishedKey: string;
let size: number;
/** A moderator's recall with a reason: the row the "edit" scenarios change. */
let editedIndex: number;

after(() => rmSync(root, { recursive: true, force: true }));

interface Row {
  idx: number;
  entry: string;
  leaf_hash: string;
  root_after: string;
  conversation_id: string | null;
  message_id: string | null;
}

/** A fresh copy of the original data directory, changed by `tamper` through SQLite. */
function tampered(name: string, tamper: (db: Database.Database) => void): string {
  const dir = join(root, name);
  cpSync(original, dir, { recursive: true });
  const db = new Database(join(dir, 'retract.db'));
  try {
    tamper(db);
  } finally {
    db.close();
  }
  return dir;
}

const rows = (db: Database.Database) => db.prepare('SELECT * FROM audit_log ORDER BY idx').all() as Row[];

/** What an attacker with the database (and no signing key) can do: recompute every hash and the state. */
function rehashAll(db: Database.Database, entries: AuditEntry[]): void {
  const acc = new MerkleAccumulator();
  db.prepare('DELETE FROM audit_log').run();
  const insert = db.prepare(
    'INSERT INTO audit_log (idx, entry, leaf_hash, root_after, conversation_id, message_id) VALUES (?, ?, ?, ?, ?, ?)',
  );
  entries.forEach((entry, index) => {
    const text = canonicalJson({ ...entry, index });
    const hash = leafHash(Buffer.from(text));
    acc.append(hash);
    insert.run(
      index,
      text,
      hash,
      acc.root(),
      entry.target.conversationId ?? null,
      entry.target.messageId ?? null,
    );
  });
  db.prepare('UPDATE audit_state SET size = ?, nodes = ? WHERE id = 1').run(
    acc.size,
    JSON.stringify(acc.state().nodes),
  );
}

const verify = (dir: string, ...extra: string[]) => retract(['audit', 'verify', '--data-dir', dir, ...extra]);

/**
 * Rewrites history consistently: an early recall is made to look like an owner's removal, and every
 * leaf hash, stored root and the saved accumulator are recomputed — all that an attacker without the
 * signing key can do.
 */
function rebuild(db: Database.Database): void {
  const entries = rows(db).map((r) => JSON.parse(r.entry) as AuditEntry);
  const changed = entries[3]!;
  entries[3] = { ...changed, actor: { ...changed.actor, role: 'owner' } };
  rehashAll(db, entries);
}

describe('retract audit verify on a tampered data directory', () => {
  before(async () => {
    const t = await startTestServer({
      dataDir: original,
      config: {
        serverAdmins: ['admin'],
        audit: { checkpointIntervalSeconds: 0 },
        policy: { default: { moderation: { roles: ['owner'], windowSeconds: null, requireReason: true } } },
      },
    });
    const alice = await registerAndLogin(t.url, 'alice');
    const bob = await registerAndLogin(t.url, 'bob');
    const admin = await registerAndLogin(t.url, 'admin');
    const group = await call<{ conversation: { id: string } }>(t.url, 'POST', '/v1/conversations', {
      token: alice.token,
      body: { kind: 'group', members: ['bob'] },
    });
    const send = async (who: typeof alice, text: string) =>
      (
        await call<{ message: Message }>(
          t.url,
          'POST',
          `/v1/conversations/${group.body.conversation.id}/messages`,
          {
            token: who.token,
            body: { clientMsgId: text, body: text },
          },
        )
      ).body.message;
    for (let i = 0; i < 4; i++) {
      const own = await send(alice, `mine ${i}`);
      await call(t.url, 'POST', `/v1/messages/${own.id}/recall`, { token: alice.token, body: {} });
    }
    await call(t.url, 'POST', '/v1/audit/checkpoints', { token: admin.token, body: {} }); // covers the first 6
    for (let i = 0; i < 3; i++) {
      const spam = await send(bob, `spam ${i}`);
      await call(t.url, 'POST', `/v1/messages/${spam.id}/recall`, {
        token: alice.token,
        body: { reason: 'spam' },
      });
    }
    await call(t.url, 'POST', '/v1/audit/checkpoints', { token: admin.token, body: {} }); // covers all
    publishedKey = (await call<{ publicKey: string }>(t.url, 'GET', '/v1/audit/checkpoint')).body.publicKey;
    await t.close();
    const db = new Database(join(original, 'retract.db'), { readonly: true });
    const all = rows(db);
    db.close();
    size = all.length;
    editedIndex = all.findIndex((r) => r.entry.includes('"reason":"spam"'));
    assert.equal(size, 9);
    assert.equal(editedIndex, 6);
  });

  it('passes on the untouched copy, checking the database and the checkpoint file', async () => {
    const run = await verify(
      tampered('untouched', () => undefined),
      '--public-key',
      publishedKey,
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /OK: the log verifies; signed checkpoints cover entries 0\.\.8/);
    assert.match(run.stdout, /2 in the database, 2 in the checkpoint file, 4 matched/);
    const json = await retract(['--json', 'audit', 'verify', '--data-dir', join(root, 'untouched')]);
    assert.equal(json.code, 0);
    assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true);
  });

  it('fails on an edited row and names it', async () => {
    const dir = tampered('edited', (db) =>
      db
        .prepare(`UPDATE audit_log SET entry = replace(entry, '"spam"', '"ham!"') WHERE idx = ?`)
        .run(editedIndex),
    );
    const run = await verify(dir);
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      new RegExp(`FAILED: the log does not verify; first bad index ${editedIndex}\\b`),
    );
    assert.match(run.stdout, /\[entry_hash_mismatch\] entry 6 no longer hashes/);
  });

  it('fails on an edited row whose leaf hash was recomputed too', async () => {
    const dir = tampered('edited-rehashed', (db) => {
      const row = rows(db)[editedIndex]!;
      const entry = row.entry.replace('"spam"', '"ham!"');
      db.prepare('UPDATE audit_log SET entry = ?, leaf_hash = ? WHERE idx = ?').run(
        entry,
        leafHash(Buffer.from(entry)),
        editedIndex,
      );
    });
    const run = await verify(dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, new RegExp(`first bad index ${editedIndex}\\b`));
    assert.match(run.stdout, /\[root_mismatch\] entry 6:/);
  });

  it('fails on a deleted row and names where the gap is', async () => {
    const run = await verify(
      tampered('deleted', (db) => db.prepare('DELETE FROM audit_log WHERE idx = 3').run()),
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /first bad index 3\b/);
    assert.match(run.stdout, /\[index_gap\] position 3: expected the row with index 3, found 4/);
  });

  it('fails on two rows swapped and names the first', async () => {
    const dir = tampered('swapped', (db) => {
      const all = rows(db);
      const [a, b] = [all[2]!, all[5]!];
      const put = db.prepare('UPDATE audit_log SET entry = ?, leaf_hash = ?, root_after = ? WHERE idx = ?');
      put.run(b.entry, b.leaf_hash, b.root_after, a.idx);
      put.run(a.entry, a.leaf_hash, a.root_after, b.idx);
    });
    const run = await verify(dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /first bad index 2\b/);
    assert.match(run.stdout, /\[index_gap\] row 2: its entry claims index 5/);
  });

  it('fails on a truncated tail, naming the first missing index and the checkpoint that covered it', async () => {
    const run = await verify(
      tampered('truncated', (db) => db.prepare('DELETE FROM audit_log WHERE idx >= 7').run()),
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /first bad index 7\b/);
    // The largest checkpoint past the end is named (here the file's copy of it); the others are counted.
    assert.match(run.stdout, /\[truncated\] \(checkpoints\.jsonl line 2\) the log has 7 entries but .* of 9/);
    assert.match(run.stdout, /1 other checkpoint is beyond the end too/);
  });

  it('fails on a log rebuilt with fresh, consistent hashes: the signed checkpoints no longer match', async () => {
    const run = await verify(tampered('rebuilt', rebuild), '--public-key', publishedKey);
    assert.equal(run.code, 1, run.stdout);
    assert.doesNotMatch(run.stdout, /\[(entry_hash_mismatch|root_mismatch|index_gap)\]/, 'consistent hashes');
    // The change is placed before the first checkpoint that no longer matches.
    assert.match(run.stdout, /first bad index 0\b/);
    for (const where of [
      'database checkpoint \\(size 6, [^)]+\\)',
      'database checkpoint \\(size 9, [^)]+\\)',
      'checkpoints\\.jsonl line 1',
      'checkpoints\\.jsonl line 2',
    ]) {
      assert.match(run.stdout, new RegExp(`\\[checkpoint_root_mismatch\\] \\(${where}\\)`), where);
    }

    // The attacker deletes the database's checkpoints too: the checkpoint file still holds them.
    const gone = await verify(
      tampered('rebuilt-no-checkpoints', (db) => {
        rebuild(db);
        db.prepare('DELETE FROM audit_checkpoints').run();
      }),
    );
    assert.equal(gone.code, 1, gone.stdout);
    assert.match(gone.stdout, /\[checkpoint_root_mismatch\] \(checkpoints\.jsonl line 1\)/);
    assert.match(gone.stdout, /\[checkpoint_not_in_database\] checkpoints\.jsonl line 1/);
  });

  it('fails when the rebuilt log is re-signed with another key, given the real one', async () => {
    const forger = generateKeyPairSync('ed25519');
    const dir = tampered('re-signed', (db) => {
      rebuild(db);
      const state = db.prepare('SELECT size, nodes FROM audit_state').get() as {
        size: number;
        nodes: string;
      };
      const acc = MerkleAccumulator.restore({ size: state.size, nodes: JSON.parse(state.nodes) as string[] });
      const forged = signCheckpoint(
        { treeSize: acc.size, rootHash: acc.root(), issuedAt: '2026-01-01T10:00:00.000Z' },
        forger.privateKey,
      );
      db.prepare('DELETE FROM audit_checkpoints').run();
      db.prepare(
        'INSERT INTO audit_checkpoints (tree_size, root_hash, issued_at, key_id, signature) VALUES (?, ?, ?, ?, ?)',
      ).run(forged.treeSize, forged.rootHash, forged.issuedAt, forged.keyId, forged.signature);
    });
    writeFileSync(join(dir, 'audit', 'signing.pub'), `${exportPublicKey(forger.publicKey)}\n`);
    writeFileSync(join(dir, 'audit', 'checkpoints.jsonl'), '');
    // Trusting the key found in the directory, the forgery passes: that is why the key must come from elsewhere.
    assert.equal((await verify(dir)).code, 0);
    const run = await verify(dir, '--public-key', publishedKey);
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stdout, /\[checkpoint_signature_invalid\] \(database checkpoint/);
    // And with the shipped copy of the checkpoint file, the rewrite itself shows.
    const shipped = await verify(
      dir,
      '--public-key',
      publishedKey,
      '--checkpoints',
      join(original, 'audit', 'checkpoints.jsonl'),
    );
    assert.equal(shipped.code, 1);
    assert.match(shipped.stdout, /\[checkpoint_root_mismatch\] \(checkpoints\.jsonl line 2\)/);
  });

  it('fails on a damaged checkpoint file line', async () => {
    const dir = tampered('bad-line', () => undefined);
    const file = join(dir, 'audit', 'checkpoints.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"treeSize":9', '"treeSize":8'));
    const run = await verify(dir);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /\[checkpoint_signature_invalid\] \(checkpoints\.jsonl line 2\)/);
    assert.ok(size > 0);
  });
});
