import App, { type AppContext, type AppProps } from 'next/app';
import { useSyncExternalStore } from 'react';
import { currentZone } from '@repo/topology';
import { HeaderFallback } from './HeaderFallback';
import { RemoteContext, RemoteSlot, type RemoteState } from './remote/RemoteSlot';
import { loadWhatTheServerRendered } from './remote/hydration';
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

type HostAppProps = AppProps & { remote: RemoteState };

/** The shell of a host zone: shop's Header on every page, contained, above the zone's page. */
export default function HostApp({ Component, pageProps, remote }: HostAppProps) {
  const zone = currentZone();
  const hydrated = useHydrated();
  return (
    <RemoteContext.Provider value={remote}>
      <RemoteSlot expose="./Header" props={{}} fallback={<HeaderFallback />} />
      <div
        data-zone={zone.name}
        data-testid="zone-shell"
        data-hydrated={hydrated}
        data-shop-release={releaseName(remote.location)}
      >
        <Component {...pageProps} />
      </div>
    </RemoteContext.Provider>
  );
}

/**
 * Per request: which shop release is live, and load the modules this page renders from it, before
 * anything renders (bounded in time; what does not load renders its fallback). Also what makes
 * Next render every page per request instead of prerendering it at build time, which would bake in
 * whatever shop was then.
 */
HostApp.getInitialProps = async (context: AppContext) => {
  const remote = await loadPageRemotes((context.Component as RemotePageStatics).remoteModules);
  (context.ctx as HostPageContext).remote = remote;
  if (context.ctx.req) remoteStateOfRequest.set(context.ctx.req, remote);
  const appProps = await App.getInitialProps(context);
  return { ...appProps, remote };
};
