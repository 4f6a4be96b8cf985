import App, { type AppContext, type AppProps } from 'next/app';
import Head from 'next/head';
import { useSyncExternalStore } from 'react';
import { wrapAppGetInitialPropsWithSentry } from '@sentry/nextjs';
import { currentZone } from '@repo/topology';
import { HeaderFallback } from './HeaderFallback';
import { RemoteContext, RemoteSlot, type RemoteState } from './remote/RemoteSlot';
import { loadWhatTheServerRendered } from './remote/hydration';
import { WorkshopBar, WorkshopLayout } from './workshop/Shell';
import { WorkshopProvider } from './workshop/Workshop';
import { releaseName } from '@repo/releases';
import {
  loadPageRemotes,
  remoteStateOfRequest,
  type HostPageContext,
  type RemotePageStatics,
} from './remote/state';

// In the browser, the app (and so hydration) waits for the remote modules the server rendered.
if (typeof window !== 'undefined') await loadWhatTheServerRendered();

const noSubscription = () => () => {};

/**
 * False in the server HTML and during hydration, true once React runs the page in the browser:
 * lets people and tests tell a live page from its HTML.
 */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * The page's props, with the server's trace that Sentry's getInitialProps wrapper adds for the
 * browser's page load to continue (read from `__NEXT_DATA__` by Sentry's pages-router instrumentation).
 */
interface TracedPageProps extends Record<string, unknown> {
  _sentryTraceData?: string;
  _sentryBaggage?: string;
}

type HostAppProps = AppProps<TracedPageProps> & { remote: RemoteState };

/** The trace is for Sentry, not the page: a host page may be shop's, which should not get it. */
function withoutTrace(pageProps: TracedPageProps): Record<string, unknown> {
  const own = { ...pageProps };
  delete own._sentryTraceData;
  delete own._sentryBaggage;
  return own;
}

/**
 * The shell of a host zone: shop's Header on every page, contained, above the zone's page, and the
 * workshop around them (the owners switch; on lab pages, the "who got told" panel beside the page).
 */
export default function HostApp({ Component, pageProps, remote }: HostAppProps) {
  const zone = currentZone();
  const hydrated = useHydrated();
  const release = releaseName(remote.location);
  return (
    <RemoteContext.Provider value={remote}>
      <WorkshopProvider release={release}>
        {/* The zone's title until its page names itself (a page's own title wins). */}
        <Head>
          <title>{`${zone.title} · Federated Store`}</title>
        </Head>
        <WorkshopBar />
        {/* Names the release this page used and how it was chosen, fallback included: the same on the server and hydrated. */}
        <div data-testid="shop-header-slot" data-release={release} data-rollout={remote.rollout ?? undefined}>
          <RemoteSlot expose="./Header" props={{}} fallback={<HeaderFallback />} />
        </div>
        <WorkshopLayout>
          <div data-zone={zone.name} data-testid="zone-shell" data-hydrated={hydrated} data-shop-release={release}>
            <Component {...withoutTrace(pageProps)} />
          </div>
        </WorkshopLayout>
        <footer className="store-footer">
          <div className="store-footer__inner">
            <span>Federated Store: a demo of error ownership across federated frontends.</span>
            <span>This page: the {zone.title} zone, by {zone.owner}&apos;s team.</span>
          </div>
        </footer>
      </WorkshopProvider>
    </RemoteContext.Provider>
  );
}

/**
 * Per page view: which shop release this visitor gets (on the server: the visitor cookie, set if
 * missing, and the registry's live release or canary; in the browser: what the first page was
 * served with), and load the modules this page renders from it, before anything renders (bounded
 * in time; what does not load renders its fallback). Also what makes
 * Next render every page per request instead of prerendering it at build time, which would bake in
 * whatever shop was then.
 *
 * Wrapped by Sentry: on the server it puts the request's trace into the page props, so the
 * browser's page load continues the server's trace (Sentry's own propagation); in the browser (a
 * client navigation, which starts a trace of its own) it only reports a throw.
 */
HostApp.getInitialProps = wrapAppGetInitialPropsWithSentry(async (context: AppContext) => {
  const remote = await loadPageRemotes(context.ctx, (context.Component as RemotePageStatics).remoteModules);
  (context.ctx as HostPageContext).remote = remote;
  if (context.ctx.req) remoteStateOfRequest.set(context.ctx.req, remote);
  const appProps = await App.getInitialProps(context);
  return { ...appProps, remote };
});
