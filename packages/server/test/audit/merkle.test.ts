import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MerkleAccumulator,
  consistencyProof,
  emptyRoot,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/core/audit/index.js';

/*
 * The RFC 6962 reference vectors used by Certificate Transparency implementations (the leaves, roots
 * and proofs of transparency-dev/merkle's proof/verify_test.go, originally from the CT C++ log).
 */
const leafData = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
const leaves = leafData.map((hex) => leafHash(Buffer.from(hex, 'hex')));

/** roots[i] is the root of the tree of the first i + 1 leaves. */
const roots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Zero-based leaf index (the source table is one-based). */
const inclusionVectors = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  { index: 0, size: 1, proof: [] },
];

const consistencyVectors = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const rootAt = (size: number) => roots[size - 1] as string;
const someHash = 'abacaba000000000000000000000000000000000000000000060061e00123456';

describe('RFC 6962 hashing', () => {
  it('hashes the empty tree as SHA-256 of the empty string', () => {
    assert.equal(emptyRoot, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(rootOf([]), emptyRoot);
  });

  it('prefixes leaves with 0x00 and nodes with 0x01', () => {
    assert.equal(leaves[0], '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    assert.equal(nodeHash(leaves[0] as string, leaves[1] as string), rootAt(2));
  });

  it('gives the reference root for every size 1..8', () => {
    for (let size = 1; size <= 8; size++)
      assert.equal(rootOf(leaves.slice(0, size)), rootAt(size), `size ${size}`);
  });

  it('accumulates to the same roots', () => {
    const acc = new MerkleAccumulator();
    assert.equal(acc.root(), emptyRoot);
    leaves.forEach((leaf, i) => {
      acc.append(leaf);
      assert.equal(acc.size, i + 1);
      assert.equal(acc.root(), rootAt(i + 1));
    });
  });

  it('rejects a hash that is not 64 lowercase hex characters', () => {
    assert.throws(() => rootOf(['zz']), TypeError);
    assert.throws(() => rootOf([(leaves[0] as string).toUpperCase()]), TypeError);
    assert.throws(() => new MerkleAccumulator().append(`${leaves[0]}00`), TypeError);
  });
});

describe('inclusion proofs (reference vectors)', () => {
  for (const v of inclusionVectors) {
    it(`proves leaf ${v.index} in a tree of ${v.size}`, () => {
      assert.deepEqual(inclusionProof(leaves, v.index, v.size), v.proof);
      assert.equal(
        verifyInclusion(leaves[v.index] as string, v.index, v.size, v.proof, rootAt(v.size)),
        true,
      );
    });

    if (v.proof.length === 0) continue;
    it(`rejects every corruption of the proof of leaf ${v.index} in ${v.size}`, () => {
      const leaf = leaves[v.index] as string;
      const root = rootAt(v.size);
      const probes: [string, string, number, number, string[], string][] = [
        ['index - 1', leaf, v.index - 1, v.size, v.proof, root],
        ['index + 1', leaf, v.index + 1, v.size, v.proof, root],
        ['index ^ 2', leaf, v.index ^ 2, v.size, v.proof, root],
        ['size * 2', leaf, v.index, v.size * 2, v.proof, root],
        ['size / 2', leaf, v.index, Math.floor(v.size / 2), v.proof, root],
        ['wrong leaf', someHash, v.index, v.size, v.proof, root],
        ['empty-tree root', leaf, v.index, v.size, v.proof, emptyRoot],
        ['random root', leaf, v.index, v.size, v.proof, someHash],
        ['trailing garbage', leaf, v.index, v.size, [...v.proof, ''], root],
        ['trailing root', leaf, v.index, v.size, [...v.proof, root], root],
        ['preceding garbage', leaf, v.index, v.size, ['', ...v.proof], root],
        ['preceding root', leaf, v.index, v.size, [root, ...v.proof], root],
        ['removed component', leaf, v.index, v.size, v.proof.slice(0, -1), root],
        [
          'inserted component',
          leaf,
          v.index,
          v.size,
          [v.proof[0] as string, someHash, ...v.proof.slice(1)],
          root,
        ],
        ...v.proof.map((_, i): [string, string, number, number, string[], string] => [
          `proof[${i}] bit flipped`,
          leaf,
          v.index,
          v.size,
          v.proof.map((p, j) => (j === i ? flip(p) : p)),
          root,
        ]),
      ];
      for (const [name, l, index, size, proof, r] of probes) {
        assert.equal(verifyInclusion(l, index, size, proof, r), false, name);
      }
    });
  }

  it('rejects impossible positions and never throws on malformed input', () => {
    assert.equal(verifyInclusion(leaves[0] as string, 0, 0, [], emptyRoot), false);
    assert.equal(verifyInclusion(leaves[0] as string, 1, 1, [], leaves[0] as string), false);
    assert.equal(verifyInclusion(leaves[0] as string, -1, 1, [], leaves[0] as string), false);
    assert.equal(verifyInclusion(leaves[0] as string, 0.5, 1, [], leaves[0] as string), false);
    assert.equal(verifyInclusion('', 0, 1, [], ''), false);
    assert.equal(
      verifyInclusion(leaves[0] as string, 0, 1, null as unknown as string[], leaves[0] as string),
      false,
    );
  });

  it('throws on impossible proof requests (a caller bug)', () => {
    assert.throws(() => inclusionProof(leaves, 8, 8), RangeError);
    assert.throws(() => inclusionProof(leaves, 0, 9), RangeError);
  });
});

describe('consistency proofs (reference vectors)', () => {
  for (const v of consistencyVectors) {
    it(`proves ${v.m} → ${v.n}`, () => {
      assert.deepEqual(consistencyProof(leaves, v.m, v.n), v.proof);
      assert.equal(verifyConsistency(v.m, v.n, rootAt(v.m), rootAt(v.n), v.proof), true);
    });

    if (v.proof.length === 0) continue;
    it(`rejects every corruption of the proof ${v.m} → ${v.n}`, () => {
      const r1 = rootAt(v.m);
      const r2 = rootAt(v.n);
      const probes: [string, number, number, string, string, string[]][] = [
        ['m - 1', v.m - 1, v.n, r1, r2, v.proof],
        ['m + 1', v.m + 1, v.n, r1, r2, v.proof],
        ['m ^ 2', v.m ^ 2, v.n, r1, r2, v.proof],
        ['n * 2', v.m, v.n * 2, r1, r2, v.proof],
        ['n / 2', v.m, Math.floor(v.n / 2), r1, r2, v.proof],
        ['wrong root 1', v.m, v.n, someHash, r2, v.proof],
        ['wrong root 2', v.m, v.n, r1, someHash, v.proof],
        ['swapped roots', v.m, v.n, r2, r1, v.proof],
        ['empty proof', v.m, v.n, r1, r2, []],
        ['trailing garbage', v.m, v.n, r1, r2, [...v.proof, '']],
        ['trailing root 1', v.m, v.n, r1, r2, [...v.proof, r1]],
        ['trailing root 2', v.m, v.n, r1, r2, [...v.proof, r2]],
        ['preceding garbage', v.m, v.n, r1, r2, ['', ...v.proof]],
        ['preceding root 1', v.m, v.n, r1, r2, [r1, ...v.proof]],
        ['preceding root 2', v.m, v.n, r1, r2, [r2, ...v.proof]],
        ['preceding proof[0]', v.m, v.n, r1, r2, [v.proof[0] as string, ...v.proof]],
        ['truncated proof', v.m, v.n, r1, r2, v.proof.slice(0, -1)],
        ...v.proof.map((_, i): [string, number, number, string, string, string[]] => [
          `proof[${i}] bit flipped`,
          v.m,
          v.n,
          r1,
          r2,
          v.proof.map((p, j) => (j === i ? flip(p) : p)),
        ]),
      ];
      for (const [name, m, n, a, b, proof] of probes) {
        assert.equal(verifyConsistency(m, n, a, b, proof), false, name);
      }
    });
  }

  it('handles equal and empty trees', () => {
    assert.equal(verifyConsistency(0, 0, emptyRoot, emptyRoot, []), true);
    assert.equal(verifyConsistency(0, 5, emptyRoot, rootAt(5), []), true);
    assert.equal(verifyConsistency(0, 5, someHash, rootAt(5), []), false, 'size 0 has only one root');
    assert.equal(verifyConsistency(0, 5, emptyRoot, rootAt(5), [emptyRoot]), false, 'no proof for size 0');
    assert.equal(verifyConsistency(3, 3, rootAt(3), rootAt(3), []), true);
    assert.equal(verifyConsistency(3, 3, rootAt(3), rootAt(4), []), false);
    assert.equal(verifyConsistency(3, 3, rootAt(3), rootAt(3), [emptyRoot]), false);
    assert.equal(verifyConsistency(4, 3, rootAt(4), rootAt(3), []), false, 'time travel');
    assert.deepEqual(consistencyProof(leaves, 0, 8), []);
    assert.deepEqual(consistencyProof(leaves, 8, 8), []);
    assert.throws(() => consistencyProof(leaves, 5, 4), RangeError);
  });
});

function flip(hex: string): string {
  const bytes = Buffer.from(hex, 'hex');
  bytes[0] = (bytes[0] as number) ^ 16;
  return bytes.toString('hex');
}
