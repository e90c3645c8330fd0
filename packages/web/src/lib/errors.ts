import type { Phrase } from './format.js';
import resources from '../i18n/en/common.json';

const known = new Set(Object.keys(resources.errors));

/** The API's stable code (or the SDK's `network`) → the message to show; never the server's English text. */
export function errorPhrase(error: unknown): Phrase {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'unknown';
  if (code !== 'unknown' && known.has(code)) return { key: `common:errors.${code}` };
  return { key: 'common:errors.unknown', values: { code } };
}
