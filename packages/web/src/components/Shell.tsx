import { useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { useModel } from '../lib/hooks.js';
import type { Route } from '../lib/route.js';
import { AdminMount } from './AdminMount.js';
import { Avatar } from './Avatar.js';
import { ChatView } from './ChatView.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { ConnectionStatus } from './ConnectionStatus.js';
import { ConversationList } from './ConversationList.js';
import { Dialog } from './Dialog.js';
import { ChatIcon, ComposeIcon, GearIcon, Logo, LogoutIcon, ShieldIcon } from './icons.js';
import { LanguageSwitcher } from './LanguageSwitcher.js';
import { NewConversationForm } from './NewConversationForm.js';
import { SettingsPanel } from './SettingsPanel.js';
import { UndoToasts } from './UndoToasts.js';

type Open = 'none' | 'create' | 'settings';

/** The signed-in layout: header, conversation sidebar, and the routed main area. */
export function Shell({ route }: { route: Route }) {
  const { t } = useT();
  const model = useModel();
  const [open, setOpen] = useState<Open>('none');
  const close = (): void => setOpen('none');
  const username = model.username ?? '';
  const myId = model.client?.user?.id ?? model.client?.store.userId ?? username;
  return (
    <div class="shell">
      <header class="topbar">
        <a href="#/" class="brand" data-testid="home-link">
          <Logo />
          <span class="brand-name">{t('common:appName')}</span>
        </a>
        <ConnectionStatus />
        <div class="topbar-actions">
          {model.admin && (
            <a
              href="#/admin"
              data-testid="admin-link"
              class={route.name === 'admin' ? 'topbar-link active' : 'topbar-link'}
              aria-current={route.name === 'admin' ? 'page' : undefined}
            >
              <ShieldIcon size={16} />
              <span class="topbar-label">{t('common:admin')}</span>
            </a>
          )}
          <LanguageSwitcher />
          <span class="divider" aria-hidden="true" />
          <span class="user-chip">
            <Avatar id={myId} name={username} size={28} />
            <span class="me" data-testid="current-user">
              {model.username}
            </span>
          </span>
          <button
            type="button"
            class="icon-button"
            data-testid="settings-open"
            aria-haspopup="dialog"
            aria-label={t('settings.heading')}
            title={t('settings.heading')}
            onClick={() => setOpen('settings')}
          >
            <GearIcon />
          </button>
          <button
            type="button"
            class="icon-button"
            data-testid="logout-button"
            aria-label={t('common:logout')}
            title={t('common:logout')}
            onClick={() => void model.logout()}
          >
            <LogoutIcon />
          </button>
        </div>
      </header>
      <ConnectionBanner />
      <div class={route.name === 'home' ? 'layout' : 'layout in-conversation'}>
        <aside class="sidebar" aria-label={t('list.heading')}>
          <div class="sidebar-header">
            <h2 id="conversations-heading">{t('list.heading')}</h2>
            <button
              type="button"
              class="new-conversation"
              data-testid="new-conversation-open"
              aria-haspopup="dialog"
              aria-label={t('create.heading')}
              title={t('create.heading')}
              onClick={() => setOpen('create')}
            >
              <ComposeIcon size={18} />
            </button>
          </div>
          <ConversationList activeId={route.name === 'conversation' ? route.id : null} />
        </aside>
        <main class="main">
          {route.name === 'conversation' && <ChatView key={route.id} conversationId={route.id} />}
          {route.name === 'admin' && model.client !== null && <AdminMount client={model.client} />}
          {route.name === 'home' && (
            <div class="empty-state" data-testid="no-conversation">
              <span class="empty-icon">
                <ChatIcon size={36} />
              </span>
              <h2>{t('chat.noneTitle')}</h2>
              <p>{t('chat.none')}</p>
            </div>
          )}
        </main>
      </div>
      {open === 'create' && (
        <Dialog title={t('create.heading')} onClose={close} testid="new-conversation-dialog">
          <NewConversationForm onDone={close} />
        </Dialog>
      )}
      {open === 'settings' && (
        <Dialog title={t('settings.heading')} onClose={close} testid="settings-dialog">
          <SettingsPanel />
        </Dialog>
      )}
      <UndoToasts />
    </div>
  );
}
