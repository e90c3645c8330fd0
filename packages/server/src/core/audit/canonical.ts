/**
 * Canonical JSON — RFC 8785 (JCS) for the restricted value domain of audit entries and checkpoints:
 * strings, finite numbers, booleans, null, arrays and plain objects. Signatures and Merkle leaves are
 * computed over these bytes, so the same value must always give the same bytes, on any machine, in any
 * language that implements RFC 8785:
 *
 * - object keys sorted by UTF-16 code units (what `Array.prototype.sort` does on strings), no whitespace;
 * - numbers in ECMAScript `Number#toString` form (RFC 8785 §3.2.2.3 adopts it; `JSON.stringify` is it,
 *   and it writes `-0` as `0`);
 * - strings escaped as `JSON.stringify` does (RFC 8785 §3.2.2.2 adopts that too), encoded as UTF-8.
 *
 * Anything outside the domain is rejected rather than coerced, because a silent coercion (a Date becoming
 * a string, NaN becoming null, a lone surrogate becoming U+FFFD in UTF-8) would make two different values
 * hash alike or one value hash differently in another implementation. An object property whose value is
 * `undefined` is omitted, as JSON.stringify does; `undefined` inside an array is rejected (JSON.stringify
 * would turn it into `null`, a different value).
 */

export class CanonicalizationError extends TypeError {
  /** JSON Pointer to the offending value (`''` is the root). */
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path === '' ? 'the value' : path} ${problem}`);
    this.name = 'CanonicalizationError';
    this.path = path;
  }
}

/** The canonical JSON text of `value`. Throws `CanonicalizationError` outside the domain. */
export function canonicalJson(value: unknown): string {
  return serialize(value, '', new Set());
}

const utf8 = new TextEncoder();

/** The canonical JSON of `value` as UTF-8 bytes: what gets hashed and signed. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8.encode(canonicalJson(value));
}

function serialize(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value))
        throw new CanonicalizationError(path, `is ${value}: JSON has no such number`);
      return JSON.stringify(value);
    case 'string':
      return serializeString(value, path);
    case 'object':
      break;
    default:
      throw new CanonicalizationError(path, `is a ${typeof value}, which has no JSON form`);
  }
  if (ancestors.has(value)) throw new CanonicalizationError(path, 'refers to itself (a cycle)');
  ancestors.add(value);
  try {
    return Array.isArray(value)
      ? serializeArray(value, path, ancestors)
      : serializeObject(value, path, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function serializeArray(value: readonly unknown[], path: string, ancestors: Set<object>): string {
  const items: string[] = [];
  // An index loop, not map(): map skips the holes of a sparse array, which would shift the output.
  for (let i = 0; i < value.length; i++) {
    const item = value[i];
    if (item === undefined) throw new CanonicalizationError(`${path}/${i}`, 'is undefined inside an array');
    items.push(serialize(item, `${path}/${i}`, ancestors));
  }
  return `[${items.join(',')}]`;
}

function serializeObject(value: object, path: string, ancestors: Set<object>): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw new CanonicalizationError(
      path,
      `is a ${typeof name === 'string' ? name : 'non-plain object'}, not plain data`,
    );
  }
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw new CanonicalizationError(path, 'has symbol keys, which have no JSON form');
  }
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    const memberPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    members.push(`${serializeString(key, memberPath)}:${serialize(member, memberPath, ancestors)}`);
  }
  return `{${members.join(',')}}`;
}

// In a `u` regex a well-formed surrogate pair is one code point above U+FFFF, so only lone halves match.
const loneSurrogate = /[\uD800-\uDFFF]/u;

function serializeString(value: string, path: string): string {
  if (loneSurrogate.test(value)) {
    throw new CanonicalizationError(path, 'contains a lone UTF-16 surrogate, which has no UTF-8 form');
  }
  return JSON.stringify(value);
}
