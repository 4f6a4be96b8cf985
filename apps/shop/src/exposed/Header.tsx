import Link from 'next/link';
import { topology } from '@repo/topology';
import { FEATURED_PRODUCT_ID } from '../catalog';

/**
 * Shop's Header, exposed to the other zones as `shop/Header`. Product links are client-side
 * routes that every host also serves (it renders shop's pages there), so following them never
 * reloads the page. Zone links are plain links: zones are separate apps.
 */
export default function Header() {
  return (
    <header data-owner="shop" data-testid="shop-header" className="shop-header">
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
