import '@repo/design/tokens.css';
import '@repo/design/store.css';
import '@repo/design/workshop.css';
import type { AppProps } from 'next/app';
import Head from 'next/head';
import { Contained } from '@repo/observability/contained';
import Header from '../src/exposed/Header';

/** Stands in for a broken Header on shop's own pages: the same box, so the page does not move. */
function ShopHeaderFallback() {
  return (
    <header data-testid="header-fallback" data-fallback className="store-header">
      <div className="store-header__inner">
        <span className="store-brand">Federated Store</span>
      </div>
    </header>
  );
}

/** Shop's own pages: its Header, contained like every host contains it (a broken Header is a fallback, not a 500). */
export default function ShopApp({ Component, pageProps }: AppProps) {
  return (
    <>
      {/* A page of shop's may name itself (its own Head's title wins). */}
      <Head>
        <title>Shop · Federated Store</title>
      </Head>
      <Contained fallback={<ShopHeaderFallback />}>
        <Header />
      </Contained>
      <div data-zone="shop" data-testid="zone-shell">
        <Component {...pageProps} />
      </div>
      <footer className="store-footer">
        <div className="store-footer__inner">
          <span>Federated Store: a demo of error ownership across federated frontends.</span>
          <span>This page: the shop zone, by shop&apos;s team.</span>
        </div>
      </footer>
    </>
  );
}
