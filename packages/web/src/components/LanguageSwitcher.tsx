import { locales, setLocale, useT, type Locale } from '../i18n/index.js';
import { GlobeIcon } from './icons.js';

/** On every page; each option is named in its own language so anyone can find theirs. */
export function LanguageSwitcher() {
  const { t, locale } = useT();
  return (
    <label class="language">
      <GlobeIcon size={16} />
      <span class="visually-hidden">{t('common:language')}</span>
      <select
        data-testid="language-switcher"
        aria-label={t('common:language')}
        value={locale}
        onChange={(e) => setLocale((e.currentTarget as HTMLSelectElement).value as Locale)}
      >
        {locales.map((l) => (
          <option key={l.code} value={l.code} lang={l.code}>
            {l.label}
          </option>
        ))}
      </select>
    </label>
  );
}
