import type { AppProps } from 'next/app';
import { Contained } from '@repo/observability/contained';
import Header from '../src/exposed/Header';

/** Shop's own pages: its Header, contained like every host contains it (a broken Header is a fallback, not a 500). */
export default function ShopApp({ Component, pageProps }: AppProps) {
  return (
    <>
      <Contained fallback={<header data-testid="header-fallback" className="shop-header"><strong>Federated Store</strong></header>}>
        <Header />
      </Contained>
      <div data-zone="shop" data-testid="zone-shell">
        <Component {...pageProps} />
      </div>
    </>
  );
}
