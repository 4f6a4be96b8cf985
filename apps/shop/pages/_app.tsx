import type { AppProps } from 'next/app';
import Header from '../src/exposed/Header';

export default function ShopApp({ Component, pageProps }: AppProps) {
  return (
    <>
      <Header />
      <div data-zone="shop" data-testid="zone-shell">
        <Component {...pageProps} />
      </div>
    </>
  );
}
