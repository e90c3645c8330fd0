import i18next, { type TOptions } from 'i18next';
import { useEffect, useState } from 'preact/hooks';
import enAdmin from './en/admin.json';
import enChat from './en/chat.json';
import enCommon from './en/common.json';
import zhAdmin from './zh-CN/admin.json';
import zhChat from './zh-CN/chat.json';
import zhCommon from './zh-CN/common.json';

/** The languages the app offers, with each one's name in itself (what the switcher shows). */
export const locales = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type Locale = (typeof locales)[number]['code'];

export const namespaces = ['common', 'chat', 'admin'] as const;

export const resources = {
  en: { common: enCommon, chat: enChat, admin: enAdmin },
  'zh-CN': { common: zhCommon, chat: zhChat, admin: zhAdmin },
} as const;

const storageKey = 'retract.locale';

/** Picks a supported locale for a BCP 47 tag such as `navigator.language` (any `zh` → 简体中文). */
export function detectLocale(tag: string | null | undefined): Locale {
  if (tag === null || tag === undefined) return 'en';
  const lower = tag.toLowerCase();
  return lower === 'zh' || lower.startsWith('zh-') ? 'zh-CN' : 'en';
}

function initialLocale(): Locale {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(storageKey);
  if (stored === 'en' || stored === 'zh-CN') return stored;
  return detectLocale(typeof navigator === 'undefined' ? null : navigator.language);
}

// Resources are bundled (a few KB), so initialisation is synchronous and the first render is translated.
export const i18n = i18next.createInstance();
void i18n.init({
  lng: initialLocale(),
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  load: 'currentOnly',
  ns: [...namespaces],
  defaultNS: 'chat',
  fallbackNS: 'common',
  resources,
  initAsync: false,
  interpolation: { escapeValue: false },
});

export function currentLocale(): Locale {
  return i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
}

/** Translates `key` (`chat` namespace by default; `common:…`, `admin:…` for the others). */
export function t(key: string, options?: TOptions): string {
  return i18n.t(key, options ?? {});
}

/** For tests and tools: a key translated in a given locale, without changing the app's language. */
export function translate(locale: Locale, key: string, options?: TOptions): string {
  return i18n.getFixedT(locale)(key, options ?? {});
}

export function setLocale(locale: Locale): void {
  if (typeof localStorage !== 'undefined') localStorage.setItem(storageKey, locale);
  void i18n.changeLanguage(locale);
  if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

// The page title follows the language too (a screen reader announces it first).
i18n.on('languageChanged', () => {
  if (typeof document !== 'undefined') document.title = i18n.t('common:appName');
});
if (typeof document !== 'undefined') document.title = i18n.t('common:appName');

/** Re-renders the calling component when the language changes; returns the translator. */
export function useT(): { t: typeof t; locale: Locale } {
  const [locale, setState] = useState<Locale>(currentLocale());
  useEffect(() => {
    const onChange = (): void => setState(currentLocale());
    i18n.on('languageChanged', onChange);
    return () => i18n.off('languageChanged', onChange);
  }, []);
  return { t, locale };
}

/** Every leaf key (`a.b.c`) of a resource tree, for checking that two locales have the same keys. */
export function leafKeys(tree: unknown, prefix = ''): string[] {
  if (typeof tree !== 'object' || tree === null) return [prefix];
  return Object.entries(tree).flatMap(([key, value]) =>
    leafKeys(value, prefix === '' ? key : `${prefix}.${key}`),
  );
}
