import type { NextPageContext } from 'next';
import Link from 'next/link';
import { findProduct, formatPrice, type Product } from '../catalog';

export interface ProductPageProps {
  product: Product | null;
}

/** Shop's product page, served by shop at /products/[id] and exposed for hosts. */
function ProductPage({ product }: ProductPageProps) {
  if (!product) {
    return (
      <main data-owner="shop" data-testid="product-page">
        <h1>Not found</h1>
        <Link href="/products">All products</Link>
      </main>
    );
  }
  return (
    <main data-owner="shop" data-testid="product-page">
      <h1>{product.name}</h1>
      <p>{product.description}</p>
      <p data-testid="price">{formatPrice(product.priceCents)}</p>
      <Link href="/products">All products</Link>
    </main>
  );
}

ProductPage.getInitialProps = ({ query, res }: NextPageContext): ProductPageProps => {
  const id = typeof query.id === 'string' ? query.id : '';
  const product = findProduct(id) ?? null;
  if (!product && res) res.statusCode = 404;
  return { product };
};

export default ProductPage;
