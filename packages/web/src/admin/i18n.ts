import { ApiError, NetworkError } from '@retract/sdk';
import { useMemo } from 'preact/hooks';
import { i18n, t as rootT, useT } from '../i18n/index.js';
import type { Translate } from './charts.js';

/** The admin namespace's translator and the current locale (for Intl). */
export interface AdminI18n {
  /** `t('stats.title')` reads `admin:stats.title`; a missing key comes back as the key itself. */
  readonly t: Translate;
  readonly locale: string;
}

/** Re-renders on a language change, like `useT`, with keys relative to the `admin` namespace. */
export function useAdminI18n(): AdminI18n {
  const { locale } = useT();
  return useMemo(
    () => ({
      locale,
      t: (key, vars) => (i18n.exists(`admin:${key}`) ? rootT(`admin:${key}`, { ...vars }) : key),
    }),
    [locale],
  );
}

/** A message kept in state as a function, so it is translated again after a language change. */
export type Text = () => string;

/** A failed request in words, from the shared `common:errors.*` messages. */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    const key = `common:errors.${error.code}`;
    return i18n.exists(key) ? rootT(key) : rootT('common:errors.unknown', { code: error.code });
  }
  if (error instanceof NetworkError) return rootT('common:errors.network');
  return t('error.unexpected');
}
