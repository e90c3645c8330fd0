import type { api } from '@retract/protocol';

/**
 * Audit log verification in the browser, with WebCrypto only. The server's audit core
 * (packages/server/src/core/audit) uses node:crypto and Buffer, so it cannot run here; this is a port of
 * the parts a verifier needs, to the same definitions (docs/audit.md):
 *
 * - canonical JSON (RFC 8785 for the audit value domain) of entries and checkpoints;
 * - RFC 6962 leaf hashes `SHA-256(0x00 ‖ canonical(entry))`, node hashes `SHA-256(0x01 ‖ l ‖ r)`, and the
 *   Merkle tree hash folded with a compact-range accumulator;
 * - RFC 9162 inclusion proof verification;
 * - the checkpoint signature: Ed25519 over `"retract-audit-checkpoint-v1\n" ‖ canonical({ treeSize,
 *   rootHash, issuedAt, keyId })`, and the key id (first 16 hex of SHA-256 of the raw key).
 */

export type HexHash = string;

const encoder = new TextEncoder();
const hexPattern = /^[0-9a-f]{64}$/;

export function isHexHash(value: unknown): value is HexHash {
  return typeof value === 'string' && hexPattern.test(value);
}

/** Canonical JSON text (sorted keys, no whitespace, `undefined` members omitted). Throws outside JSON. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
      return JSON.stringify(value);
    case 'string':
      if (/[\uD800-\uDFFF]/u.test(value)) throw new TypeError('lone surrogate');
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`a ${typeof value} has no JSON form`);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    members.push(`${canonicalJson(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

function concat(...parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: HexHash): Uint8Array {
  if (!isHexHash(hex)) throw new TypeError('not a SHA-256 hash');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Standard padded base64, strictly: null unless it is the canonical encoding of `length` bytes. */
export function fromBase64(text: string, length: number): Uint8Array | null {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (bytes.length !== length || btoa(binary) !== text) return null;
  return bytes;
}

const leafPrefix = new Uint8Array([0]);
const nodePrefix = new Uint8Array([1]);

export async function entryLeafHash(entry: unknown): Promise<HexHash> {
  return toHex(await sha256(leafPrefix, encoder.encode(canonicalJson(entry))));
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(nodePrefix, left, right);
}

/** An append-only Merkle tree keeping only its compact range (RFC 6962's MTH at every size). */
export class Accumulator {
  #size = 0;
  #nodes: Uint8Array[] = [];

  get size(): number {
    return this.#size;
  }

  async append(leafHash: HexHash): Promise<void> {
    let node = fromHex(leafHash);
    for (let s = this.#size; s % 2 === 1; s = Math.floor(s / 2)) {
      node = await nodeHash(this.#nodes.pop() as Uint8Array, node);
    }
    this.#nodes.push(node);
    this.#size += 1;
  }

  async root(): Promise<HexHash> {
    const nodes = this.#nodes;
    if (nodes.length === 0) return toHex(await sha256());
    let root = nodes[nodes.length - 1] as Uint8Array;
    for (let i = nodes.length - 2; i >= 0; i--) root = await nodeHash(nodes[i] as Uint8Array, root);
    return toHex(root);
  }
}

/** RFC 9162 §2.1.3.2: is the leaf `leafHash` at `index` of the tree of `treeSize` whose root is `root`? */
export async function verifyInclusion(
  leafHash: HexHash,
  index: number,
  treeSize: number,
  proof: readonly HexHash[],
  root: HexHash,
): Promise<boolean> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize)
    return false;
  if (!isHexHash(leafHash) || !isHexHash(root) || !proof.every(isHexHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = fromHex(leafHash);
  for (const p of proof) {
    if (sn === 0) return false;
    const sibling = fromHex(p);
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(sibling, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && toHex(r) === root;
}

export const checkpointDomain = 'retract-audit-checkpoint-v1\n';

/** The key id a checkpoint names: the first 16 hex characters of SHA-256 over the raw 32-byte key. */
export async function keyIdOf(rawPublicKey: Uint8Array): Promise<string> {
  return toHex(await sha256(rawPublicKey)).slice(0, 16);
}

/** `valid`/`invalid`, or `unsupported` when this browser's WebCrypto has no Ed25519. */
export type SignatureCheck = 'valid' | 'invalid' | 'unsupported';

export async function verifyCheckpointSignature(
  checkpoint: api.AuditCheckpoint,
  publicKey: string,
): Promise<SignatureCheck> {
  const raw = fromBase64(publicKey, 32);
  const signature = fromBase64(checkpoint.signature, 64);
  if (raw === null || signature === null) return 'invalid';
  if ((await keyIdOf(raw)) !== checkpoint.keyId) return 'invalid';
  const { treeSize, rootHash, issuedAt, keyId } = checkpoint;
  const payload = concat(
    encoder.encode(checkpointDomain),
    encoder.encode(canonicalJson({ treeSize, rootHash, issuedAt, keyId })),
  );
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('raw', concat(raw), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return 'unsupported';
  }
  try {
    return (await crypto.subtle.verify({ name: 'Ed25519' }, key, concat(signature), payload))
      ? 'valid'
      : 'invalid';
  } catch {
    return 'unsupported';
  }
}

/** The audit endpoints the verifier reads (a subset of the SDK's HttpApi). */
export interface AuditSource {
  auditEntries(query: api.AuditEntriesQuery): Promise<api.AuditEntriesPage>;
  auditInclusionProof(index: number, treeSize: number): Promise<api.InclusionProofResponse>;
}

export interface LogCheck {
  /** `replay`: every entry up to the checkpoint re-hashed and the root recomputed. `sample`: the log is
   * larger than the browser replays, so only the latest entries' inclusion proofs were checked. */
  readonly mode: 'replay' | 'sample';
  readonly checked: number;
  /** Indexes whose recomputed leaf hash differs from the stored one, or that are out of place. */
  readonly badEntries: readonly number[];
  /** replay: the recomputed root equals the checkpoint's; sample: every proof verified. */
  readonly rootMatches: boolean;
}

export interface VerifyResult {
  readonly signature: SignatureCheck;
  readonly log: LogCheck;
}

/**
 * Verifies the log against a checkpoint: the checkpoint's signature and key id, then the entries. Up to
 * `maxReplay` entries every one is fetched, re-hashed and folded into the root; above, the latest
 * `sampleSize` entries are proven included by the server's inclusion proofs.
 */
export async function verifyAuditLog(
  source: AuditSource,
  checkpoint: api.AuditCheckpoint,
  publicKey: string,
  options: { maxReplay?: number; sampleSize?: number; onProgress?: (done: number) => void } = {},
): Promise<VerifyResult> {
  const signature = await verifyCheckpointSignature(checkpoint, publicKey);
  const maxReplay = options.maxReplay ?? 20_000;
  const treeSize = checkpoint.treeSize;
  const badEntries: number[] = [];
  if (treeSize <= maxReplay) {
    const acc = new Accumulator();
    let from = 0;
    while (acc.size < treeSize) {
      const page = await source.auditEntries({ from, limit: 500 });
      if (page.entries.length === 0) break;
      for (const row of page.entries) {
        if (acc.size >= treeSize) break;
        const hash = await entryLeafHash(row.entry);
        if (row.entry.index !== acc.size || hash !== row.leafHash) badEntries.push(acc.size);
        await acc.append(hash);
      }
      options.onProgress?.(acc.size);
      if (page.nextFrom === null) break;
      from = page.nextFrom;
    }
    const complete = acc.size === treeSize;
    return {
      signature,
      log: {
        mode: 'replay',
        checked: acc.size,
        badEntries,
        rootMatches: complete && (await acc.root()) === checkpoint.rootHash,
      },
    };
  }
  const sampleSize = Math.min(options.sampleSize ?? 10, treeSize);
  const first = treeSize - sampleSize;
  const page = await source.auditEntries({ from: first, limit: sampleSize });
  let allProven = page.entries.length >= sampleSize;
  let checked = 0;
  for (const row of page.entries.slice(0, sampleSize)) {
    const index = row.entry.index;
    const hash = await entryLeafHash(row.entry);
    const proof = await source.auditInclusionProof(index, treeSize);
    const ok =
      hash === row.leafHash &&
      (await verifyInclusion(hash, index, treeSize, proof.proof, checkpoint.rootHash));
    if (!ok) {
      badEntries.push(index);
      allProven = false;
    }
    checked += 1;
    options.onProgress?.(checked);
  }
  return { signature, log: { mode: 'sample', checked, badEntries, rootMatches: allProven } };
}

export interface BundleCheck {
  readonly signature: SignatureCheck;
  readonly entries: number;
  /** Entries whose leaf hash does not lead to the checkpoint's root through their proof. */
  readonly badEntries: readonly number[];
}

/** Verifies an evidence bundle offline: its checkpoint's signature and each entry's inclusion proof. */
export async function verifyEvidenceBundle(bundle: api.EvidenceBundle): Promise<BundleCheck> {
  const signature = await verifyCheckpointSignature(bundle.checkpoint, bundle.publicKey);
  const badEntries: number[] = [];
  for (const item of bundle.entries) {
    const hash = await entryLeafHash(item.entry);
    const ok =
      item.entry.index === item.leafIndex &&
      (await verifyInclusion(
        hash,
        item.leafIndex,
        bundle.checkpoint.treeSize,
        item.inclusionProof,
        bundle.checkpoint.rootHash,
      ));
    if (!ok) badEntries.push(item.leafIndex);
  }
  return { signature, entries: bundle.entries.length, badEntries };
}
