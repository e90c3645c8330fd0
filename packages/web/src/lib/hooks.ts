import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ChatModel } from './model.js';

export const ModelContext = createContext<ChatModel | null>(null);

/** The model, re-rendering the caller on every change. */
export function useModel(): ChatModel {
  const model = useContext(ModelContext);
  if (model === null) throw new Error('useModel outside ModelContext');
  const [, setTick] = useState(0);
  useEffect(() => model.subscribe(() => setTick((n) => n + 1)), [model]);
  return model;
}

/**
 * The current time on the server's clock (this device's, corrected by what the server's answers say),
 * ticking every second while `active`. Every countdown here runs to a server deadline, so a device
 * whose clock is off still shows the time that is really left.
 */
export function useNow(active = true): number {
  const model = useContext(ModelContext);
  const read = (): number => model?.client?.http.serverNow() ?? Date.now();
  const [now, setNow] = useState(read);
  useEffect(() => {
    if (!active) return undefined;
    setNow(read());
    const timer = setInterval(() => setNow(read()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
