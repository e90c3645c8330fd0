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

/** The current time, ticking every second while `active` (for countdowns). */
export function useNow(active = true): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
