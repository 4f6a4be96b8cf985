import { useSyncExternalStore } from 'react';

/**
 * A value the workshop keeps in localStorage (per zone origin), read by React as an external
 * store: the server and hydration see null, the browser what is stored, and every tab of the
 * zone follows a change (storage events), so a scenario finished in one tab shows in the tour in
 * another. Storage can be off (private modes, policies): nothing is remembered then.
 */
export interface LocalSetting {
  read(): string | null;
  write(value: string | null): void;
  subscribe(listener: () => void): () => void;
}

export function localSetting(key: string): LocalSetting {
  const listeners = new Set<() => void>();
  return {
    read() {
      try {
        return window.localStorage.getItem(key);
      } catch {
        return null;
      }
    },
    write(value) {
      try {
        if (value === null) window.localStorage.removeItem(key);
        else window.localStorage.setItem(key, value);
      } catch {
        // Not remembered; the page works the same.
      }
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      const onStorage = (event: StorageEvent) => {
        if (event.key === key || event.key === null) listener();
      };
      listeners.add(listener);
      window.addEventListener('storage', onStorage);
      return () => {
        listeners.delete(listener);
        window.removeEventListener('storage', onStorage);
      };
    },
  };
}

const nothingOnTheServer = () => null;

export function useLocalSetting(setting: LocalSetting): string | null {
  return useSyncExternalStore(setting.subscribe, setting.read, nothingOnTheServer);
}
