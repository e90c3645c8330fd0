import type { RetractClient } from '@retract/sdk';
import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';

type AdminPageType = FunctionComponent<{ client: RetractClient }>;

/** Loads the admin dashboard on demand: its code stays out of the chat page's bundle. */
export function AdminMount({ client }: { client: RetractClient }) {
  const [Page, setPage] = useState<AdminPageType | null>(null);
  useEffect(() => {
    let live = true;
    void import('../admin/AdminPage.js').then((module) => {
      if (live) setPage(() => module.AdminPage as AdminPageType);
    });
    return () => {
      live = false;
    };
  }, []);
  if (Page === null) return <p role="status">{t('common:loading')}</p>;
  return <Page client={client} />;
}
