import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import { ErrorText } from './ErrorText.js';
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
      aria-controls="auth-panel"
      data-testid={`auth-tab-${id}`}
      class={tab === id ? 'tab active' : 'tab'}
      onClick={() => {
        setTab(id);
        setError(null);
      }}
    >
      {label}
    </button>
  );

  return (
    <main class="auth">
      <header class="auth-header">
        <h1>{t('auth.title')}</h1>
        <LanguageSwitcher />
      </header>
      <div role="tablist" class="tabs">
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
        <label>
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
        <label>
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
        <button type="submit" class="primary" data-testid="auth-submit" disabled={busy}>
          {tab === 'login' ? t('auth.login') : t('auth.signup')}
        </button>
      </form>
    </main>
  );
}
