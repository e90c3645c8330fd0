import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
import { Logo } from './icons.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';

type Tab = 'login' | 'signup';

/** Log in / sign up as two tabs over one form; signing up logs in right after. */
export function AuthPage() {
  const { t } = useT();
  const model = useModel();
  const [tab, setTab] = useState<Tab>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (tab === 'signup') await model.register(username, password);
      await model.login(username, password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const tabButton = (id: Tab, label: string) => (
    <button
      type="button"
      role="tab"
      id={`auth-tab-${id}`}
      aria-selected={tab === id}
      tabIndex={tab === id ? 0 : -1}
      aria-controls="auth-panel"
      data-testid={`auth-tab-${id}`}
      class={tab === id ? 'tab active' : 'tab'}
      onClick={() => {
        setTab(id);
        setError(null);
      }}
      onKeyDown={(e) => {
        // Arrow keys move between tabs, as the tabs pattern expects.
        if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
        const next: Tab = id === 'login' ? 'signup' : 'login';
        setTab(next);
        setError(null);
        document.getElementById(`auth-tab-${next}`)?.focus();
      }}
    >
      {label}
    </button>
  );

  return (
    <main class="auth">
      <div class="auth-language">
        <LanguageSwitcher />
      </div>
      <div class="auth-card">
        <header class="auth-header">
          <span class="auth-logo">
            <Logo size={48} />
          </span>
          <h1>{t('auth.title')}</h1>
          <p class="auth-tagline">{t('auth.tagline')}</p>
        </header>
        <div role="tablist" class="tabs" aria-label={t('auth.title')}>
          {tabButton('login', t('auth.loginTab'))}
          {tabButton('signup', t('auth.signupTab'))}
        </div>
        <form
          id="auth-panel"
          role="tabpanel"
          aria-labelledby={`auth-tab-${tab}`}
          data-testid="auth-form"
          onSubmit={(e) => void submit(e)}
        >
          <label class="field">
            {t('auth.username')}
            <input
              data-testid="auth-username"
              name="username"
              autocomplete="username"
              required
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            {t('auth.password')}
            <input
              data-testid="auth-password"
              name="password"
              type="password"
              autocomplete={tab === 'login' ? 'current-password' : 'new-password'}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          </label>
          <ErrorText error={error} testid="auth-error" />
          <button type="submit" class="primary block" data-testid="auth-submit" disabled={busy}>
            {tab === 'login' ? t('auth.login') : t('auth.signup')}
          </button>
        </form>
      </div>
    </main>
  );
}
