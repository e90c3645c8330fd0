import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));
const read = (locale: string): unknown =>
  JSON.parse(readFileSync(join(web, 'src/i18n', locale, 'admin.json'), 'utf8'));

function leaves(tree: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof tree !== 'object' || tree === null) return out.set(prefix, tree);
  for (const [key, value] of Object.entries(tree)) {
    for (const [k, v] of leaves(value, prefix === '' ? key : `${prefix}.${key}`)) out.set(k, v);
  }
  return out;
}

const en = leaves(read('en'));
const zh = leaves(read('zh-CN'));

test('the admin strings have the same keys in English and Chinese, and the same placeholders', () => {
  assert.deepEqual([...zh.keys()].sort(), [...en.keys()].sort());
  const vars = (text: unknown) => [...String(text).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
  for (const [key, text] of en) assert.deepEqual(vars(zh.get(key)), vars(text), key);
});

test('the Chinese strings are translated, not copied', () => {
  const same = [...en].filter(
    ([key, text]) => zh.get(key) === text && /[a-z]{3}/i.test(String(text).replace(/\{\{\w+\}\}/g, '')),
  );
  assert.deepEqual(same, []);
});

test('every key the admin code asks for exists', () => {
  const dir = join(web, 'src/admin');
  const used = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => /\.tsx?$/.test(f))) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const m of source.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) used.add(m[1]!);
    for (const m of source.matchAll(/'(policy\.[a-zA-Z]+)'\]/g)) used.add(m[1]!);
    for (const m of source.matchAll(/push\('(policy\.error\.\w+)'\)/g)) used.add(m[1]!);
  }
  // Keys built at run time.
  for (const kind of ['correction', 'hide', 'message', 'none']) used.add(`followups.${kind}`);
  for (const kind of ['direct', 'group']) used.add(`kind.${kind}`);
  for (const role of ['owner', 'admin', 'server_admin']) used.add(`role.${role}`);
  for (const check of ['valid', 'invalid', 'unsupported']) used.add(`audit.signature.${check}`);
  for (const key of ['replayOk', 'replayBad', 'sampleOk', 'sampleBad']) used.add(`audit.${key}`);
  for (const code of ['recalled', 'recall_window_expired', 'needs_consent', 'not_permitted'])
    used.add(`outcome.${code}`);
  used.delete('key');
  const missing = [...used].filter((key) => !en.has(key));
  assert.deepEqual(missing, []);
  assert.ok(used.size > 100);
});
