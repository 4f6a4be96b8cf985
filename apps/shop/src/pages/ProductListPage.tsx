import Head from 'next/head';
import Link from 'next/link';
import { PRODUCTS, formatPrice, type Product } from '../catalog';
import { ProductArt } from '../ProductArt';

export interface ProductListPageProps {
  products: readonly Product[];
}

/** Shop's product list, served by shop at /products and exposed for hosts to serve there too. */
function ProductListPage({ products }: ProductListPageProps) {
  return (
    <main data-owner="shop" data-testid="product-list" className="store-page">
      <Head>
        <title>Products · Federated Store</title>
      </Head>
      <h1>Products</h1>
      <p className="lede">Everything for a good cup, from shop&apos;s catalogue.</p>
      <ul className="product-grid">
        {products.map((p) => (
          <li key={p.id} className="product-card">
            <ProductArt id={p.id} className="product-card__art" />
            <div className="product-card__body">
              {/* One link per card, named by the product: the whole card is its target (see store.css). */}
              <Link className="product-card__link" href={`/products/${p.id}`}>
                {p.name}
              </Link>
              <p className="product-card__description">{p.description}</p>
              <p className="price">{formatPrice(p.priceCents)}</p>
            </div>
          </li>
        ))}
      </ul>
    </main>
  );
}

ProductListPage.getInitialProps = (): ProductListPageProps => ({ products: PRODUCTS });

export default ProductListPage;
