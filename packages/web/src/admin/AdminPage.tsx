import type { JSX } from 'preact';
import type { RetractClient } from '@retract/sdk';
import { AuditPanel } from './AuditPanel.js';
import { useAdminI18n } from './i18n.js';
import { PolicyEditor } from './PolicyEditor.js';
import { StatsPanel } from './StatsPanel.js';
import './admin.css';

/**
 * The server admins' dashboard (`#/admin`): recall analytics, a conversation policy editor and the audit
 * log. Load it with `import()` so it stays out of the chat bundle; every request goes through the SDK.
 */
export function AdminPage(props: { client: RetractClient }): JSX.Element {
  const i18n = useAdminI18n();
  const { t } = i18n;
  return (
    <main class="admin" aria-labelledby="admin-title" data-testid="admin-page">
      <h1 id="admin-title">{t('title')}</h1>
      <nav class="admin-nav" aria-label={t('nav.label')}>
        <a href="#/admin" onClick={jump('admin-stats-title')}>
          {t('stats.title')}
        </a>
        <a href="#/admin" onClick={jump('admin-policy-title')}>
          {t('policy.title')}
        </a>
        <a href="#/admin" onClick={jump('admin-audit-title')}>
          {t('audit.title')}
        </a>
      </nav>
      <StatsPanel client={props.client} i18n={i18n} />
      <PolicyEditor client={props.client} i18n={i18n} />
      <AuditPanel client={props.client} i18n={i18n} />
    </main>
  );
}

export default AdminPage;

/** In-page links that do not touch the hash (the router owns it): scroll to and focus the heading. */
function jump(id: string): (event: MouseEvent) => void {
  return (event) => {
    event.preventDefault();
    const target = document.getElementById(id);
    if (target === null) return;
    target.tabIndex = -1;
    target.scrollIntoView({ block: 'start' });
    target.focus();
  };
}
