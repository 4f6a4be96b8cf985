import App, { type AppContext, type AppProps } from 'next/app';
import { useSyncExternalStore } from 'react';
import Header from 'shop/Header';
import { currentZone } from '@repo/topology';
import { Contained } from './Contained';
import { HeaderFallback } from './HeaderFallback';

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

/** The shell of a host zone: shop's Header on every page, contained, above the zone's page. */
export default function HostApp({ Component, pageProps }: AppProps) {
  const zone = currentZone();
  const hydrated = useHydrated();
  return (
    <>
      <Contained fallback={<HeaderFallback />}>
        <Header />
      </Contained>
      <div data-zone={zone.name} data-testid="zone-shell" data-hydrated={hydrated}>
        <Component {...pageProps} />
      </div>
    </>
  );
}

/**
 * Render every page per request. Without it Next would prerender pages at build time, baking in
 * whatever shop's remote was then (or its absence) instead of loading it when a page is served.
 */
HostApp.getInitialProps = (context: AppContext) => App.getInitialProps(context);
