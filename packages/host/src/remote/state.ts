/**
 * The remote state of a page: which release it uses (and why: the live pointer or the canary's
 * share), shop's owner session for the page view, and which of the page's remote modules loaded.
 * Decided once per page view: on the server for the first page (per visitor, see
 * location.server.ts), and kept by the browser for client navigations, which stay in the page view
 * the server started (a new page load follows the pointer). So the browser never decides a release
 * itself, and hydration sees exactly what the server rendered however buckets or the pointer
 * change between requests.
 */
import type { NextPageContext } from 'next';
import { releaseName, type RemoteLocation, type Rollout } from '@repo/releases';
import type { OwnerPageView, OwnerSessionRef } from '@repo/observability/owner-sessions';
import { continuePageView } from '@repo/observability/owner-sessions/client';
import { topology } from '@repo/topology';
import { remoteLoader } from './hostLoader';
import type { Availability } from './loader';
import type { ShopExpose } from './modules';
import type { RemoteState } from './RemoteSlot';
import { renderSpans } from './spans';

/** A page that renders remote modules says which, so they are loaded before it renders. */
export interface RemotePageStatics {
  remoteModules?: readonly ShopExpose[];
}

/** The page context, with the remote state the host app decided for this page. */
export interface HostPageContext extends NextPageContext {
  remote?: RemoteState;
}

/**
 * The remote state of each request being rendered, for the document (which gets the request but
 * not the app's props) to preload the chunks the render used.
 */
export const remoteStateOfRequest = new WeakMap<object, RemoteState>();

/** Every host page has shop's Header. */
const ALWAYS: readonly ShopExpose[] = ['./Header'];

/** What a page view decided, once: the release, how it was chosen, and its owner session. */
interface PageRelease {
  readonly location: RemoteLocation;
  readonly rollout: Rollout | null;
  readonly session: OwnerSessionRef | null;
}

let browserPage: PageRelease | null = null;

/**
 * The browser keeps what its first page was served with, and goes on with that page view's owner
 * session (an update when shop's code fails in this tab).
 */
export function rememberBrowserPage(remote: RemoteState): void {
  if (typeof window === 'undefined' || browserPage) return;
  browserPage = { location: remote.location, rollout: remote.rollout, session: remote.session };
  continuePageView({
    owner: topology.zones[remote.location.remote].owner,
    release: releaseName(remote.location),
    rollout: remote.rollout,
    origin: remote.location.origin,
    session: remote.session,
  });
}

interface ThisPage {
  page: PageRelease;
  view: OwnerPageView | null;
  /** On a server, calls back once the response has ended; in a browser, never. */
  whenResponseEnds(callback: () => void): void;
}

const never = (): void => {};

async function releaseOfThisPage(context: NextPageContext): Promise<ThisPage> {
  if (typeof window === 'undefined') {
    // Server-only (cookies, the registry, the response); Next drops this branch from browser bundles.
    const { beginServerPage } = await import('./page.server');
    const { location, rollout, view, whenResponseEnds } = await beginServerPage('shop', context.req, context.res);
    return { page: { location, rollout, session: view?.ref() ?? null }, view, whenResponseEnds };
  }
  if (!browserPage) throw new Error('The browser has no shop release yet: the first page sets it.');
  return { page: browserPage, view: null, whenResponseEnds: never };
}

/** Decides the page's release and loads its remote modules (each bounded in time), saying which are up. */
export async function loadPageRemotes(context: NextPageContext, remoteModules: readonly ShopExpose[] = []): Promise<RemoteState> {
  const { page, view, whenResponseEnds } = await releaseOfThisPage(context);
  const exposes = [...new Set([...ALWAYS, ...remoteModules])];
  const availability: Partial<Record<ShopExpose, Availability>> = {};
  await Promise.all(
    exposes.map(async (expose) => {
      availability[expose] = await remoteLoader.ensureExposed(page.location, expose);
    }),
  );
  // Shop's session errs when shop failed on this page (an outage), not when a load was only
  // slower than this request's deadline (a release's first load on a busy machine): that page
  // shows the fallback too, but nothing of shop failed and nothing is reported.
  if (Object.values(availability).includes('down') && remoteLoader.inOutage(page.location)) view?.unavailable();
  const remote: RemoteState = { ...page, availability };
  // A module that threw while the server rendered it is contained (its Suspense fallback is sent)
  // without a word to our code, so its render span is still open when the response ends.
  whenResponseEnds(() => renderSpans.failOpen(remote, 'threw on the server (ended with the response)'));
  return remote;
}
