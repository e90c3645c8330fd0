import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  CanonicalizationError,
  canonicalBytes,
  canonicalJson,
  encodeEntry,
} from '../../src/core/audit/index.js';
import { makeEntry } from './fixtures.js';

describe('canonical JSON (RFC 8785)', () => {
  it('matches the RFC 8785 §3.2.3 sample', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    ) as unknown;
    assert.equal(
      canonicalJson(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 sorting example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const order = [...canonicalJson(input).matchAll(/"([^"]*)":"([^"]*)"/g)].map((m) => m[2]);
    assert.deepEqual(order, [
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('writes numbers as ECMAScript does', () => {
    assert.equal(
      canonicalJson([-0, 0, 1, -1.5, 1e21, 1e-7, 123456789012345680000, 5e-324]),
      '[0,0,1,-1.5,1e+21,1e-7,123456789012345680000,5e-324]',
    );
  });

  it('has no whitespace and is UTF-8', () => {
    assert.equal(
      canonicalJson({ b: [1, { d: 'é', c: null }], a: true }),
      '{"a":true,"b":[1,{"c":null,"d":"é"}]}',
    );
    assert.deepEqual([...canonicalBytes({ k: 'é' })], [...Buffer.from('{"k":"é"}', 'utf8')]);
    assert.equal(canonicalBytes({ k: 'é' }).length, 10);
  });

  it('omits undefined properties', () => {
    assert.equal(canonicalJson({ a: 1, b: undefined }), '{"a":1}');
  });

  it('is the same whatever the key insertion order', () => {
    const a = { x: 1, y: { p: 'q', r: [1, 2] }, z: null };
    const b = { z: null, y: { r: [1, 2], p: 'q' }, x: 1 };
    assert.equal(canonicalJson(a), canonicalJson(b));
  });

  for (const [name, value] of [
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', { n: Number.NEGATIVE_INFINITY }],
    ['a bigint', { n: 1n }],
    ['a function', { f: () => 1 }],
    ['a symbol', Symbol('s')],
    ['undefined at the root', undefined],
    ['undefined in an array', [1, undefined]],
    ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a Date', { at: new Date(0) }],
    ['a Map', new Map()],
    ['a Buffer', Buffer.from('x')],
    ['a lone surrogate in a string', { s: 'a\ud800b' }],
    ['a lone surrogate in a key', { ['\udc00']: 1 }],
    ['symbol keys', { [Symbol('k')]: 1 }],
  ] as const) {
    it(`rejects ${name}`, () => {
      assert.throws(() => canonicalJson(value), CanonicalizationError);
    });
  }

  it('rejects cycles and says where', () => {
    const o: Record<string, unknown> = { a: { b: 1 } };
    (o['a'] as Record<string, unknown>)['self'] = o;
    assert.throws(
      () => canonicalJson(o),
      (e: unknown) => e instanceof CanonicalizationError && e.path === '/a/self',
    );
  });

  it('accepts a repeated (non-cyclic) reference', () => {
    const shared = { v: 1 };
    assert.equal(canonicalJson({ a: shared, b: shared }), '{"a":{"v":1},"b":{"v":1}}');
  });

  it('round-trips any JSON value to a fixed point', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalJson(value);
        assert.equal(canonicalJson(JSON.parse(once)), once);
      }),
      { numRuns: 500 },
    );
  });

  it('encodes an entry the same whatever the order of its fields', () => {
    const entry = makeEntry(7);
    const reordered = JSON.parse(JSON.stringify({ details: entry.details, ...entry })) as typeof entry;
    assert.deepEqual(encodeEntry(reordered), encodeEntry(entry));
    assert.match(
      new TextDecoder().decode(encodeEntry(entry)),
      /^\{"actor":\{"role":"admin","userId":"u_1"\},"at":/,
    );
  });
});
