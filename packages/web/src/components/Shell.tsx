import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import type { Route } from '../lib/route.js';
import { AdminMount } from './AdminMount.js';
import { ChatView } from './ChatView.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { ConversationList } from './ConversationList.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';
import { NewConversationForm } from './NewConversationForm.js';
import { SettingsPanel } from './SettingsPanel.js';
import { UndoToasts } from './UndoToasts.js';

/** The signed-in layout: header, conversation sidebar, and the routed main area. */
export function Shell({ route }: { route: Route }) {
  const { t } = useT();
  const model = useModel();
  return (
    <div class="shell">
      <header class="topbar">
        <a href="#/" class="brand" data-testid="home-link">
          {t('common:appName')}
        </a>
        <ConnectionStatus />
        <span class="me" data-testid="current-user">
          {model.username}
        </span>
        {model.admin && (
          <a href="#/admin" data-testid="admin-link" class="button-link">
            {t('common:admin')}
          </a>
        )}
        <LanguageSwitcher />
        <button type="button" data-testid="logout-button" onClick={() => void model.logout()}>
          {t('common:logout')}
        </button>
      </header>
      <ConnectionBanner />
      <div class={route.name === 'home' ? 'layout' : 'layout in-conversation'}>
        <aside class="sidebar" aria-label={t('list.heading')}>
          <ConversationList activeId={route.name === 'conversation' ? route.id : null} />
          <NewConversationForm />
          <SettingsPanel />
        </aside>
        <main class="main">
          {route.name === 'conversation' && <ChatView key={route.id} conversationId={route.id} />}
          {route.name === 'admin' && model.client !== null && <AdminMount client={model.client} />}
          {route.name === 'home' && <p class="hint">{t('chat.none')}</p>}
        </main>
      </div>
      <UndoToasts />
    </div>
  );
}
