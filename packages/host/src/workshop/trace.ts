import { getCurrentScope } from '@sentry/nextjs';
import { useRouter } from 'next/router';
import { useCallback, useMemo, useSyncExternalStore } from 'react';

/**
 * The trace of this page view in the browser, the one every event of it carries (server and
 * browser alike, docs/tracing.md). Sentry's page-load instrumentation puts the server's trace on
 * the scope's propagation context when it starts, and keeps it there once the page-load span has
 * ended (the page-load span itself is started in that trace); a client navigation puts a new
 * trace there the same way.
 */
export function pageViewTraceId(): string | null {
  const { traceId } = getCurrentScope().getPropagationContext();
  return /^[0-9a-f]{32}$/.test(traceId) ? traceId : null;
}

/** A page view as the workshop follows it: its path and its trace, read together. */
export interface PageView {
  /** The path without query or hash, e.g. `/lab/ssr`. */
  readonly path: string;
  /** Undefined until read in the browser; null when Sentry has no trace for it. */
  readonly traceId: string | null | undefined;
}

export function pathOf(url: string): string {
  return url.split(/[?#]/)[0] ?? url;
}

// A page view as a string (trace id, or '-' when not read yet; a line break; the path), so React
// can compare snapshots of the external store by value.
const NOT_READ = '-';
const encode = (traceId: string | null | undefined, path: string) => `${traceId === undefined ? NOT_READ : (traceId ?? '')}\n${path}`;

function decode(snapshot: string): PageView {
  const [traceId = '', path = ''] = snapshot.split('\n');
  return { path, traceId: traceId === NOT_READ ? undefined : traceId === '' ? null : traceId };
}

/** The browser's current page view, read when first asked and after each client navigation. */
let current: string | undefined;

const readCurrent = () => (current ??= encode(pageViewTraceId(), pathOf(window.location.pathname)));

/**
 * The page view's trace id, read once the page runs in the browser (not read on the server and
 * during hydration, so both render the same), and again after each client navigation, which
 * Sentry starts as a new trace when the route change starts. The path comes with it, so what is
 * learnt about one page view is never taken for the next one's.
 */
export function usePageView(): PageView {
  const { events, asPath } = useRouter();
  const subscribe = useCallback(
    (listener: () => void) => {
      const onComplete = (url: string) => {
        current = encode(pageViewTraceId(), pathOf(url));
        listener();
      };
      events.on('routeChangeComplete', onComplete);
      return () => events.off('routeChangeComplete', onComplete);
    },
    [events],
  );
  const snapshot = useSyncExternalStore(subscribe, readCurrent, () => encode(undefined, pathOf(asPath)));
  return useMemo(() => decode(snapshot), [snapshot]);
}
