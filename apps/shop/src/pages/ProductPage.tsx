import type { NextPageContext } from 'next';
import Head from 'next/head';
import Link from 'next/link';
import { topology } from '@repo/topology';
import { findProduct, formatPrice, type Product } from '../catalog';
import { ProductArt } from '../ProductArt';

export interface ProductPageProps {
  product: Product | null;
}

/** The page's title and the way back to the list, on a product's page and on its not-found page. */
function ProductPageTop({ title }: { title: string }) {
  return (
    <>
      <Head>
        <title>{`${title} · Federated Store`}</title>
      </Head>
      <p className="breadcrumb">
        <Link href="/products">All products</Link>
      </p>
    </>
  );
}

/** Shop's product page, served by shop at /products/[id] and exposed for hosts. */
function ProductPage({ product }: ProductPageProps) {
  if (!product) {
    return (
      <main data-owner="shop" data-testid="product-page" className="store-page">
        <ProductPageTop title="Not found" />
        <h1>Not found</h1>
        <p className="lede">There is no such product in shop&apos;s catalogue.</p>
      </main>
    );
  }
  return (
    <main data-owner="shop" data-testid="product-page" className="store-page">
      <ProductPageTop title={product.name} />
      <article className="product">
        <ProductArt id={product.id} className="product__art" />
        <div className="product__body">
          <h1>{product.name}</h1>
          <p className="lede">{product.description}</p>
          <p className="price price--large" data-testid="price">
            {formatPrice(product.priceCents)}
          </p>
          <a className="button" href={topology.zones.checkout.origin}>
            Go to checkout
          </a>
        </div>
      </article>
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
