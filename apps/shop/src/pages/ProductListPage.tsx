import Link from 'next/link';
import { PRODUCTS, formatPrice, type Product } from '../catalog';

export interface ProductListPageProps {
  products: readonly Product[];
}

/** Shop's product list, served by shop at /products and exposed for hosts to serve there too. */
function ProductListPage({ products }: ProductListPageProps) {
  return (
    <main data-owner="shop" data-testid="product-list">
      <h1>Products</h1>
      <ul>
        {products.map((p) => (
          <li key={p.id}>
            <Link href={`/products/${p.id}`}>{p.name}</Link> {formatPrice(p.priceCents)}
          </li>
        ))}
      </ul>
    </main>
  );
}

ProductListPage.getInitialProps = (): ProductListPageProps => ({ products: PRODUCTS });

export default ProductListPage;
