import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import type { api } from '@retract/protocol';
// The server's own audit core is the reference the browser port must agree with.
import {
  MerkleAccumulator,
  buildBundle,
  canonicalJson as serverCanonicalJson,
  entryLeafHash as serverLeafHash,
  exportPublicKey,
  inclusionProof,
  signCheckpoint,
  type AuditEntry,
} from '../../server/src/core/audit/index.js';
import {
  canonicalJson,
  entryLeafHash,
  verifyAuditLog,
  verifyCheckpointSignature,
  verifyEvidenceBundle,
  verifyInclusion,
  type AuditSource,
} from '../src/admin/audit-verify.js';

const key = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

function makeEntry(index: number): AuditEntry {
  return {
    index,
    kind: index % 3 === 0 ? 'policy.changed' : 'message.recalled',
    at: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
    actor: { userId: `u_${index % 4}`, role: index % 2 === 0 ? 'sender' : 'admin' },
    target: { conversationId: 'c_1', messageId: `m_${index}` },
    reason: index % 5 === 0 ? 'spam — «引号»' : null,
    requestId: `req_${index}`,
    details: { windowSeconds: 120, preset: 'wechat', flagged: index % 2 === 0, ratio: 0.5 },
  };
}

function makeLog(n: number) {
  const entries = Array.from({ length: n }, (_, i) => makeEntry(i));
  const leafHashes = entries.map(serverLeafHash);
  const acc = new MerkleAccumulator();
  const rows = entries.map((entry, i) => {
    acc.append(leafHashes[i]!);
    return { entry, leafHash: leafHashes[i]!, rootAfter: acc.root() };
  });
  const checkpoint = signCheckpoint(
    { treeSize: n, rootHash: acc.root(), issuedAt: '2026-01-02T00:00:00.000Z' },
    key.privateKey,
  );
  return { entries, leafHashes, rows, checkpoint, publicKey: exportPublicKey(key.publicKey) };
}

/** Serves a log the way the API does, optionally tampered with. */
function source(log: ReturnType<typeof makeLog>, rows = log.rows): AuditSource {
  return {
    async auditEntries(query) {
      const from = query.from ?? 0;
      const limit = query.limit ?? 100;
      const page = rows.slice(from, from + limit) as api.AuditEntriesPage['entries'];
      const next = from + page.length;
      return { entries: page, size: rows.length, nextFrom: next < rows.length ? next : null };
    },
    async auditInclusionProof(index, treeSize) {
      return {
        index,
        treeSize,
        leafHash: log.leafHashes[index]!,
        proof: inclusionProof(log.leafHashes, index, treeSize),
      };
    },
  };
}

describe('browser audit verification agrees with the server core', () => {
  test('canonical JSON and leaf hashes match', async () => {
    for (let i = 0; i < 12; i++) {
      const entry = makeEntry(i);
      assert.equal(canonicalJson(entry), serverCanonicalJson(entry));
      assert.equal(await entryLeafHash(entry), serverLeafHash(entry));
    }
  });

  test('the checkpoint signature verifies with WebCrypto Ed25519, and a stranger key does not', async () => {
    const log = makeLog(5);
    assert.equal(await verifyCheckpointSignature(log.checkpoint, log.publicKey), 'valid');
    assert.equal(
      await verifyCheckpointSignature(log.checkpoint, exportPublicKey(other.publicKey)),
      'invalid',
    );
    assert.equal(
      await verifyCheckpointSignature({ ...log.checkpoint, treeSize: 6 }, log.publicKey),
      'invalid',
      'any change to the signed fields breaks it',
    );
    assert.equal(
      await verifyCheckpointSignature({ ...log.checkpoint, signature: 'nope' }, log.publicKey),
      'invalid',
    );
  });

  test('inclusion proofs from the server verify, for every leaf and tree size', async () => {
    const log = makeLog(13);
    for (let size = 1; size <= 13; size++) {
      const acc = new MerkleAccumulator();
      for (const h of log.leafHashes.slice(0, size)) acc.append(h);
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(log.leafHashes, index, size);
        assert.ok(
          await verifyInclusion(log.leafHashes[index]!, index, size, proof, acc.root()),
          `${index}/${size}`,
        );
        if (size > 1) {
          assert.equal(
            await verifyInclusion(log.leafHashes[(index + 1) % size]!, index, size, proof, acc.root()),
            false,
          );
        }
      }
    }
  });

  test('replaying an honest log gives the checkpoint root', async () => {
    for (const n of [0, 1, 2, 7, 64, 250]) {
      const log = makeLog(n);
      const result = await verifyAuditLog(source(log), log.checkpoint, log.publicKey);
      assert.equal(result.signature, 'valid');
      assert.deepEqual(
        result.log,
        { mode: 'replay', checked: n, badEntries: [], rootMatches: true },
        `n=${n}`,
      );
    }
  });

  test('an edited entry is found and the root no longer matches', async () => {
    const log = makeLog(20);
    const rows = log.rows.map((row, i) =>
      i === 7 ? { ...row, entry: { ...row.entry, reason: 'rewritten' } } : row,
    );
    const result = await verifyAuditLog(source(log, rows), log.checkpoint, log.publicKey);
    assert.deepEqual(result.log.badEntries, [7]);
    assert.equal(result.log.rootMatches, false);
  });

  test('a log past the replay limit is sampled with inclusion proofs', async () => {
    const log = makeLog(40);
    const result = await verifyAuditLog(source(log), log.checkpoint, log.publicKey, {
      maxReplay: 10,
      sampleSize: 5,
    });
    assert.deepEqual(result.log, { mode: 'sample', checked: 5, badEntries: [], rootMatches: true });
    const rows = log.rows.map((row, i) =>
      i === 38 ? { ...row, entry: { ...row.entry, kind: 'member.added' as const } } : row,
    );
    const tampered = await verifyAuditLog(source(log, rows), log.checkpoint, log.publicKey, {
      maxReplay: 10,
      sampleSize: 5,
    });
    assert.deepEqual(tampered.log.badEntries, [38]);
    assert.equal(tampered.log.rootMatches, false);
  });

  test('an evidence bundle the server builds verifies offline', async () => {
    const log = makeLog(9);
    const bundle = buildBundle({
      checkpoint: log.checkpoint,
      publicKey: key.publicKey,
      entries: [log.entries[2]!, log.entries[5]!],
      leafHashes: log.leafHashes,
      createdAt: '2026-01-03T00:00:00.000Z',
    }) as unknown as api.EvidenceBundle;
    assert.deepEqual(await verifyEvidenceBundle(bundle), { signature: 'valid', entries: 2, badEntries: [] });
    const forged = structuredClone(bundle);
    forged.entries[1]!.entry.reason = 'forged';
    assert.deepEqual((await verifyEvidenceBundle(forged)).badEntries, [5]);
  });
});
