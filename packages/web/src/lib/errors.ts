import type { Phrase } from './format.js';
import resources from '../i18n/en/common.json';

const known = new Set(Object.keys(resources.errors));

/**
 * The API's stable code (or the SDK's `network`) → the message to show; never the server's English text.
 * A network failure that was a timeout says so: the server was reached but too slow, so retrying helps.
 */
export function errorPhrase(error: unknown): Phrase {
  const code =
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
      ? error.code
      : 'unknown';
  if (code === 'network' && typeof error === 'object' && error !== null && 'reason' in error) {
    if (error.reason === 'timeout') return { key: 'common:errors.timeout' };
  }
  if (code !== 'unknown' && known.has(code)) return { key: `common:errors.${code}` };
  return { key: 'common:errors.unknown', values: { code } };
}
