import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyConsistency, verifyInclusion } from '../../src/core/audit/index.js';

/*
 * Every file of the RFC 6962 proof vectors of transparency-dev/merkle (copied into ./vectors with their
 * README and Apache 2.0 LICENSE): the core's verifiers must accept exactly the vectors with
 * `wantErr: false`. The vectors write hashes in base64; the core takes lowercase hex. A field that is not
 * canonical base64 cannot be converted, and then the vector counts as a failed verification — the
 * verifiers never see it.
 */

const root = fileURLToPath(new URL('./vectors/', import.meta.url));

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

class MalformedBase64 extends Error {}

/** Strict base64 → hex: only the canonical encoding of some bytes converts (the empty string is 0 bytes). */
function hex(value: unknown): string {
  if (typeof value !== 'string') throw new MalformedBase64(`not a string: ${String(value)}`);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value) throw new MalformedBase64(`not canonical base64: ${value}`);
  return bytes.toString('hex');
}

/** `proof: null` in the Go vectors is an empty proof. */
const proofOf = (value: unknown): string[] => (value === null ? [] : (value as unknown[]).map(hex));

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

function verifies(run: () => boolean): boolean {
  try {
    return run();
  } catch (error) {
    if (error instanceof MalformedBase64) return false;
    throw error;
  }
}

const inclusionFiles = jsonFiles(join(root, 'inclusion'));
const consistencyFiles = jsonFiles(join(root, 'consistency'));

describe('RFC 6962 proof vectors (transparency-dev/merkle testdata)', () => {
  it('finds every vector file', () => {
    assert.ok(inclusionFiles.length >= 90, `inclusion vectors: ${inclusionFiles.length}`);
    assert.ok(consistencyFiles.length >= 90, `consistency vectors: ${consistencyFiles.length}`);
    assert.equal(inclusionFiles.length + consistencyFiles.length, jsonFiles(root).length);
  });

  it('verifies an inclusion vector exactly when it does not want an error', () => {
    const wrong: string[] = [];
    for (const file of inclusionFiles) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as InclusionVector;
      const ok = verifies(() =>
        verifyInclusion(hex(v.leafHash), v.leafIdx, v.treeSize, proofOf(v.proof), hex(v.root)),
      );
      if (ok === v.wantErr) wrong.push(`${relative(root, file)} (${v.desc}): verified=${ok}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('verifies a consistency vector exactly when it does not want an error', () => {
    const wrong: string[] = [];
    for (const file of consistencyFiles) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector;
      const ok = verifies(() =>
        verifyConsistency(v.size1, v.size2, hex(v.root1), hex(v.root2), proofOf(v.proof)),
      );
      if (ok === v.wantErr) wrong.push(`${relative(root, file)} (${v.desc}): verified=${ok}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('counts malformed base64 as a failed verification, not an error', () => {
    const happy = JSON.parse(
      readFileSync(join(root, 'inclusion/1/happy-path.json'), 'utf8'),
    ) as InclusionVector;
    const run = (leafHash: string) =>
      verifies(() =>
        verifyInclusion(hex(leafHash), happy.leafIdx, happy.treeSize, proofOf(happy.proof), hex(happy.root)),
      );
    assert.equal(run(happy.leafHash), true);
    for (const broken of [`${happy.leafHash}=`, happy.leafHash.replace('=', ''), `!${happy.leafHash}`]) {
      assert.equal(run(broken), false, broken);
    }
  });
});
