import { generateKeyPairSync } from 'node:crypto';
import {
  MerkleAccumulator,
  entryLeafHash,
  rootOf,
  signCheckpoint,
  type AuditEntry,
  type SignedCheckpoint,
  type StoredAuditRow,
} from '../../src/core/audit/index.js';

/** The server's signing key, and a stranger's. */
export const serverKey = generateKeyPairSync('ed25519');
export const otherKey = generateKeyPairSync('ed25519');

const t0 = Date.UTC(2025, 0, 1);

export function makeEntry(index: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    index,
    kind: index % 4 === 3 ? 'policy.changed' : 'message.recalled',
    at: new Date(t0 + index * 1000).toISOString(),
    actor: { userId: `u_${index % 3}`, role: index % 2 === 0 ? 'sender' : 'admin' },
    target: { conversationId: 'c_1', messageId: `m_${index}` },
    reason: index % 2 === 0 ? null : 'spam',
    requestId: `req_${index}`,
    details: { windowSeconds: 120, preset: 'wechat' },
    ...over,
  };
}

export const makeEntries = (n: number): AuditEntry[] => Array.from({ length: n }, (_, i) => makeEntry(i));

/** What the writer stores: each entry with its leaf hash and the root right after appending it. */
export function writeRows(entries: readonly AuditEntry[]): StoredAuditRow[] {
  const acc = new MerkleAccumulator();
  return entries.map((entry) => {
    const leafHash = entryLeafHash(entry);
    acc.append(leafHash);
    return { index: entry.index, entry, leafHash, rootAfter: acc.root() };
  });
}

/** A checkpoint over the first `size` entries, signed by the server (or `key`). */
export function checkpointOf(
  entries: readonly AuditEntry[],
  size: number,
  key = serverKey.privateKey,
): SignedCheckpoint {
  const rootHash = rootOf(entries.slice(0, size).map(entryLeafHash));
  return signCheckpoint(
    { treeSize: size, rootHash, issuedAt: new Date(t0 + size * 1000).toISOString() },
    key,
  );
}

/** Flips one bit of a hex string (bit `bit` of byte `byte`), keeping it lowercase hex. */
export function flipHexBit(hex: string, byte = 0, bit = 0): string {
  const bytes = Buffer.from(hex, 'hex');
  bytes[byte % bytes.length] = (bytes[byte % bytes.length] as number) ^ (1 << (bit % 8));
  return bytes.toString('hex');
}
