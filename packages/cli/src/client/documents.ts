import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** Reads a JSON or YAML document (by extension; `-` reads JSON or YAML from standard input). */
export function readDocument(path: string): unknown {
  const text = readFileSync(path === '-' ? 0 : path, 'utf8');
  if (/\.ya?ml$/i.test(path) || path === '-') return parse(text) as unknown;
  return JSON.parse(text) as unknown;
}
