import Link from 'next/link';
import { topology } from '@repo/topology';
import { CART_ITEM_COUNT, FEATURED_PRODUCT_ID } from '../catalog';

/**
 * Shop's Header, exposed to the other zones as `shop/Header`. Product links are client-side
 * routes that every host also serves (it renders shop's pages there), so following them never
 * reloads the page. Zone links are plain links: zones are separate apps. Styled by
 * @repo/design's store.css, which every zone loads, so it looks the same in each.
 */
export default function Header() {
  if (process.env.ZONE_DEFECT === 'header') {
    // A release built with `--defect header` (the workshop's broken release) ships this bug.
    throw new Error("Header: the cart badge reads cart.summary, which this release's cart no longer provides");
  }
  return (
    // data-release: which of shop's releases this page is showing (rollbacks change it).
    <header data-owner="shop" data-testid="shop-header" data-release={process.env.ZONE_RELEASE} className="store-header">
      <div className="store-header__inner">
        <a className="store-brand" href={topology.zones.home.origin}>
          Federated Store
        </a>
        <nav aria-label="Shop" className="store-nav">
          <ul className="store-nav__list">
            <li>
              <Link className="store-nav__link" href="/products">
                Products
              </Link>
            </li>
            <li>
              <Link className="store-nav__link" href={`/products/${FEATURED_PRODUCT_ID}`}>
                Featured
              </Link>
            </li>
            <li>
              <a className="store-nav__link" href={topology.zones.home.origin}>
                Home
              </a>
            </li>
            <li className="store-nav__cart">
              <a className="cart-link" href={topology.zones.checkout.origin}>
                <CartIcon />
                <span>Checkout</span>
                <span className="cart-badge">
                  {CART_ITEM_COUNT}
                  <span className="visually-hidden"> items in the cart</span>
                </span>
              </a>
            </li>
          </ul>
        </nav>
      </div>
    </header>
  );
}

function CartIcon() {
  return (
    <svg className="cart-link__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path
        d="M3 4h2l2.2 10.2a1.5 1.5 0 0 0 1.5 1.2h8.6a1.5 1.5 0 0 0 1.5-1.1L20.5 8H6.2"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.8"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
      <circle cx="9.5" cy="19.5" r="1.4" fill="currentColor" />
      <circle cx="17" cy="19.5" r="1.4" fill="currentColor" />
    </svg>
  );
}
