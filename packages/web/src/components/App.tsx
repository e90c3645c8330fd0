import { useEffect, useState } from 'preact/hooks';
import { useT } from '../i18n/index.js';
import { ModelContext } from '../lib/hooks.js';
import type { ChatModel } from '../lib/model.js';
import { parseRoute, type Route } from '../lib/route.js';
import { AuthPage } from './AuthPage.js';
import { Shell } from './Shell.js';

/** Restores the saved session (if any), then shows the sign-in page or the app. */
export function App({ model }: { model: ChatModel }) {
  const { t } = useT();
  const [ready, setReady] = useState(false);
  const [signedIn, setSignedIn] = useState(false);
  const [route, setRoute] = useState<Route>(parseRoute(window.location.hash));

  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    void model.restore().then((ok) => {
      setSignedIn(ok);
      setReady(true);
    });
    const off = model.subscribe(() => setSignedIn(model.client !== null));
    return () => {
      window.removeEventListener('hashchange', onHash);
      off();
    };
  }, [model]);

  return (
    <ModelContext.Provider value={model}>
      {!ready ? (
        <p class="loading" role="status">
          {t('common:loading')}
        </p>
      ) : signedIn ? (
        <Shell route={route} />
      ) : (
        <AuthPage />
      )}
    </ModelContext.Provider>
  );
}
