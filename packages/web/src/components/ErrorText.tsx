import { t } from '../i18n/index.js';
import { errorPhrase } from '../lib/errors.js';

/** An API error as a translated alert; renders nothing without an error. */
export function ErrorText({ error, testid }: { error: unknown; testid: string }) {
  if (error === null || error === undefined) return null;
  const phrase = errorPhrase(error);
  return (
    <p class="error" role="alert" data-testid={testid}>
      {t(phrase.key, phrase.values)}
    </p>
  );
}
