import Link from 'next/link';
import { topology } from '@repo/topology';
import { FEATURED_PRODUCT_ID } from '../catalog';

/**
 * Shop's Header, exposed to the other zones as `shop/Header`. Product links are client-side
 * routes that every host also serves (it renders shop's pages there), so following them never
 * reloads the page. Zone links are plain links: zones are separate apps.
 */
export default function Header() {
  if (process.env.ZONE_DEFECT === 'header') {
    // A release built with `--defect header` (the workshop's broken release) ships this bug.
    throw new Error("Header: the cart badge reads cart.summary, which this release's cart no longer provides");
  }
  return (
    // data-release: which of shop's releases this page is showing (rollbacks change it).
    <header data-owner="shop" data-testid="shop-header" data-release={process.env.ZONE_RELEASE} className="shop-header">
      <strong>Federated Store</strong>
      <nav aria-label="Shop">
        <Link href="/products">Products</Link>
        <Link href={`/products/${FEATURED_PRODUCT_ID}`}>Featured</Link>
        <a href={topology.zones.home.origin}>Home</a>
        <a href={topology.zones.checkout.origin}>Checkout</a>
      </nav>
    </header>
  );
}
