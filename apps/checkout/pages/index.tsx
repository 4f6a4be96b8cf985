import Head from 'next/head';
import Link from 'next/link';
import ShopPreview, { SHOP_PREVIEW_MODULES } from '@repo/host/shop-preview';

/**
 * The visitor's cart, as checkout's team keeps it. The demo has no cart service: these are the
 * two items shop's Header counts in its badge.
 */
const CART = [
  { productId: 'tea', name: 'Green tea', quantity: 1, priceCents: 650 },
  { productId: 'mug', name: 'Stoneware mug', quantity: 1, priceCents: 1800 },
] as const;

const euros = (cents: number) => `€${(cents / 100).toFixed(2)}`;

export default function CheckoutPage() {
  const total = CART.reduce((sum, line) => sum + line.quantity * line.priceCents, 0);
  return (
    <main data-testid="zone-page" className="store-page">
      <Head>
        <title>Checkout · Federated Store</title>
      </Head>
      <h1>Checkout</h1>
      <p className="lede">Checkout&apos;s team owns this page; shop&apos;s team owns the Header.</p>
      <div className="checkout">
        <section className="cart" aria-labelledby="cart-title">
          <h2 id="cart-title">Your cart</h2>
          <ul className="cart__lines">
            {CART.map((line) => (
              <li key={line.productId} className="cart__line">
                {/* Shop's product page, served by this zone (client-side, like the Header's links). */}
                <Link href={`/products/${line.productId}`}>{line.name}</Link>
                <span className="cart__quantity">× {line.quantity}</span>
                <span className="price">{euros(line.quantity * line.priceCents)}</span>
              </li>
            ))}
          </ul>
          <p className="cart__total">
            <span>Total</span>
            <span className="price">{euros(total)}</span>
          </p>
          <button type="button" className="button button--block" disabled aria-describedby="demo-note">
            Place order
          </button>
          <p id="demo-note" className="cart__note">
            A demo store: nothing is ordered or charged.
          </p>
        </section>
        <ShopPreview />
      </div>
    </main>
  );
}

CheckoutPage.remoteModules = SHOP_PREVIEW_MODULES;
