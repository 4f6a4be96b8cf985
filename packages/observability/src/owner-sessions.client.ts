/**
 * Owner sessions in the browser: the page view the server opened goes on here. The server sent
 * the session when its response ended; when the remote's code fails later in the page view (a
 * click, an effect, a render after hydration), the browser sends an update of the same session
 * (same sid and did, `init: false`). Client-side navigations stay in the page view, as Sentry's
 * own browser sessions do: the first page's view is kept until the next full load.
 */
import { makeSession, updateSession } from '@sentry/core';
import type { Owner } from '@repo/topology';
import { OwnerPageView, sendSession, type OwnerSessionRef } from './owner-sessions';

/**
 * The page's view, on the window: the app (which continues it) and instrumentation-client.ts
 * (whose beforeSend reads it) are separate bundles, each with its own copy of this module.
 */
const CURRENT = Symbol.for('@repo/observability owner page view');

type WithPageView = typeof globalThis & { [CURRENT]?: OwnerPageView };

export interface BrowserPageViewOptions {
  owner: Owner;
  release: string;
  rollout: string | null;
  /** The server's session, from the page's props; null when the server sent none. */
  session: OwnerSessionRef | null;
  /** Where the release is served (its resource spans' URLs tell the remote's chunks). */
  origin?: string;
}

/** Continues the server's page view in this browser page (the first call of a page load wins). */
export function continuePageView(options: BrowserPageViewOptions): void {
  const slot = globalThis as WithPageView;
  if (slot[CURRENT]) return;
  const ref = options.session;
  const session = ref ? makeSession({ sid: ref.sid, did: ref.did, release: ref.release, init: false }) : null;
  // The session started on the server; an update keeps its start.
  if (session && ref) updateSession(session, { started: Date.parse(ref.started) / 1000 });
  slot[CURRENT] = new OwnerPageView(options.owner, options.release, options.rollout, session, sendSession, options.origin);
}

/** The page view of this browser page, for beforeSend. */
export function browserPageViewOf(): OwnerPageView | undefined {
  return (globalThis as WithPageView)[CURRENT];
}
